#!/usr/bin/python3
"""DeepSDF's training step in Python PyTorch, timed: the reference side of nsdf's DeepSDF benchmark.

What of facebookresearch/DeepSDF it reproduces (our own code, written after reading theirs):

* networks/deep_sdf_decoder.py, Decoder, with the published specs.json (examples/*/specs.json):
  dims 8 x 512, dropout 0.2 after the ReLU of every hidden layer, weight norm on every layer
  (torch.nn.utils.weight_norm), latent_in [4] (the input [latent, xyz] concatenated again to
  the input of layer 4; layer 3 outputs 512 - (latent + 3)), xyz_in_all false, use_tanh false,
  latent_dropout false, and the final tanh that forward() always applies (self.th).
* train_deep_sdf.py: codes as nn.Embedding(num_scenes, 256, max_norm=CodeBound 1.0) initialised
  N(0, CodeInitStdDev 1.0 / sqrt(256)); Adam with two parameter groups (decoder 5e-4, codes
  1e-3; step schedules x0.5 every 500 epochs, set at the start of each epoch); per step
  zero_grad, lat_vecs(indices) for every sample, decoder(cat([codes, xyz])), prediction and
  target clamped to +-ClampingDistance 0.1, L1Loss(reduction="sum") / num_samples, plus
  CodeRegularizationLambda 1e-4 * min(1, epoch / 100) * sum ||z|| / num_samples (the norm of
  each sample's code row, i.e. the mean ||z||, not squared), backward, loss.item(), Adam step.
  batch_split 1 (the default; --batch-split splits the batch as train_deep_sdf.py does).
* deep_sdf/data.py: SDFSamples(load_ram=False) in a torch DataLoader (shuffle, drop_last,
  batch_size ScenesPerBatch): for every scene of every batch, np.load the npz
  (SdfSamples/<dataset>/<class>/<id>.npz), remove rows whose SDF is NaN from `pos` and `neg`,
  draw SamplesPerScene / 2 rows from each with replacement ((torch.rand(half) * n).long(),
  index_select), concatenate; the default collate stacks the scenes. No caching: the files
  are read and decompressed again every step (unpack_sdf_samples).

Not reproduced: CUDA (this is the CPU path), DataParallel (one device: a no-op wrapper),
checkpoints and logs. DeepSDF's DataLoader uses DataLoaderThreads (16 in the specs) worker
processes; by default (--loader-workers 0) the loading runs in this process so that its time
can be measured; with workers the "load" phase is only the wait for the next batch.

Speed only: the learning rates are DeepSDF's, the number of steps is small. Output: one JSON
line per measured step on stdout ("kind": "step") and a last one with the medians and the
phase shares ("kind": "summary"); progress on stderr. Every line has "bench",
"impl": "python" and "threads", so that nsdf's side can print the same keys.

Example: /usr/bin/python3 tools/bench/deepsdf_train_step.py \
           --data-root /work/shared/data/shapenet_planes --steps 3 --warmup 1 --threads 1
"""

import argparse
import glob
import json
import math
import os
import random
import resource
import statistics
import sys
import time

import numpy as np
import torch

from bench_blas import blas_core  # noqa: E402,F401  (re-exported)
import torch.nn as nn
import torch.nn.functional as F
import torch.utils.data

SDF_SAMPLES_SUBDIR = "SdfSamples"  # deep_sdf/workspace.py sdf_samples_subdir


# --- networks/deep_sdf_decoder.py ------------------------------------------------------------


class Decoder(nn.Module):
    """DeepSDF's decoder (the options the published specs use; no LayerNorm, no xyz_in_all)."""

    def __init__(self, latent_size, dims, dropout=None, dropout_prob=0.0, norm_layers=(),
                 latent_in=(), weight_norm=False):
        super().__init__()
        dims = [latent_size + 3] + list(dims) + [1]
        self.num_layers = len(dims)
        self.latent_in = tuple(latent_in)
        self.dropout = tuple(dropout) if dropout is not None else None
        self.dropout_prob = dropout_prob
        for layer in range(self.num_layers - 1):
            if layer + 1 in self.latent_in:
                out_dim = dims[layer + 1] - dims[0]
            else:
                out_dim = dims[layer + 1]
            if out_dim <= 0:
                raise ValueError(f"layer {layer} would output {out_dim} features: the width must "
                                 f"exceed latent size + 3 = {dims[0]} before a latent_in layer")
            lin = nn.Linear(dims[layer], out_dim)
            if weight_norm and layer in norm_layers:
                lin = nn.utils.weight_norm(lin)
            setattr(self, "lin" + str(layer), lin)
        self.relu = nn.ReLU()
        self.th = nn.Tanh()

    def forward(self, input):
        x = input
        for layer in range(self.num_layers - 1):
            lin = getattr(self, "lin" + str(layer))
            if layer in self.latent_in:
                x = torch.cat([x, input], 1)
            x = lin(x)
            if layer < self.num_layers - 2:
                x = self.relu(x)
                if self.dropout is not None and layer in self.dropout:
                    x = F.dropout(x, p=self.dropout_prob, training=self.training)
        return self.th(x)  # DeepSDF applies the final tanh whatever use_tanh says


