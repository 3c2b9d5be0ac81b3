#!/usr/bin/env bash
# Whole-shape preprocessing time (DeepSDF's protocol: 500k samples + 30k surface points + 4 depth
# views of 256 x 256) on every chair of ../shared/data/chairs, medians of REPS runs, on all
# cores; then the same through `nsdf preprocess` (parallel over meshes). Writes the table of
# PREPROCESS.md to stdout.
#
#   tools/bench/run_preprocess_benchmarks.sh [DATA_DIR] [BUILD_DIR]
#
# Needs BUILD_DIR/tools/nsdf_bench_preprocess and BUILD_DIR/tools/nsdf from a build with
# -DNSDF_BUILD_BENCHMARKS=ON (cmake --build BUILD_DIR --target nsdf_bench_preprocess nsdf).
# Knobs: REPS=5. Record the load it prints: the 2 cores are shared.
set -euo pipefail
cd "$(dirname "$0")/../.."
data=${1:-../shared/data}
build=${2:-build/release}
reps=${REPS:-5}
bin=$build/tools/nsdf_bench_preprocess
[ -x "$bin" ] || { echo "build $bin first" >&2; exit 1; }
out=$(mktemp -d)
NSDF_BENCH_MESHES=$(ls "$data"/chairs/*.obj | sort | tr '\n' ' ')
export NSDF_BENCH_MESHES

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$bin" --benchmark_repetitions="$reps" --benchmark_report_aggregates_only=true \
  --benchmark_format=json >"$out/bench.json"
echo "load after benchmark: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$out/bench.json" <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))["benchmarks"]
med = {r["run_name"].replace("/real_time", ""): r for r in runs
       if r.get("aggregate_name") == "median"}
whole = {k.split("/", 1)[1]: v for k, v in med.items() if k.startswith("WholeShape/")}
print()
print("| chair | faces | whole shape (median, s) |")
print("|---|---:|---:|")
for name in sorted(whole):
    r = whole[name]
    print(f"| {name} | {int(r['faces'])} | {r['real_time'] / 1000:.2f} |")
times = [r["real_time"] / 1000 for r in whole.values()]
print(f"\n{len(times)} chairs: median {sorted(times)[len(times) // 2]:.2f} s, "
      f"max {max(times):.2f} s per chair (target < 3 s; DeepSDF ~60 s)")
for k, v in sorted(med.items()):
    if not k.startswith("WholeShape/"):
        print(f"{k}: {v['real_time'] / 1000:.3f} s")
PY

cfg="$out/chairs.yaml"
cat >"$cfg" <<YAML
preprocess:
  output: $out/chairs.h5
  source: {type: folder, root: $(cd "$data/chairs" && pwd), extensions: [obj]}
YAML
start=$(date +%s.%N)
$build/tools/nsdf preprocess "$cfg" | tail -1
end=$(date +%s.%N)
echo "nsdf preprocess, all chairs, parallel over meshes: $(echo "$end - $start" | bc) s wall"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -rf "$out"
