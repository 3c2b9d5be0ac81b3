#!/usr/bin/env bash
# Data-parallel training on this machine: the DeepSDF training step as one process (1 and 2
# torch threads) and as 2 ranks of one thread each (`nsdf launch --nproc 2`, c10d Gloo over
# loopback), for a small network (quickstart: 4 x 128, 4 shapes x 1024 samples per step) and
# the published size (8 x 512, latent 256, dropout 0.2, weight norm; 8 shapes x 4096 samples
# per step), on the quickstart's 16 synthetic shapes (no downloaded data). Runs are interleaved
# and repeated; the summary gives medians of seconds per optimizer step (metrics.jsonl "time",
# first epoch dropped), the 2-rank speedups as ratios, and the share of a 2-rank step spent in
# communication (the ranks' log line: time in all-reduces and broadcasts over the loop's time).
#
#   tools/bench/run_data_parallel.sh [--repeats 3] [--out runs/bench/data_parallel/<session>]
#
# Writes OUT/summary.md (and every run folder under OUT/runs).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$root/tools/bench/lib.sh"
nsdf="${NSDF:-$root/build/release/tools/nsdf}"
repeats=3
out="$root/runs/bench/data_parallel/$(date +%Y%m%d-%H%M%S)"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --repeats) repeats=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$out/runs"
machine_context > "$out/context.txt"
uptime > "$out/uptime_before.txt"
bench_start_load_log "$out/load.tsv"

config="$root/configs/quickstart.yaml"
common=(experiment.mesh_resolution=0 experiment.checkpoint_every=1000 'eval=[]')
small=(experiment.epochs=6 experiment.shapes_per_batch=4 experiment.samples_per_shape=1024)
published=(experiment.epochs=3 experiment.shapes_per_batch=8 experiment.samples_per_shape=4096
  'model.dims=[512,512,512,512,512,512,512,512]' 'model.latent_in=[4]' model.dropout=0.2
  latent.size=256)

for rep in $(seq 1 "$repeats"); do
  for net in small published; do
    declare -n net_args="$net"
    for mode in 1proc_1thread 1proc_2threads 2ranks_1thread; do
      dir="$out/runs/${net}_${mode}_$rep"
      note_load "${net}_${mode}_$rep"
      case "$mode" in
        1proc_1thread) cmd=("$nsdf" run "$config" num_threads=1) ;;
        1proc_2threads) cmd=("$nsdf" run "$config" num_threads=2) ;;
        2ranks_1thread) cmd=("$nsdf" launch --nproc 2 -- run "$config" num_threads=1) ;;
      esac
      "${cmd[@]}" "${common[@]}" "${net_args[@]}" --dir "$dir" > "$dir.out" 2>&1
      echo "$(date +%T) $net $mode $rep done"
    done
  done
done
uptime > "$out/uptime_after.txt"

python3 - "$out" <<'PYEOF' > "$out/summary.md"
import glob, json, os, re, statistics, sys
out = sys.argv[1]
def step_seconds(run):
    lines = [json.loads(l) for l in open(f"{run}/metrics.jsonl")]
    cfg = open(f"{run}/config.yaml").read()
    spb = int(re.search(r"shapes_per_batch: (\d+)", cfg).group(1))
    steps_per_epoch = -(-16 // spb)
    # From the end of epoch 1 to the end: drops the first epoch (warm-up).
    return (lines[-1]["time"] - lines[0]["time"]) / ((len(lines) - 1) * steps_per_epoch)
def comm_share(run):
    m = re.search(r"communication ([\d.]+) s of ([\d.]+) s \(([\d.]+)%\), (\d+) floats",
                  open(f"{run}/log.txt").read())
    return (float(m.group(3)), int(m.group(4))) if m else (float("nan"), 0)
rows = {}
for run in sorted(glob.glob(f"{out}/runs/*_[0-9]*")):
    if not os.path.isdir(run): continue
    net, mode = re.match(r"(small|published)_(.*)_\d+$", os.path.basename(run)).groups()
    rows.setdefault((net, mode), []).append(run)
print("# Data-parallel DeepSDF training step on this machine\n")
print(open(f"{out}/context.txt").read().replace("\n", "  \n"))
print("| network | rows per step | 1 process, 1 thread | 1 process, 2 threads | 2 ranks x 1 thread "
      "| 2 ranks vs 1 thread | 2 ranks vs 2 threads | communication share (2 ranks) | floats all-reduced per step |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for net, rows_per_step in (("small", "4 x 1024"), ("published", "8 x 4096")):
    med = {m: statistics.median(step_seconds(r) for r in rows[(net, m)])
           for m in ("1proc_1thread", "1proc_2threads", "2ranks_1thread")}
    comm = [comm_share(r) for r in rows[(net, "2ranks_1thread")]]
    share = statistics.median(c[0] for c in comm)
    label = "4 x 128 (quickstart)" if net == "small" else "8 x 512, latent 256 (DeepSDF)"
    print(f"| {label} | {rows_per_step} | {med['1proc_1thread']:.4f} s | {med['1proc_2threads']:.4f} s "
          f"| {med['2ranks_1thread']:.4f} s | **{med['1proc_1thread'] / med['2ranks_1thread']:.2f}x** "
          f"| **{med['1proc_2threads'] / med['2ranks_1thread']:.2f}x** | {share:.1f}% | {comm[0][1]:,} |")
print(f"\nSeconds per optimizer step: medians over {len(rows[('small', '1proc_1thread')])} interleaved "
      "repeats of each configuration; the first epoch of each run is dropped.\n")
PYEOF
load_summary "$out" >> "$out/summary.md"
cat "$out/summary.md"
