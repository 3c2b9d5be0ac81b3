#!/usr/bin/python3
"""One IGR training step in Python PyTorch, written the way the official IGR code does it.

The counterpart of tools/bench/IgrStepBenchmark.cpp (same sizes, data and hyper-parameters);
tools/bench/run_igr_step_benchmarks.sh runs both and prints the ratios (IGR_STEP.md).

The network is amosgropp/IGR code/model/network.py's ImplicitNet (geometric init, skip
`cat([x, input]) / sqrt(2)`, Softplus(beta=100)); the step follows code/reconstruction/run.py:
off-surface points from NormalPerPoint (x + N(0, 1) * sigma_i, plus N/8 uniform points in
[-1.8, 1.8]^3), two forwards (network(mnfld_pnts), network(nonmnfld_pnts)), the gradient of
both through torch.autograd.grad with create_graph (the surface gradient is computed even
without normals, as run.py does), loss = mean |f| + 0.1 * eikonal (+ 1.0 * normal term), Adam
(lr 1e-6 instead of 0.005 by default, so that the timed steps stay at the initialization; see
IGR_STEP.md). With --lean the surface gradient is skipped when there are no normals (what run.py
could have done; not the official code).

Prints one JSON line: the mean wall-clock time per step over --steps timed steps (after
--warmup), the process CPU time per step (all threads), each step's time, and the BLAS kernels
and thread count actually used.
"""

import argparse
import json
import math
import time

import torch

from bench_blas import blas_core  # noqa: E402,F401  (re-exported)
import torch.nn as nn

SIZES = {
    # name: (hidden widths, skip_in, surface points)
    "large": ([512] * 8, [4], 16384),
    "small": ([256] * 4, [], 4096),
}


class ImplicitNet(nn.Module):
    """amosgropp/IGR code/model/network.py (d_in 3, geometric init, radius 1)."""

    def __init__(self, d_in, dims, skip_in=(), geometric_init=True, radius_init=1, beta=100):
        super().__init__()
        dims = [d_in] + dims + [1]
        self.num_layers = len(dims)
        self.skip_in = skip_in
        for layer in range(0, self.num_layers - 1):
            if layer + 1 in skip_in:
                out_dim = dims[layer + 1] - d_in
            else:
                out_dim = dims[layer + 1]
            lin = nn.Linear(dims[layer], out_dim)
            if geometric_init:
                if layer == self.num_layers - 2:
                    torch.nn.init.normal_(lin.weight, mean=math.sqrt(math.pi) / math.sqrt(dims[layer]),
                                          std=0.00001)
                    torch.nn.init.constant_(lin.bias, -radius_init)
                else:
                    torch.nn.init.constant_(lin.bias, 0.0)
                    torch.nn.init.normal_(lin.weight, 0.0, math.sqrt(2) / math.sqrt(out_dim))
            setattr(self, "lin" + str(layer), lin)
        self.activation = nn.Softplus(beta=beta)

    def forward(self, input):
        x = input
        for layer in range(0, self.num_layers - 1):
            lin = getattr(self, "lin" + str(layer))
            if layer in self.skip_in:
                x = torch.cat([x, input], -1) / math.sqrt(2)
            x = lin(x)
            if layer < self.num_layers - 2:
                x = self.activation(x)
        return x


def gradient(inputs, outputs):
    """amosgropp/IGR code/model/network.py."""
    d_points = torch.ones_like(outputs, requires_grad=False, device=outputs.device)
    points_grad = torch.autograd.grad(outputs=outputs, inputs=inputs, grad_outputs=d_points,
                                      create_graph=True, retain_graph=True, only_inputs=True)[0][:, -3:]
    return points_grad


class NormalPerPoint:
    """amosgropp/IGR code/model/sample.py."""

    def __init__(self, global_sigma, local_sigma=0.5):
        self.global_sigma = global_sigma
        self.local_sigma = local_sigma

    def get_points(self, pc_input, local_sigma=None):
        batch_size, sample_size, dim = pc_input.shape
        if local_sigma is not None:
            sample_local = pc_input + (torch.randn_like(pc_input) * local_sigma.unsqueeze(-1))
        else:
            sample_local = pc_input + (torch.randn_like(pc_input) * self.local_sigma)
        sample_global = (torch.rand(batch_size, sample_size // 8, dim, device=pc_input.device)
                         * (self.global_sigma * 2)) - self.global_sigma
        return torch.cat([sample_local, sample_global], dim=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="small")
    parser.add_argument("--normals", type=int, choices=[0, 1], default=1)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--lr", type=float, default=1e-6)
    parser.add_argument("--flush-denormal", action="store_true",
                        help="torch.set_flush_denormal(True) (not in the official code)")
    parser.add_argument("--lean", action="store_true",
                        help="skip the unused surface gradient without normals")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    if args.flush_denormal:
        torch.set_flush_denormal(True)
    torch.manual_seed(0)
    dims, skip_in, n = SIZES[args.size]
    network = ImplicitNet(3, dims, skip_in)
    # IGR's lr is 0.005; a tiny lr keeps every timed step at the initialization (see
    # IgrStepBenchmark.cpp, kLearningRate): the cost of a step does not depend on it.
    optimizer = torch.optim.Adam(network.parameters(), lr=args.lr)
    sampler = NormalPerPoint(global_sigma=1.8)
    dirs = torch.nn.functional.normalize(torch.randn(n, 3), dim=1)
    cur_data = torch.cat([dirs * 0.5, dirs], 1)  # xyz, normal
    local_sigma = torch.full((n,), 0.01)
    with_normals = bool(args.normals)
    grad_lambda, normals_lambda = 0.1, 1.0

    def step():
        mnfld_pnts = cur_data[:, :3].clone()
        mnfld_sigma = local_sigma
        nonmnfld_pnts = sampler.get_points(mnfld_pnts.unsqueeze(0), mnfld_sigma.unsqueeze(0)).squeeze()
        mnfld_pnts.requires_grad_()
        nonmnfld_pnts.requires_grad_()
        mnfld_pred = network(mnfld_pnts)
        nonmnfld_pred = network(nonmnfld_pnts)
        if with_normals or not args.lean:
            mnfld_grad = gradient(mnfld_pnts, mnfld_pred)
        nonmnfld_grad = gradient(nonmnfld_pnts, nonmnfld_pred)
        mnfld_loss = (mnfld_pred.abs()).mean()
        grad_loss = ((nonmnfld_grad.norm(2, dim=-1) - 1) ** 2).mean()
        loss = mnfld_loss + grad_lambda * grad_loss
        if with_normals:
            normals = cur_data[:, -3:]
            normals_loss = ((mnfld_grad - normals).abs()).norm(2, dim=1).mean()
            loss = loss + normals_lambda * normals_loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    for _ in range(args.warmup):
        step()
    times, cpu_times = [], []
    for _ in range(args.steps):
        start, cpu_start = time.perf_counter(), time.process_time()
        step()
        times.append(time.perf_counter() - start)
        cpu_times.append(time.process_time() - cpu_start)
    print(json.dumps({
        "impl": "python_lean" if args.lean else "python",
        "size": args.size,
        "normals": with_normals,
        "threads": torch.get_num_threads(),
        "points": n + n + n // 8,
        "ms_per_step": 1000 * sum(times) / len(times),
        "cpu_ms_per_step": 1000 * sum(cpu_times) / len(cpu_times),
        "step_ms": [round(1000 * t, 1) for t in times],
        "blas_core": blas_core(),
        "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
