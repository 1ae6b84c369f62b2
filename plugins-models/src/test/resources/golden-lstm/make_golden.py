"""Golden values for engram's `lstm` model from torch.nn.LSTM (float64, autograd).

Run once, from anywhere, with a python3 that has torch and numpy (Debian's python3-torch):

    /usr/bin/python3 plugins-models/src/test/resources/golden-lstm/make_golden.py

It writes the NPY files next to this script (they are committed; LstmGoldenTest reads them):

  x.npy                  inputs [T, B, I]
  w_ih.npy ... b_hh.npy  weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0 (engram's names)
  loss_weights.npy       W [T, B, H]; loss = sum(W * outputs), so dL/dh = W at every step
  out/h.npy, out/c.npy   hidden and cell states h_1..h_T, c_1..c_T [T, B, H] from zero state
  out/gates.npy          gate activations i, f, g, o at every step [4, T, B, H]
  out/loss.npy           the loss [1]
  out/grad_*.npy         dL/d(each parameter), from loss.backward()
"""
import os

import numpy as np
import torch

T, B, I, H = 12, 4, 1, 6
SEED = 20240611

here = os.path.dirname(os.path.abspath(__file__))
os.makedirs(os.path.join(here, "out"), exist_ok=True)
torch.manual_seed(SEED)
torch.set_default_dtype(torch.float64)

lstm = torch.nn.LSTM(I, H)  # float64 parameters, default init U(-1/sqrt(H), 1/sqrt(H))
x = torch.randn(T, B, I)
loss_weights = torch.randn(T, B, H)

outputs, (h_n, c_n) = lstm(x)  # zero initial h and c
loss = (loss_weights * outputs).sum()
loss.backward()

# nn.LSTM returns only the last cell state: step through the sequence for c and the gates, and
# check that the stepped outputs are the layer's.
w_ih, w_hh = lstm.weight_ih_l0.detach(), lstm.weight_hh_l0.detach()
b = (lstm.bias_ih_l0 + lstm.bias_hh_l0).detach()
h = torch.zeros(B, H)
c = torch.zeros(B, H)
hs, cs, gates = [], [], []
with torch.no_grad():
    for t in range(T):
        pre = x[t] @ w_ih.T + h @ w_hh.T + b
        i, f, g, o = pre.chunk(4, dim=1)
        i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
        c = f * c + i * g
        h = o * torch.tanh(c)
        hs.append(h)
        cs.append(c)
        gates.append(torch.stack([i, f, g, o]))
hs = torch.stack(hs)
cs = torch.stack(cs)
gates = torch.stack(gates, dim=1)  # [4, T, B, H]
assert torch.allclose(hs, outputs.detach(), rtol=0, atol=1e-14), (hs - outputs).abs().max()
assert torch.allclose(cs[-1], c_n[0].detach(), rtol=0, atol=1e-14)


def save(name, tensor):
    np.save(os.path.join(here, name + ".npy"), np.ascontiguousarray(tensor.detach().numpy()))


save("x", x)
save("w_ih", lstm.weight_ih_l0)
save("w_hh", lstm.weight_hh_l0)
save("b_ih", lstm.bias_ih_l0)
save("b_hh", lstm.bias_hh_l0)
save("loss_weights", loss_weights)
save("out/h", outputs)
save("out/c", cs)
save("out/gates", gates)
save("out/loss", loss.reshape(1))
save("out/grad_w_ih", lstm.weight_ih_l0.grad)
save("out/grad_w_hh", lstm.weight_hh_l0.grad)
save("out/grad_b_ih", lstm.bias_ih_l0.grad)
save("out/grad_b_hh", lstm.bias_hh_l0.grad)
print("wrote golden LSTM values to", here, "torch", torch.__version__, "numpy", np.__version__)
