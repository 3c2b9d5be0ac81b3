#!/usr/bin/env bash
# One IGR training step, nsdf (C++, explicit gradient) against Python PyTorch written the way the
# official IGR code does it, in one session: interleaved rounds, medians, load recorded around
# every run, ratios printed at the end. See tools/bench/IGR_STEP.md.
#
# Usage: tools/bench/run_igr_step_benchmarks.sh [build_dir] [out_dir]
#   build_dir  holds tools/nsdf_bench_igr_step (default build/release)
#   out_dir    where igr_step-<stamp>.{log,tsv,summary.txt} go (default /tmp/igr_step_results)
# Environment:
#   ROUNDS=5             interleaved rounds (the order of the implementations rotates)
#   THREADS="1 2"        torch thread counts (both sides use the same)
#   SIZES="small large"  problem sizes (IgrStepBenchmark.cpp / igr_step.py)
#   NORMALS="1 0"        with normals (grad f on every row) / without
#   STEPS_SMALL=10 STEPS_LARGE=2   timed steps per run (after one untimed step)
#   LR=1e-6              Adam's learning rate on both sides (IGR's 0.005 throws the untrained
#                        network off and makes the timed steps trajectory-dependent: IGR_STEP.md)
#   FLUSH_DENORMAL=0     1: both sides flush subnormals (torch.set_flush_denormal(True) /
#                        at::globalContext().setFlushDenormal(true)); the official code does not
#   EXTRA=1              also run nsdf through autograd (Decoder's default) and, without
#                        normals, Python without the unused surface gradient (--lean)
#   PYTHON=/usr/bin/python3 (Debian's python3-torch: the same LibTorch and OpenBLAS as nsdf)
#   OPENBLAS_CORETYPE    exported to both sides. When unset it is chosen as nsdf chooses it
#                        (framework/core/Blas.cpp): only when OpenBLAS falls back to Prescott,
#                        SkylakeX with avx512f+avx512bw, else Haswell with avx2. Both sides then
#                        run the same kernels; every run reports the kernels it loaded.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="${1:-$here/../../build/release}"
out="${2:-/tmp/igr_step_results}"
bench="$build/tools/nsdf_bench_igr_step"
py="${PYTHON:-/usr/bin/python3}"
script="$here/igr_step.py"
rounds="${ROUNDS:-5}"
threads_list="${THREADS:-1 2}"
sizes="${SIZES:-small large}"
normals_list="${NORMALS:-1 0}"
extra="${EXTRA:-1}"
lr="${LR:-1e-6}"
flush="${FLUSH_DENORMAL:-0}"
[[ -x "$bench" ]] || { echo "error: $bench not found (build target nsdf_bench_igr_step)" >&2; exit 1; }
mkdir -p "$out"
stamp="$(date +%Y%m%d-%H%M%S)"
log="$out/igr_step-$stamp.log"
tsv="$out/igr_step-$stamp.tsv"
summary="$out/igr_step-$stamp.summary.txt"

# shellcheck source=lib.sh
source "$here/lib.sh"
choose_openblas_coretype "$py" bench_blas

{
  echo "# igr_step session $stamp"
  echo "host: $(uname -n), nproc $(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
  echo "torch (python): $("$py" -c 'import torch; print(torch.__version__)')"
  echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-(unset)}"
  echo "uptime before: $(uptime)"
  echo "rounds $rounds, threads '$threads_list', sizes '$sizes', normals '$normals_list', extra $extra"
  echo "lr $lr, flush_denormal $flush"
} | tee "$log"
printf 'round\tsize\tnormals\tthreads\timpl\tms_per_step\tcpu_ms_per_step\tload1_before\tload1_after\tblas_core\n' >"$tsv"

load1() { cut -d' ' -f1 /proc/loadavg; }

