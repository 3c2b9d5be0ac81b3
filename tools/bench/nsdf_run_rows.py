"""nsdf's side of the DeepSDF benchmarks: the metrics.jsonl of an `nsdf run` folder as the JSON
lines deepsdf_train_step.py / deepsdf_reconstruct.py print (same keys, "impl": "nsdf"), so that
deepsdf_summary.py puts both in one table.

nsdf's train and reconstruct experiments write one metrics line per step with "time", the
seconds since the loop started (log_every: 1), so a step's wall time is the difference of two
consecutive lines; the first `--warmup` steps are dropped as on the Python side. nsdf has no
per-phase timers in its loop: the phase columns stay empty for its rows.

Usage: nsdf_run_rows.py RUN_DIR --bench deepsdf_train_step|deepsdf_reconstruct --threads T
         --warmup W --samples-per-step N [--shapes K] [--load1-before L] [--impl nsdf]
"""
import argparse
import json
import statistics
import sys

p = argparse.ArgumentParser()
p.add_argument("run")
p.add_argument("--bench", required=True)
p.add_argument("--impl", default="nsdf")
p.add_argument("--threads", type=int, required=True)
p.add_argument("--warmup", type=int, default=1)
p.add_argument("--samples-per-step", type=int, required=True,
               help="rows of one step (all shapes of the batch together)")
p.add_argument("--shapes", type=int, default=1, help="shapes per step (reconstruction batch)")
p.add_argument("--load1-before", type=float, default=float("nan"))
p.add_argument("--blas-core", default="")
p.add_argument("--torch", default="")
p.add_argument("--config", default="{}", help="JSON merged into the summary's config")
a = p.parse_args()

lines = [json.loads(l) for l in open(f"{a.run}/metrics.jsonl") if l.strip()]
lines = [l for l in lines if "time" in l and "step" in l]
if len(lines) <= a.warmup:
    sys.exit(f"{a.run}/metrics.jsonl: {len(lines)} steps, not more than the {a.warmup} of warm-up")
train = a.bench == "deepsdf_train_step"
base = {"bench": a.bench, "impl": a.impl, "threads": a.threads}
if not train:
    base["decoder_grad"] = False  # nsdf's reconstruction never computes decoder gradients
    base["shapes"] = a.shapes
rows = []
previous = 0.0
for l in lines:
    seconds = l["time"] - previous
    previous = l["time"]
    if l["step"] <= a.warmup:
        continue
    row = dict(base, kind="step" if train else "iteration", step=l["step"], seconds=seconds,
               samples=a.samples_per_step, samples_per_s=a.samples_per_step / seconds,
               loss=l.get("loss"))
    rows.append(row)
    print(json.dumps(row))
med = statistics.median(r["seconds"] for r in rows)
config = {"shapes": a.shapes, "run": a.run}
config.update(json.loads(a.config))
summary = dict(base, kind="summary", config=config, load1_before=a.load1_before,
               blas_core=a.blas_core, torch=a.torch, samples_per_step=a.samples_per_step,
               seconds_per_step={"median": med, "min": min(r["seconds"] for r in rows),
                                 "max": max(r["seconds"] for r in rows)})
print(json.dumps(summary))
print(f"{a.impl} {a.bench} t{a.threads} x{a.shapes}: median {med:.3f} s per step over "
      f"{len(rows)}, {a.samples_per_step / med:,.0f} samples/s", file=sys.stderr)