def make_decoder(args):
    """The published NetworkSpecs, with the width / depth / code length of the arguments."""
    layers = list(range(args.layers))
    return Decoder(args.code_length, [args.dims] * args.layers, dropout=layers,
                   dropout_prob=args.dropout_prob, norm_layers=layers,
                   latent_in=[args.latent_in] if args.latent_in >= 0 else [],
                   weight_norm=not args.no_weight_norm)


def add_decoder_args(parser):
    g = parser.add_argument_group("decoder (defaults: DeepSDF's published specs)")
    g.add_argument("--dims", type=int, default=512, help="width of the hidden layers")
    g.add_argument("--layers", type=int, default=8, help="number of hidden layers")
    g.add_argument("--latent-in", type=int, default=4,
                   help="layer whose input gets [latent, xyz] again (-1: none)")
    g.add_argument("--code-length", type=int, default=256)
    g.add_argument("--dropout-prob", type=float, default=0.2)
    g.add_argument("--no-weight-norm", action="store_true")


# --- deep_sdf/data.py ------------------------------------------------------------------------


def get_instance_filenames(data_source, split):
    """npz paths relative to <data_source>/SdfSamples, from a split {dataset: {class: [ids]}}."""
    npzfiles = []
    for dataset in split:
        for class_name in split[dataset]:
            for instance_name in split[dataset][class_name]:
                rel = os.path.join(dataset, class_name, instance_name + ".npz")
                if not os.path.isfile(os.path.join(data_source, SDF_SAMPLES_SUBDIR, rel)):
                    print(f"warning: requested non-existent file '{rel}'", file=sys.stderr)
                npzfiles.append(rel)
    return npzfiles


def remove_nans(tensor):
    return tensor[~torch.isnan(tensor[:, 3]), :]


def unpack_sdf_samples(filename, subsample):
    npz = np.load(filename)
    pos_tensor = remove_nans(torch.from_numpy(npz["pos"]))
    neg_tensor = remove_nans(torch.from_numpy(npz["neg"]))
    half = int(subsample / 2)
    random_pos = (torch.rand(half) * pos_tensor.shape[0]).long()
    random_neg = (torch.rand(half) * neg_tensor.shape[0]).long()
    sample_pos = torch.index_select(pos_tensor, 0, random_pos)
    sample_neg = torch.index_select(neg_tensor, 0, random_neg)
    return torch.cat([sample_pos, sample_neg], 0)


class SDFSamples(torch.utils.data.Dataset):
    """SDFSamples with load_ram=False: every __getitem__ reads the file again."""

    def __init__(self, data_source, npyfiles, subsample):
        self.data_source = data_source
        self.npyfiles = npyfiles
        self.subsample = subsample

    def __len__(self):
        return len(self.npyfiles)

    def __getitem__(self, idx):
        filename = os.path.join(self.data_source, SDF_SAMPLES_SUBDIR, self.npyfiles[idx])
        return unpack_sdf_samples(filename, self.subsample), idx


# --- helpers shared with deepsdf_reconstruct.py ----------------------------------------------


