"""Tables of a DeepSDF benchmark session (run_deepsdf_benchmarks.sh): RESULTS_DIR/results.jsonl
holds the lines of deepsdf_train_step.py / deepsdf_reconstruct.py ("impl": "python") and of
nsdf_run_rows.py ("impl": "nsdf"). One row per implementation, thread count (and, for the
reconstruction, decoder gradients and shapes per batch); medians over every measured step of
every round; ratios against DeepSDF's Python at the same thread count (> 1: faster).

Usage: deepsdf_summary.py RESULTS_DIR
"""
import json
import statistics
import sys
from collections import defaultdict

out = sys.argv[1]
rows = [json.loads(l) for l in open(f"{out}/results.jsonl") if l.strip()]
med = statistics.median
steps, summaries = defaultdict(list), defaultdict(list)
for r in rows:
    key = (r["bench"], r["impl"], r["threads"], r.get("decoder_grad", True), r.get("shapes", 1))
    (summaries if r["kind"] == "summary" else steps)[key].append(r)


def pct(rs, phase):
    if any(phase + "_s" not in r for r in rs):
        return "-"
    total = sum(r["seconds"] for r in rs)
    return f"{100 * sum(r[phase + '_s'] for r in rs) / total:.0f}%"


def loads(k):
    return ", ".join(f"{s['load1_before']:.2f}" for s in summaries[k])


def order(k):
    return (k[0], k[2], k[1] != "python", not k[3], k[4])


def seconds(k):
    return med(r["seconds"] for r in steps[k])


train = sorted((k for k in steps if k[0] == "deepsdf_train_step"), key=order)
if train:
    py_keys = [k for k in train if k[1] == "python"]
    c = summaries[py_keys[0]][0]["config"] if py_keys else {}
    spp = summaries[train[0]][0]["samples_per_step"]
    print(f"## Training step (DeepSDF train_deep_sdf.py, specs.json): {spp:,} samples per step "
          f"({c.get('scenes_per_batch', '?')} shapes x {c.get('samples_per_scene', '?')}), decoder "
          f"{c.get('layers', 8)} x {c.get('dims', 512)}, dropout 0.2, weight norm, code "
          f"{c.get('code_length', 256)}\n")
    print("| impl | threads | steps | samples/s (median) | min..max | s/step | load | forward | "
          "backward | Adam | impl/python (samples/s) | 1-min load before |")
    print("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---|")
    for k in train:
        rs = steps[k]
        py = ("deepsdf_train_step", "python", k[2], True, 1)
        ratio = f"**{seconds(py) / seconds(k):.2f}x**" if py in steps and k[1] != "python" else "-"
        sps = [r["samples_per_s"] for r in rs]
        print(f"| {k[1]} | {k[2]} | {len(rs)} | {med(sps):,.0f} | {min(sps):,.0f}..{max(sps):,.0f} | "
              f"{seconds(k):.2f} | {pct(rs, 'load')} | {pct(rs, 'forward')} | "
              f"{pct(rs, 'backward')} | {pct(rs, 'optimizer')} | {ratio} | {loads(k)} |")
    print("\nPhases (Python only): shares of the summed wall time of the measured steps. load = "
          "DataLoader (np.load of every npz every step, NaN removal, sampling, collate); forward "
          "= code lookup, decoder, clamp, loss; backward includes loss.item(); Adam = "
          "optimizer.step(). nsdf's rows time its whole `train` loop step (batch from the "
          "read-ahead loader, forward, backward, Adam, metrics line).\n")

recon = sorted((k for k in steps if k[0] == "deepsdf_reconstruct"), key=order)
if recon:
    py_keys = [k for k in recon if k[1] == "python"]
    c = summaries[py_keys[0]][0]["config"] if py_keys else {}
    iters = c.get("schedule_iterations", 800)
    print(f"## Reconstruction (DeepSDF reconstruct.py): {c.get('num_samples', 8000)} samples per "
          f"shape and iteration, decoder {c.get('layers', 8)} x {c.get('dims', 512)}, "
          f"{iters} iterations per shape\n")
    print(f"| impl | threads | decoder grads | shapes per batch | iterations | s/iteration "
          f"(median) | s/shape at {iters} it. | shapes/hour | vs Python (DeepSDF, per shape) | "
          f"vs Python without decoder grads | 1-min load before |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for k in recon:
        rs = steps[k]
        per_shape = seconds(k) * iters / k[4]
        cells = []
        for grads in (True, False):
            py = ("deepsdf_reconstruct", "python", k[2], grads, 1)
            if py in steps and py != k:
                cells.append(f"**{seconds(py) * iters / per_shape:.2f}x**" if grads
                             else f"{seconds(py) * iters / per_shape:.2f}x")
            else:
                cells.append("-")
        print(f"| {k[1]} | {k[2]} | {'yes' if k[3] else 'no'} | {k[4]} | {len(rs)} | "
              f"{seconds(k):.3f} | {per_shape:,.0f} | {3600 / per_shape:,.1f} | {cells[0]} | "
              f"{cells[1]} | {loads(k)} |")
    print("\nDecoder grads yes = DeepSDF as published (the decoder's parameters require grad, so "
          "every backward computes and accumulates 1.8M unused gradients); no = Python with "
          "--no-decoder-grad, and nsdf (its decoder is frozen). A batch of K shapes optimizes K "
          "codes in one step, each on its own shape's samples: s/shape = s/iteration x "
          "iterations / K.\n")

cores = sorted({(s["impl"], s.get("blas_core") or "?", s.get("torch") or "?")
                for v in summaries.values() for s in v})
print("BLAS kernels / torch per implementation: " +
      "; ".join(f"{i}: {b}, torch {t}" for i, b, t in cores) + "\n")
