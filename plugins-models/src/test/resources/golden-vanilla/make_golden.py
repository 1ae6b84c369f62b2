#!/usr/bin/env python3
"""Golden values for Engram's `vanilla-rnn` model plugin, from PyTorch autograd in float64.

Run once from this directory (Debian's python3-torch; plain `python3` may lack torch):

    /usr/bin/python3 make_golden.py

Writes four cases, each T = 12 steps, B = 4 sequences, I = 3 inputs, H = 6 units, each a
torch.nn.RNN(3, 6, num_layers=1, nonlinearity=..., batch_first=False) with PyTorch's default
init U(-1/sqrt(H), 1/sqrt(H)):

  tanh-zero-h0/    nonlinearity 'tanh', h_0 = 0 (nn.RNN's default: called without h_0)
  relu-zero-h0/    nonlinearity 'relu', h_0 = 0
  tanh-random-h0/  nonlinearity 'tanh', h_0 = 0.1·U(0, 1) passed in
  relu-random-h0/  nonlinearity 'relu', h_0 = 0.1·U(0, 1) passed in

Every case holds x [T,B,I], h0 [B,H], loss_weights [T,B,H], the parameters under Engram's
names (weight_ih_l0 -> w_ih [H,I], weight_hh_l0 -> w_hh [H,H], bias_ih_l0 -> b_ih [H],
bias_hh_l0 -> b_hh [H]) and, under out/, the hidden states h_1..h_T [T,B,H], the loss
L = sum(loss_weights * hidden) [1] and dL/dtheta for every parameter (grad_<name>).
"""
import os

import numpy as np
import torch

T, B, I, H = 12, 4, 3, 6
HERE = os.path.dirname(os.path.abspath(__file__))
NAMES = {"weight_ih_l0": "w_ih", "weight_hh_l0": "w_hh", "bias_ih_l0": "b_ih",
         "bias_hh_l0": "b_hh"}


def save(case, name, value):
    path = os.path.join(HERE, case, name + ".npy")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if torch.is_tensor(value):
        value = value.detach().numpy()
    np.save(path, np.ascontiguousarray(np.asarray(value, dtype=np.float64)))


def case(name, seed, nonlinearity, random_h0):
    torch.manual_seed(seed)
    rnn = torch.nn.RNN(I, H, num_layers=1, nonlinearity=nonlinearity, batch_first=False).double()
    x = torch.randn(T, B, I, dtype=torch.float64)
    if random_h0:
        h0 = 0.1 * torch.rand(B, H, dtype=torch.float64)
        out, _ = rnn(x, h0.unsqueeze(0))
    else:
        h0 = torch.zeros(B, H, dtype=torch.float64)
        out, _ = rnn(x)
    w = torch.randn(T, B, H, dtype=torch.float64)
    loss = (w * out).sum()
    loss.backward()
    for key, v in (("x", x), ("h0", h0), ("loss_weights", w), ("out/hidden", out),
                   ("out/loss", loss.reshape(1))):
        save(name, key, v)
    for p_name, p in rnn.named_parameters():
        save(name, NAMES[p_name], p)
        save(name, "out/grad_" + NAMES[p_name], p.grad)


if __name__ == "__main__":
    torch.set_default_dtype(torch.float64)
    case("tanh-zero-h0", 11, "tanh", False)
    case("relu-zero-h0", 12, "relu", False)
    case("tanh-random-h0", 13, "tanh", True)
    case("relu-random-h0", 14, "relu", True)
    print("torch", torch.__version__, "numpy", np.__version__)