def load1():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def context(args):
    """What every summary line records about the run."""
    return {
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "blas_core": blas_core(),
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE", ""),
        "seed": args.seed,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def spread(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def emit(record):
    print(json.dumps(record), flush=True)


# --- the benchmark ---------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    parser.add_argument("--data-root", required=True,
                        help="a DeepSDF data folder (holds SdfSamples/<dataset>/<class>/<id>.npz)")
    parser.add_argument("--split", help="JSON split {dataset: {class: [ids]}} (default: every "
                        "npz under SdfSamples)")
    parser.add_argument("--samples-per-scene", type=int, default=16384)
    parser.add_argument("--scenes-per-batch", type=int, default=64,
                        help="capped at the number of scenes")
    parser.add_argument("--batch-split", type=int, default=1,
                        help="train_deep_sdf.py --batch_split: sub-batches with accumulated grads")
    parser.add_argument("--steps", type=int, default=3, help="measured steps")
    parser.add_argument("--warmup", type=int, default=1, help="untimed steps before them")
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    parser.add_argument("--loader-workers", type=int, default=0,
                        help="DataLoader worker processes (DeepSDF's DataLoaderThreads; 0: load "
                        "in this process, which is what makes the load phase measurable)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--lr-decoder", type=float, default=5e-4)
    parser.add_argument("--lr-codes", type=float, default=1e-3)
    parser.add_argument("--clamp", type=float, default=0.1)
    parser.add_argument("--code-reg-lambda", type=float, default=1e-4)
    parser.add_argument("--code-bound", type=float, default=1.0)
    parser.add_argument("--code-init-std", type=float, default=1.0,
                        help="CodeInitStdDev; the std is this / sqrt(code length)")
    parser.add_argument("--save-decoder", help="save the decoder's state dict here at the end "
                        "(input for deepsdf_reconstruct.py --decoder-weights)")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    add_decoder_args(parser)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    random.seed(args.seed)
    np.random.seed(args.seed)

    if args.split:
        with open(args.split) as f:
            npyfiles = get_instance_filenames(args.data_root, json.load(f))
    else:
        root = os.path.join(args.data_root, SDF_SAMPLES_SUBDIR)
        npyfiles = sorted(os.path.relpath(p, root)
                          for p in glob.glob(os.path.join(root, "**", "*.npz"), recursive=True))
    if not npyfiles:
        sys.exit(f"no npz files under {args.data_root}/{SDF_SAMPLES_SUBDIR}")
    num_scenes = len(npyfiles)
    scene_per_batch = min(args.scenes_per_batch, num_scenes)
    num_samp_per_scene = args.samples_per_scene
    batch_split = args.batch_split
    if scene_per_batch * num_samp_per_scene % batch_split:
        sys.exit("the batch does not split evenly")

    dataset = SDFSamples(args.data_root, npyfiles, num_samp_per_scene)
    loader = torch.utils.data.DataLoader(dataset, batch_size=scene_per_batch, shuffle=True,
                                         num_workers=args.loader_workers, drop_last=True)

    decoder = make_decoder(args)
    decoder.train()
    latent_size = args.code_length
    lat_vecs = nn.Embedding(num_scenes, latent_size, max_norm=args.code_bound)
    nn.init.normal_(lat_vecs.weight.data, 0.0, args.code_init_std / math.sqrt(latent_size))
    loss_l1 = nn.L1Loss(reduction="sum")
    # StepLearningRateSchedule(initial, 500, 0.5) for both groups, set at every epoch's start.
    lr_initial = [args.lr_decoder, args.lr_codes]
    optimizer_all = torch.optim.Adam([
        {"params": decoder.parameters(), "lr": lr_initial[0]},
        {"params": lat_vecs.parameters(), "lr": lr_initial[1]},
    ])
    min_t, max_t = -args.clamp, args.clamp
    n_params = sum(p.numel() for p in decoder.parameters())

    config = {
        "samples_per_scene": num_samp_per_scene, "scenes_per_batch": scene_per_batch,
        "num_scenes": num_scenes, "batch_split": batch_split, "dims": args.dims,
        "layers": args.layers, "latent_in": args.latent_in, "code_length": latent_size,
        "dropout_prob": args.dropout_prob, "weight_norm": not args.no_weight_norm,
        "decoder_parameters": n_params, "loader_workers": args.loader_workers,
        "lr": lr_initial, "warmup": args.warmup, "steps": args.steps,
    }
    base = {"bench": "deepsdf_train_step", "impl": "python", "threads": args.threads}
    if not args.quiet:
        print(f"deepsdf_train_step: {num_scenes} scenes, {scene_per_batch} per batch x "
              f"{num_samp_per_scene} samples, decoder {args.layers} x {args.dims} "
              f"({n_params} parameters), {args.threads} thread(s)", file=sys.stderr)

    epoch = 0
    batches = iter(())

    def next_batch():
        nonlocal epoch, batches
        while True:
            try:
                return next(batches)
            except StopIteration:
                epoch += 1  # train_deep_sdf.py counts epochs from 1
                for i, group in enumerate(optimizer_all.param_groups):
                    group["lr"] = lr_initial[i] * 0.5 ** (epoch // 500)
                decoder.train()
                batches = iter(loader)

    def step():
        t0 = time.perf_counter()
        sdf_data, indices = next_batch()
        t1 = time.perf_counter()
        sdf_data = sdf_data.reshape(-1, 4)
        num_sdf_samples = sdf_data.shape[0]
        sdf_data.requires_grad = False
        xyz = sdf_data[:, 0:3]
        sdf_gt = torch.clamp(sdf_data[:, 3].unsqueeze(1), min_t, max_t)
        xyz = torch.chunk(xyz, batch_split)
        indices = torch.chunk(indices.unsqueeze(-1).repeat(1, num_samp_per_scene).view(-1),
                              batch_split)
        sdf_gt = torch.chunk(sdf_gt, batch_split)
        batch_loss = 0.0
        optimizer_all.zero_grad()
        t_fwd = t_bwd = 0.0
        for i in range(batch_split):
            ta = time.perf_counter()
            batch_vecs = lat_vecs(indices[i])
            input = torch.cat([batch_vecs, xyz[i]], dim=1)
            pred_sdf = decoder(input)
            pred_sdf = torch.clamp(pred_sdf, min_t, max_t)
            chunk_loss = loss_l1(pred_sdf, sdf_gt[i]) / num_sdf_samples
            l2_size_loss = torch.sum(torch.norm(batch_vecs, dim=1))
            reg_loss = (args.code_reg_lambda * min(1, epoch / 100) * l2_size_loss) / num_sdf_samples
            chunk_loss = chunk_loss + reg_loss
            tb = time.perf_counter()
            chunk_loss.backward()
            batch_loss += chunk_loss.item()
            tc = time.perf_counter()
            t_fwd += tb - ta
            t_bwd += tc - tb
        t2 = time.perf_counter()
        optimizer_all.step()
        t3 = time.perf_counter()
        return {"load_s": t1 - t0, "forward_s": t_fwd, "backward_s": t_bwd,
                "optimizer_s": t3 - t2, "other_s": (t2 - t1) - t_fwd - t_bwd,
                "seconds": t3 - t0, "samples": num_sdf_samples, "loss": batch_loss}

    load_before = load1()
    wall_start = time.perf_counter()
    for k in range(args.warmup):
        r = step()
        if not args.quiet:
            print(f"  warmup {k}: {r['seconds']:.3f} s, loss {r['loss']:.6f}", file=sys.stderr)
    rows = []
    for k in range(args.steps):
        cpu0 = time.process_time()
        r = step()
        r["cpu_seconds"] = time.process_time() - cpu0
        r["samples_per_s"] = r["samples"] / r["seconds"]
        row = dict(base, kind="step", step=k, epoch=epoch, **r)
        rows.append(row)
        emit(row)
        if not args.quiet:
            print(f"  step {k}: {r['seconds']:.3f} s, {r['samples_per_s']:.0f} samples/s, "
                  f"load {r['load_s']:.3f} s, fwd {r['forward_s']:.3f} s, "
                  f"bwd {r['backward_s']:.3f} s, adam {r['optimizer_s']:.3f} s, "
                  f"loss {r['loss']:.6f}", file=sys.stderr)
    load_after = load1()

    if args.save_decoder:
        torch.save(decoder.state_dict(), args.save_decoder)
    summary = dict(base, kind="summary", **context(args), config=config,
                   load1_before=load_before, load1_after=load_after,
                   wall_s=time.perf_counter() - wall_start)
    if rows:
        total = sum(r["seconds"] for r in rows)
        summary.update(
            samples_per_step=rows[0]["samples"],
            samples_per_s=spread([r["samples_per_s"] for r in rows]),
            seconds_per_step=spread([r["seconds"] for r in rows]),
            cpu_seconds_per_step=statistics.median(r["cpu_seconds"] for r in rows),
            # Shares of the summed wall time of the measured steps.
            phase_share={p: sum(r[p + "_s"] for r in rows) / total
                         for p in ("load", "forward", "backward", "optimizer", "other")},
            phase_median_s={p: statistics.median(r[p + "_s"] for r in rows)
                            for p in ("load", "forward", "backward", "optimizer", "other")},
            loss_first=rows[0]["loss"], loss_last=rows[-1]["loss"],
        )
    emit(summary)
    if not args.quiet and rows:
        ps = summary["phase_share"]
        print(f"deepsdf_train_step: median {summary['samples_per_s']['median']:.0f} samples/s, "
              f"{summary['seconds_per_step']['median']:.3f} s/step; shares: load "
              f"{ps['load']:.1%}, forward {ps['forward']:.1%}, backward {ps['backward']:.1%}, "
              f"adam {ps['optimizer']:.1%}, other {ps['other']:.1%}", file=sys.stderr)


if __name__ == "__main__":
    main()
