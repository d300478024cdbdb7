#!/usr/bin/env python3
"""Time one training step of the benchmark VN world model in PyTorch on CPU.

The same model and step as `ewm-sim bench train-step` (Sources/Train/TrainStepBenchmark.swift):
batch 256 of 9 points in R^d, features laid out [..., d, C] so that every VN-Linear is one matmul;
encoder VN-Linear 1->64, VN-LeakyReLU, 64->64, VN-LeakyReLU, mean over points, 64->32;
predictor on [latent, action] (33 vector channels): 33->128, VN-LeakyReLU, 128->128,
VN-LeakyReLU, 128->32 (each VN-LeakyReLU with its own C->C direction map, slope 0.2, eps 1e-6);
loss = relative MSE to an EMA copy of the encoder on the next points + VICReg variance and
covariance on the per-channel vector norms of the latent; AdamW; EMA update. 71,872 parameters.

Usage: python3 tools/bench_torch.py [--dim 2|3] [--steps 50] [--warmup 5] [--threads N] [--json] [--serve]
With --serve it warms up, prints one JSON line {"torch_version", "threads", "parameters"}, then for every line N on
stdin times N more steps and prints one JSON line {"ms": [...]} (an empty line or end of input stops it), so that a
caller can alternate rounds of its own steps with rounds of these in one run.
Needs PyTorch (pip install torch); without it, prints a message and exits with status 3.
"""
import argparse
import copy
import json
import statistics
import sys
import time

try:
    import torch
    import torch.nn as nn
except ImportError:
    print("bench_torch.py: PyTorch is not installed (pip install torch); nothing to compare against.",
          file=sys.stderr)
    sys.exit(3)