# run_one round size normals threads impl
run_one() {
  local round=$1 size=$2 normals=$3 threads=$4 impl=$5 steps ms cpu core before after raw
  steps=$([[ $size == large ]] && echo "${STEPS_LARGE:-2}" || echo "${STEPS_SMALL:-10}")
  before="$(load1)"
  case $impl in
    nsdf|nsdf_autograd)
      local nrm path
      nrm=$([[ $normals == 1 ]] && echo normals || echo no_normals)
      path=$([[ $impl == nsdf ]] && echo explicit || echo autograd)
      raw="$(NSDF_BENCH_STEPS=$steps NSDF_BENCH_LR=$lr NSDF_BENCH_FLUSH_DENORMAL=$flush \
               "$bench" --benchmark_format=json \
               --benchmark_filter="^igr_step/$size/$nrm/$path/threads:$threads/" 2>>"$log")"
      read -r ms cpu core < <("$py" -c '
import json, sys
d = json.load(sys.stdin)
b = d["benchmarks"][0]
assert b["time_unit"] == "ms", b["time_unit"]
print(b["real_time"], b["cpu_time"], d["context"].get("blas_core", "?"))' <<<"$raw")
      ;;
    python|python_lean)
      local opts=(--lr "$lr")
      [[ $impl == python_lean ]] && opts+=(--lean)
      [[ $flush == 1 ]] && opts+=(--flush-denormal)
      raw="$("$py" "$script" --size "$size" --normals "$normals" --threads "$threads" \
               --steps "$steps" "${opts[@]}" 2>>"$log")"
      read -r ms cpu core < <("$py" -c '
import json, sys
d = json.loads(sys.stdin.read())
print(d["ms_per_step"], d["cpu_ms_per_step"], d["blas_core"])' <<<"$raw")
      ;;
  esac
  after="$(load1)"
  printf '%s\t%s\t%s\t%s\t%s\t%.1f\t%.1f\t%s\t%s\t%s\n' "$round" "$size" "$normals" "$threads" \
    "$impl" "$ms" "$cpu" "$before" "$after" "$core" | tee -a "$tsv" >>"$log"
  printf 'round %s %-5s normals=%s threads=%s %-13s %9.1f ms/step (cpu %9.1f)  load %s -> %s  (%s)\n' \
    "$round" "$size" "$normals" "$threads" "$impl" "$ms" "$cpu" "$before" "$after" "$core"
}

start=$SECONDS
for round in $(seq 1 "$rounds"); do
  for size in $sizes; do
    for normals in $normals_list; do
      for threads in $threads_list; do
        impls=(nsdf python)
        if [[ $extra == 1 ]]; then
          impls+=(nsdf_autograd)
          [[ $normals == 0 ]] && impls+=(python_lean)
        fi
        # Rotate the order every round so that neither side always runs first.
        n=${#impls[@]}
        for k in $(seq 0 $((n - 1))); do
          run_one "$round" "$size" "$normals" "$threads" "${impls[$(((k + round) % n))]}"
        done
      done
    done
  done
done
{
  echo "uptime after: $(uptime)"
  echo "session wall time: $((SECONDS - start)) s"
} | tee -a "$log"

"$py" - "$tsv" <<'EOF' | tee "$summary"
import csv, statistics, sys
from collections import defaultdict

rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
times = defaultdict(list)
cpu = defaultdict(list)
loads = []
cores = set()
for r in rows:
    key = (r["size"], r["normals"], r["threads"], r["impl"])
    times[key].append(float(r["ms_per_step"]))
    cpu[key].append(float(r["cpu_ms_per_step"]))
    loads += [float(r["load1_before"]), float(r["load1_after"])]
    cores.add(r["impl"].split("_")[0] + ":" + r["blas_core"])
print("BLAS kernels per side:", ", ".join(sorted(cores)))
print("1-min load around the runs: min %.2f, median %.2f, max %.2f" %
      (min(loads), statistics.median(loads), max(loads)))
print()
print("median wall ms/step over rounds (min..max); ratio = other / nsdf (> 1: nsdf faster);")
print("cpu: median process CPU ms/step (all threads) and its ratio")
hdr = "%-5s %-7s %-3s %-13s %10s %19s %8s %10s %9s"
print(hdr % ("size", "normals", "thr", "impl", "median", "min..max", "ratio", "cpu", "cpu ratio"))
for key in sorted({k[:3] for k in times}, key=lambda k: (k[0] != "large", k[1] != "1", k[2])):
    base = statistics.median(times[key + ("nsdf",)]) if times.get(key + ("nsdf",)) else None
    cpu_base = statistics.median(cpu[key + ("nsdf",)]) if cpu.get(key + ("nsdf",)) else None
    for impl in ("nsdf", "python", "nsdf_autograd", "python_lean"):
        t = times.get(key + (impl,))
        if not t:
            continue
        med = statistics.median(t)
        ratio = "%.2fx" % (med / base) if base else "-"
        cmed = statistics.median(cpu[key + (impl,)])
        cratio = "%.2fx" % (cmed / cpu_base) if cpu_base else "-"
        print(hdr % (key[0], "yes" if key[1] == "1" else "no", key[2], impl, "%.1f" % med,
                     "%.1f..%.1f" % (min(t), max(t)), ratio, "%.1f" % cmed, cratio))
EOF
echo "raw: $tsv, log: $log"
