#!/usr/bin/env python3
"""PyTorch timing reference for examples/dmts.yaml: full-batch DMTS on a leaky tanh rate RNN.

Written for Engram from the settings listed in shared/specs/memory-geometry.md §7 (those of
Dinc et al. 2025, fatihdinc/ghost-mechanism, Figure5/code/run_dmts_fullrank.py, which could not
be fetched here): N = 100, alpha = 0.5, r_{t+1} = (1-alpha) r_t + alpha tanh(W r_t + W_in u_t + b
+ xi_t), xi ~ N(0, 0.01^2), W xavier-uniform, r_0 = tanh(N(0, 0.1^2)), sigmoid readout, MSE over
all steps, 4 conditions (sample +-1, test +-1; 2-step pulses, 30-step delay, 10-step response)
as one batch, plain SGD lr 1e-2. The time loop is plain Python over steps, as such scripts are.

Usage: OMP_NUM_THREADS=1 python3 dmts_fullbatch.py STEPS REPEATS [SEED]
Prints one line per repeat: seconds per 1,000 steps, and the loss at the end.
"""
import sys, time
import torch

torch.set_num_threads(1)
H, ALPHA, SIGMA, LR = 100, 0.5, 0.01, 1e-2
PULSE, DELAY, RESPONSE = 2, 30, 10
T = PULSE + DELAY + PULSE + RESPONSE


def batch():
    x = torch.zeros(T, 4, 1)
    y = torch.zeros(T, 4, 1)
    for k in range(4):
        s1 = 1.0 if k < 2 else -1.0
        s2 = 1.0 if k % 2 == 0 else -1.0
        x[:PULSE, k, 0] = s1
        x[PULSE + DELAY:2 * PULSE + DELAY, k, 0] = s2
        y[T - RESPONSE:, k, 0] = 1.0 if s1 == s2 else 0.0
    return x, y


class RateRnn(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.w_in = torch.nn.Linear(1, H)
        self.w_rec = torch.nn.Linear(H, H, bias=False)
        torch.nn.init.xavier_uniform_(self.w_rec.weight)
        self.readout = torch.nn.Linear(H, 1)

    def forward(self, x):
        r = torch.tanh(0.1 * torch.randn(x.shape[1], H))
        outputs = []
        for t in range(x.shape[0]):
            noise = SIGMA * torch.randn(x.shape[1], H)
            r = (1 - ALPHA) * r + ALPHA * torch.tanh(self.w_rec(r) + self.w_in(x[t]) + noise)
            outputs.append(torch.sigmoid(self.readout(r)))
        return torch.stack(outputs)


def main():
    steps, repeats = int(sys.argv[1]), int(sys.argv[2])
    torch.manual_seed(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    x, y = batch()
    model = RateRnn()
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    loss_fn = torch.nn.MSELoss()
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(steps):
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()
        seconds = time.perf_counter() - start
        print(f"{1000 * seconds / steps:.3f} s/1000 steps, loss {loss.item():.5f}", flush=True)


if __name__ == "__main__":
    main()