class VNLinear(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.map = nn.Linear(cin, cout, bias=False)

    def forward(self, x):  # [..., d, Cin] -> [..., d, Cout]
        return self.map(x)


class VNLeakyReLU(nn.Module):
    def __init__(self, c, slope=0.2, eps=1e-6):
        super().__init__()
        self.direction = nn.Linear(c, c, bias=False)
        self.slope, self.eps = slope, eps

    def forward(self, q):
        k = self.direction(q)
        dot = (q * k).sum(dim=-2, keepdim=True)
        knorm = (k * k).sum(dim=-2, keepdim=True)
        mask = (dot >= 0).to(q.dtype)
        projected = q - (dot / (knorm + self.eps)) * k
        return self.slope * q + (1 - self.slope) * (mask * q + (1 - mask) * projected)


class RefVNLinear(nn.Module):
    """The original Vector Neurons code's layout: features [B, C, d, N], Linear over C via transposes."""
    def __init__(self, cin, cout):
        super().__init__()
        self.map_to_feat = nn.Linear(cin, cout, bias=False)

    def forward(self, x):
        return self.map_to_feat(x.transpose(1, -1)).transpose(1, -1)


class RefVNLeakyReLU(nn.Module):
    def __init__(self, c, slope=0.2, eps=1e-6):
        super().__init__()
        self.map_to_dir = nn.Linear(c, c, bias=False)
        self.slope, self.eps = slope, eps

    def forward(self, x):
        k = self.map_to_dir(x.transpose(1, -1)).transpose(1, -1)
        dot = (x * k).sum(2, keepdim=True)
        mask = (dot >= 0).float()
        knorm = (k * k).sum(2, keepdim=True)
        return self.slope * x + (1 - self.slope) * (mask * x + (1 - mask) * (x - (dot / (knorm + self.eps)) * k))


class RefEncoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.l0, self.a0 = RefVNLinear(1, 64), RefVNLeakyReLU(64)
        self.l1, self.a1 = RefVNLinear(64, 64), RefVNLeakyReLU(64)
        self.head = RefVNLinear(64, 32)

    def forward(self, points):  # [B, P, d, 1] -> [B, d, 32] (internally [B, C, d, N])
        h = points.permute(0, 3, 2, 1)
        h = self.a0(self.l0(h))
        h = self.a1(self.l1(h))
        h = h.mean(dim=-1, keepdim=True)  # [B, C, d, 1]
        return self.head(h)[..., 0].transpose(1, 2)


class RefPredictor(nn.Module):
    def __init__(self):
        super().__init__()
        self.l0, self.a0 = RefVNLinear(33, 128), RefVNLeakyReLU(128)
        self.l1, self.a1 = RefVNLinear(128, 128), RefVNLeakyReLU(128)
        self.head = RefVNLinear(128, 32)

    def forward(self, z, action):  # [B, d, 32], [B, d, 1]
        h = torch.cat([z, action], dim=-1).transpose(1, 2).unsqueeze(-1)  # [B, 33, d, 1]
        h = self.a0(self.l0(h))
        h = self.a1(self.l1(h))
        return self.head(h)[..., 0].transpose(1, 2)


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.l0, self.a0 = VNLinear(1, 64), VNLeakyReLU(64)
        self.l1, self.a1 = VNLinear(64, 64), VNLeakyReLU(64)
        self.head = VNLinear(64, 32)

    def forward(self, points):  # [B, P, d, 1] -> [B, d, 32]
        h = self.a0(self.l0(points))
        h = self.a1(self.l1(h))
        return self.head(h.mean(dim=1))


class Predictor(nn.Module):
    def __init__(self):
        super().__init__()
        self.l0, self.a0 = VNLinear(33, 128), VNLeakyReLU(128)
        self.l1, self.a1 = VNLinear(128, 128), VNLeakyReLU(128)
        self.head = VNLinear(128, 32)

    def forward(self, z, action):  # [B, d, 32], [B, d, 1]
        h = torch.cat([z, action], dim=-1)
        h = self.a0(self.l0(h))
        h = self.a1(self.l1(h))
        return self.head(h)


def relative_mse(p, t, eps=1e-8):
    b = p.shape[0]
    num = (p - t).pow(2).reshape(b, -1).sum(1)
    den = t.pow(2).reshape(b, -1).sum(1) + eps
    return (num / den).mean()


def vicreg(z, eps=1e-4):
    n, d = z.shape
    zc = z - z.mean(0)
    var = zc.pow(2).sum(0) / (n - 1)
    var_loss = torch.relu(1 - torch.sqrt(var + eps)).mean()
    cov = zc.T @ zc / (n - 1)
    cov_loss = (cov.pow(2).sum() - var.pow(2).sum()) / d
    return var_loss, cov_loss


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dim", type=int, default=2, choices=[2, 3])
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--points", type=int, default=9)
    ap.add_argument("--layout", choices=["channels-last", "vn-reference"], default="channels-last",
                    help="channels-last: features [..., d, C], one matmul per VN-Linear (default); "
                         "vn-reference: the original Vector Neurons code's [B, C, d, N] with transposes")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--serve", action="store_true", help="time rounds of steps on request (see the module docstring)")
    args = ap.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    d, B, P = args.dim, args.batch, args.points

    if args.layout == "channels-last":
        encoder, predictor = Encoder(), Predictor()
    else:
        encoder, predictor = RefEncoder(), RefPredictor()
    target = copy.deepcopy(encoder).requires_grad_(False)
    params = list(encoder.parameters()) + list(predictor.parameters())
    n_params = sum(p.numel() for p in params)
    opt = torch.optim.AdamW(params, lr=1e-3, weight_decay=0.01)
    points = torch.randn(B, P, d, 1)
    next_points = torch.randn(B, P, d, 1)
    action = torch.randn(B, d, 1)

    def step():
        opt.zero_grad(set_to_none=True)
        z = encoder(points)
        pred = predictor(z, action)
        with torch.no_grad():
            goal = target(next_points)
        norms = torch.sqrt(z.pow(2).sum(dim=-2) + 1e-12)
        var_loss, cov_loss = vicreg(norms)
        loss = relative_mse(pred, goal) + var_loss + cov_loss
        loss.backward()
        opt.step()
        with torch.no_grad():
            for pt, ps in zip(target.parameters(), encoder.parameters()):
                pt.mul_(0.99).add_(ps, alpha=0.01)
        return loss.item()

    for _ in range(args.warmup):
        step()
    if args.serve:
        print(json.dumps({"torch_version": torch.__version__, "threads": torch.get_num_threads(), "parameters": n_params}),
              flush=True)
        for line in sys.stdin:
            if not line.strip():
                break
            times = []
            for _ in range(int(line)):
                t0 = time.perf_counter()
                step()
                times.append((time.perf_counter() - t0) * 1e3)
            print(json.dumps({"ms": times}), flush=True)
        return
    times = []
    for _ in range(args.steps):
        t0 = time.perf_counter()
        step()
        times.append((time.perf_counter() - t0) * 1e3)
    result = {
        "torch_version": torch.__version__,
        "threads": torch.get_num_threads(),
        "parameters": n_params,
        "dim": d,
        "layout": args.layout,
        "ms_per_step_median": statistics.median(times),
        "ms_per_step_mean": statistics.fmean(times),
        "ms_per_step_min": min(times),
    }
    if args.json:
        print(json.dumps(result))
    else:
        print(f"pytorch {result['torch_version']} ({args.layout}): d={d}, {n_params} parameters, {result['threads']} threads: "
              f"{result['ms_per_step_median']:.2f} ms/step (median of {args.steps}; mean "
              f"{result['ms_per_step_mean']:.2f}, min {result['ms_per_step_min']:.2f})")


if __name__ == "__main__":
    main()
