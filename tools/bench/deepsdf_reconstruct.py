#!/usr/bin/python3
"""DeepSDF's latent-code fit of one shape (reconstruct.py) in Python PyTorch, timed.

The reference side of nsdf's DeepSDF reconstruction benchmark. What of
facebookresearch/DeepSDF it reproduces (our own code, written after reading theirs):

* reconstruct.py main: the decoder of networks/deep_sdf_decoder.py with the published specs
  (8 x 512, dropout 0.2, weight norm everywhere, latent_in [4], final tanh; the Decoder class
  of deepsdf_train_step.py, next to this file), random weights unless --decoder-weights;
  the npz read once into RAM (deep_sdf/data.py read_sdf_samples_into_ram: `pos` and `neg` as
  tensors, NaN rows kept, as DeepSDF keeps them here) and each shuffled once with randperm.
* reconstruct.py reconstruct(): a code of 256 drawn N(0, 0.01) with requires_grad, Adam([code],
  lr 5e-3), the learning rate divided by 10 every num_iterations // 2 iterations (at 400 of
  800); every iteration decoder.eval(), 8000 samples from unpack_sdf_samples_from_ram, the
  target clamped to +-0.1, optimizer.zero_grad() (the code's only), code.expand(8000, -1)
  concatenated with xyz, decoder(inputs) (twice at the first iteration, as reconstruct.py
  does), the prediction clamped to +-0.1, L1Loss() (mean) + 1e-4 * mean(code^2), backward,
  Adam step, loss.cpu().

  The decoder's parameters keep requires_grad=True, as DeepSDF leaves them: every backward
  also computes (and, since nothing zeroes them, accumulates) the gradients of all decoder
  weights, which nothing uses. --no-decoder-grad sets requires_grad False on them to show
  what that waste costs in Python itself.

  Sampling: unpack_sdf_samples_from_ram takes a contiguous block of 4000 rows at a random
  start (random.randint) from the shuffled `pos`, and likewise from `neg` (random indices with
  replacement only when `neg` has no more than 4000 rows). That is --sampling block, the
  default; --sampling indices draws 4000 random rows with replacement from each instead (as
  deep_sdf/data.py's unpack_sdf_samples does in training).

Not reproduced: CUDA, the mesh extraction after the fit (deep_sdf/mesh.py create_mesh).

Output: one JSON line per measured iteration on stdout ("kind": "iteration") and a last one
("kind": "summary") with the median seconds per iteration, the estimate for a whole shape
(median x --schedule-iterations, 800) and the phase shares; progress on stderr.

Example: /usr/bin/python3 tools/bench/deepsdf_reconstruct.py --npz \
  /work/shared/data/shapenet_planes/SdfSamples/ShapeNetV2/02691156/<id>.npz --iterations 30
"""

import argparse
import os
import random
import statistics
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from deepsdf_train_step import (add_decoder_args, context, emit, load1,  # noqa: E402
                                make_decoder, spread)


def read_sdf_samples_into_ram(filename):
    npz = np.load(filename)
    return [torch.from_numpy(npz["pos"]), torch.from_numpy(npz["neg"])]


def unpack_sdf_samples_from_ram(data, subsample):
    """deep_sdf/data.py: a contiguous block of each (pre-shuffled) half at a random start."""
    pos_tensor, neg_tensor = data
    half = int(subsample / 2)
    pos_size, neg_size = pos_tensor.shape[0], neg_tensor.shape[0]
    pos_start_ind = random.randint(0, pos_size - half)
    sample_pos = pos_tensor[pos_start_ind:(pos_start_ind + half)]
    if neg_size <= half:
        random_neg = (torch.rand(half) * neg_tensor.shape[0]).long()
        sample_neg = torch.index_select(neg_tensor, 0, random_neg)
    else:
        neg_start_ind = random.randint(0, neg_size - half)
        sample_neg = neg_tensor[neg_start_ind:(neg_start_ind + half)]
    return torch.cat([sample_pos, sample_neg], 0)


