#!/usr/bin/env python3
"""Golden values for Engram's `gru` model plugin, from PyTorch autograd in float64.

Run once from this directory (Debian's python3-torch; plain `python3` may lack torch):

    /usr/bin/python3 make_golden.py

Writes three cases, each T = 12 steps, B = 4 sequences, I = 1 input, H = 6 units:

  zero-h0/    torch.nn.GRU(1, 6, batch_first=False), h_0 = 0 (nn.GRU's default)
  random-h0/  the same module type with another seed, h_0 = 0.1·U(0, 1)
  leak/       torch.nn.GRUCell with a per-neuron leak h_t = (1 − α)⊙h_{t−1} + α⊙cell,
              α = 1/clamp(τ, min=1); τ has values below 1, exactly 1 and above 1

Every case holds x [T,B,I], h0 [B,H], loss_weights [T,B,H], the parameters under Engram's
names (weight_ih_l0 → w_ih [3H,I], weight_hh_l0 → w_hh [3H,H], bias_ih_l0 → b_ih [3H],
bias_hh_l0 → b_hh [3H], taus [H] for the leak) and, under out/, the hidden states h_1..h_T
[T,B,H], the loss L = Σ loss_weights ⊙ hidden and dL/dθ for every parameter (grad_<name>).
"""
import os

import numpy as np
import torch

T, B, I, H = 12, 4, 1, 6
HERE = os.path.dirname(os.path.abspath(__file__))


def save(case, name, value):
    path = os.path.join(HERE, case, name + ".npy")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if torch.is_tensor(value):
        value = value.detach().numpy()
    np.save(path, np.ascontiguousarray(np.asarray(value, dtype=np.float64)))


def save_params(case, module, taus=None):
    names = {"weight_ih": "w_ih", "weight_hh": "w_hh", "bias_ih": "b_ih", "bias_hh": "b_hh"}
    for p_name, p in module.named_parameters():
        ours = names[p_name.replace("_l0", "")]
        save(case, ours, p)
        save(case, "out/grad_" + ours, p.grad)
    if taus is not None:
        save(case, "taus", taus)
        save(case, "out/grad_taus", taus.grad)


def plain(case, seed, random_h0):
    torch.manual_seed(seed)
    gru = torch.nn.GRU(I, H, batch_first=False).double()
    x = torch.randn(T, B, I, dtype=torch.float64)
    h0 = 0.1 * torch.rand(B, H, dtype=torch.float64) if random_h0 else torch.zeros(B, H, dtype=torch.float64)
    w = torch.randn(T, B, H, dtype=torch.float64)
    out, _ = gru(x, h0.unsqueeze(0)) if random_h0 else gru(x)
    loss = (w * out).sum()
    loss.backward()
    for name, v in (("x", x), ("h0", h0), ("loss_weights", w), ("out/hidden", out), ("out/loss", loss.reshape(1))):
        save(case, name, v)
    save_params(case, gru)


def leak(case, seed):
    torch.manual_seed(seed)
    cell = torch.nn.GRUCell(I, H).double()
    taus = torch.tensor([0.5, 1.0, 1.3, 2.0, 3.7, 0.9], dtype=torch.float64, requires_grad=True)
    x = torch.randn(T, B, I, dtype=torch.float64)
    h0 = 0.1 * torch.rand(B, H, dtype=torch.float64)
    w = torch.randn(T, B, H, dtype=torch.float64)
    alpha = 1.0 / torch.clamp(taus, min=1.0)
    h, outs = h0, []
    for t in range(T):
        h = (1 - alpha) * h + alpha * cell(x[t], h)
        outs.append(h)
    out = torch.stack(outs)
    loss = (w * out).sum()
    loss.backward()
    for name, v in (("x", x), ("h0", h0), ("loss_weights", w), ("out/hidden", out), ("out/loss", loss.reshape(1))):
        save(case, name, v)
    save_params(case, cell, taus)


if __name__ == "__main__":
    torch.set_default_dtype(torch.float64)
    plain("zero-h0", 7, False)
    plain("random-h0", 8, True)
    leak("leak", 9)
    print("torch", torch.__version__, "numpy", np.__version__)