def unpack_random_indices(data, subsample):
    """Random rows with replacement from each half (deep_sdf/data.py unpack_sdf_samples)."""
    pos_tensor, neg_tensor = data
    half = int(subsample / 2)
    random_pos = (torch.rand(half) * pos_tensor.shape[0]).long()
    random_neg = (torch.rand(half) * neg_tensor.shape[0]).long()
    return torch.cat([torch.index_select(pos_tensor, 0, random_pos),
                      torch.index_select(neg_tensor, 0, random_neg)], 0)


def load_decoder_weights(decoder, path):
    """A state dict, or DeepSDF's checkpoint {"epoch", "model_state_dict"} (DataParallel's
    "module." prefixes removed)."""
    state = torch.load(path, map_location="cpu")
    if isinstance(state, dict) and "model_state_dict" in state:
        state = state["model_state_dict"]
    state = {(k[7:] if k.startswith("module.") else k): v for k, v in state.items()}
    decoder.load_state_dict(state)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--npz", required=True, help="one SdfSamples npz (pos, neg: N x 4)")
    parser.add_argument("--iterations", type=int, default=800,
                        help="iterations run (warm-up included); the benchmark may run fewer")
    parser.add_argument("--schedule-iterations", type=int, default=800,
                        help="DeepSDF's iteration count: the lr drops x0.1 at half of it, and "
                        "seconds per shape are extrapolated to it")
    parser.add_argument("--warmup", type=int, default=3,
                        help="untimed first iterations (the first one runs the decoder twice)")
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--decoder-weights", help="a .pt/.pth state dict (default: random init; "
                        "the cost of an iteration does not depend on the weights)")
    parser.add_argument("--no-decoder-grad", action="store_true",
                        help="requires_grad False on the decoder (not DeepSDF: the waste removed)")
    parser.add_argument("--sampling", choices=["block", "indices"], default="block",
                        help="block: unpack_sdf_samples_from_ram (DeepSDF); indices: random rows")
    parser.add_argument("--num-samples", type=int, default=8000)
    parser.add_argument("--lr", type=float, default=5e-3)
    parser.add_argument("--code-std", type=float, default=0.01)
    parser.add_argument("--clamp", type=float, default=0.1)
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    add_decoder_args(parser)
    args = parser.parse_args()
    if args.warmup >= args.iterations:
        sys.exit("--warmup must be smaller than --iterations")

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    np.random.seed(args.seed)

    decoder = make_decoder(args)
    if args.decoder_weights:
        load_decoder_weights(decoder, args.decoder_weights)
    if args.no_decoder_grad:
        for p in decoder.parameters():
            p.requires_grad_(False)

    t_read = time.perf_counter()
    data_sdf = read_sdf_samples_into_ram(args.npz)
    data_sdf[0] = data_sdf[0][torch.randperm(data_sdf[0].shape[0])]
    data_sdf[1] = data_sdf[1][torch.randperm(data_sdf[1].shape[0])]
    read_s = time.perf_counter() - t_read
    nan_rows = int(torch.isnan(data_sdf[0][:, 3]).sum() + torch.isnan(data_sdf[1][:, 3]).sum())
    unpack = unpack_sdf_samples_from_ram if args.sampling == "block" else unpack_random_indices

    num_samples = args.num_samples
    clamp_dist = args.clamp
    latent_size = args.code_length
    decreased_by = 10
    adjust_lr_every = int(args.schedule_iterations / 2)
    latent = torch.ones(1, latent_size).normal_(mean=0, std=args.code_std)
    latent.requires_grad = True
    optimizer = torch.optim.Adam([latent], lr=args.lr)
    loss_l1 = torch.nn.L1Loss()

    base = {"bench": "deepsdf_reconstruct", "impl": "python", "threads": args.threads,
            "decoder_grad": not args.no_decoder_grad}
    if not args.quiet:
        print(f"deepsdf_reconstruct: {os.path.basename(args.npz)} (pos {data_sdf[0].shape[0]}, "
              f"neg {data_sdf[1].shape[0]}, {nan_rows} NaN rows), decoder {args.layers} x "
              f"{args.dims}, decoder grads {'on' if not args.no_decoder_grad else 'off'}, "
              f"{args.threads} thread(s)", file=sys.stderr)

    rows, losses = [], []
    load_before = load1()
    wall_start = time.perf_counter()
    for e in range(args.iterations):
        cpu0 = time.process_time()
        t0 = time.perf_counter()
        decoder.eval()
        sdf_data = unpack(data_sdf, num_samples)
        xyz = sdf_data[:, 0:3]
        sdf_gt = sdf_data[:, 3].unsqueeze(1)
        sdf_gt = torch.clamp(sdf_gt, -clamp_dist, clamp_dist)
        lr = args.lr * ((1 / decreased_by) ** (e // adjust_lr_every))
        for group in optimizer.param_groups:
            group["lr"] = lr
        optimizer.zero_grad()
        t1 = time.perf_counter()
        latent_inputs = latent.expand(num_samples, -1)
        inputs = torch.cat([latent_inputs, xyz], 1)
        pred_sdf = decoder(inputs)
        if e == 0:  # reconstruct.py: "TODO: why is this needed?"
            pred_sdf = decoder(inputs)
        pred_sdf = torch.clamp(pred_sdf, -clamp_dist, clamp_dist)
        loss = loss_l1(pred_sdf, sdf_gt)
        loss += 1e-4 * torch.mean(latent.pow(2))
        t2 = time.perf_counter()
        loss.backward()
        t3 = time.perf_counter()
        optimizer.step()
        loss_num = loss.cpu().data.numpy()
        t4 = time.perf_counter()
        cpu = time.process_time() - cpu0
        losses.append(float(loss_num))
        if e < args.warmup:
            continue
        row = dict(base, kind="iteration", iteration=e, seconds=t4 - t0, cpu_seconds=cpu,
                   sample_s=t1 - t0, forward_s=t2 - t1, backward_s=t3 - t2, optimizer_s=t4 - t3,
                   samples=num_samples, samples_per_s=num_samples / (t4 - t0), lr=lr,
                   loss=float(loss_num))
        rows.append(row)
        emit(row)
    load_after = load1()

    med = statistics.median(r["seconds"] for r in rows)
    total = sum(r["seconds"] for r in rows)
    phases = ("sample", "forward", "backward", "optimizer")
    summary = dict(
        base, kind="summary", **context(args),
        config={"npz": args.npz, "iterations": args.iterations, "warmup": args.warmup,
                "schedule_iterations": args.schedule_iterations, "num_samples": num_samples,
                "dims": args.dims, "layers": args.layers, "latent_in": args.latent_in,
                "code_length": latent_size, "sampling": args.sampling,
                "decoder_weights": args.decoder_weights or "random",
                "pos_rows": int(data_sdf[0].shape[0]), "neg_rows": int(data_sdf[1].shape[0]),
                "nan_rows": nan_rows},
        read_s=read_s, load1_before=load_before, load1_after=load_after,
        wall_s=time.perf_counter() - wall_start,
        seconds_per_iteration=spread([r["seconds"] for r in rows]),
        cpu_seconds_per_iteration=statistics.median(r["cpu_seconds"] for r in rows),
        samples_per_s=spread([r["samples_per_s"] for r in rows]),
        seconds_per_shape=med * args.schedule_iterations,
        phase_share={p: sum(r[p + "_s"] for r in rows) / total for p in phases},
        phase_median_s={p: statistics.median(r[p + "_s"] for r in rows) for p in phases},
        loss_first=losses[0], loss_last=losses[-1],
        loss_nan=any(l != l for l in losses),
    )
    emit(summary)
    if not args.quiet:
        ps = summary["phase_share"]
        print(f"deepsdf_reconstruct: median {med * 1000:.1f} ms/iteration over {len(rows)} "
              f"(min {summary['seconds_per_iteration']['min'] * 1000:.1f}, max "
              f"{summary['seconds_per_iteration']['max'] * 1000:.1f}); "
              f"{summary['seconds_per_shape']:.1f} s per shape at {args.schedule_iterations} "
              f"iterations; shares: sample {ps['sample']:.1%}, forward {ps['forward']:.1%}, "
              f"backward {ps['backward']:.1%}, adam {ps['optimizer']:.1%}; loss "
              f"{losses[0]:.5f} -> {losses[-1]:.5f}", file=sys.stderr)


if __name__ == "__main__":
    main()
