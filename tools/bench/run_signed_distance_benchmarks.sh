#!/usr/bin/env bash
# run_signed_distance_benchmarks.sh - nsdf signed distances vs Open3D's RaycastingScene.
#
# Usage: tools/bench/run_signed_distance_benchmarks.sh [BUILD_DIR] [OUT_DIR]
#
#   BUILD_DIR  a configured and BUILT nsdf build folder (default <repo>/build/release); this
#              script builds nothing. It needs BUILD_DIR/tools/nsdf_bench_signed_distance:
#                cmake --build BUILD_DIR --target nsdf_bench_signed_distance
#   OUT_DIR    where raw outputs and the summary go (default /tmp/nsdf-signed-distance-bench)
#
# What it runs (see SIGNED_DISTANCE.md for the results and how to read them):
#   1. nsdf_bench_signed_distance once with NSDF_BENCH_POINTS_DIR: the normalized mesh, the
#      DeepSDF-style points and nsdf's signed distances go to OUT_DIR/points as .npy.
#   2. ROUNDS rounds; each runs the nsdf benchmarks once and the Open3D script once on the same
#      points, alternating which goes first. Medians over the rounds.
#      Open3D (python3-open3d, Debian): RaycastingScene.compute_distance (unsigned) and
#      compute_signed_distance (sign by ray intersection counts), with nthreads 1 and 2, as
#      "total" (scene creation + add_triangles + the query: Embree builds its BVH then) and
#      "query" (on a scene whose BVH is already built).
#   3. Checks: nsdf's |sdf| against Open3D's unsigned distances, nsdf's signs against Open3D's.
#   The load (/proc/loadavg) is recorded before every run, `uptime` before and after all.
#
# Knobs (environment): ROUNDS=5  MIN_TIME=0.5 (--benchmark_min_time)  O3D_REPEATS=3 (timed calls
#   per Open3D measurement and round; the median is kept)  PYTHON=/usr/bin/python3
#   NSDF_BENCH_MESH (default /work/shared/data/stanford/bun_zipper.ply; never commit it)
#   NSDF_BENCH_SAMPLES=500000
#
# Outputs in OUT_DIR: nsdf_r*.json (Google Benchmark), o3d_r*.json, checks.json, load.tsv,
# uptime_before.txt, uptime_after.txt, context.txt, summary.md (also printed).

set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD_DIR=${1:-$REPO_ROOT/build/release}
OUT_DIR=${2:-/tmp/nsdf-signed-distance-bench}
ROUNDS=${ROUNDS:-5}
MIN_TIME=${MIN_TIME:-0.5}
O3D_REPEATS=${O3D_REPEATS:-3}
PYTHON=${PYTHON:-/usr/bin/python3}
export NSDF_BENCH_MESH=${NSDF_BENCH_MESH:-/work/shared/data/stanford/bun_zipper.ply}
export NSDF_BENCH_SAMPLES=${NSDF_BENCH_SAMPLES:-500000}

BIN="$BUILD_DIR/tools/nsdf_bench_signed_distance"
die() { echo "run_signed_distance_benchmarks.sh: $*" >&2; exit 1; }
[[ -x "$BIN" ]] || die "$BIN not found: build it first (cmake --build $BUILD_DIR --target nsdf_bench_signed_distance)"
[[ -f "$NSDF_BENCH_MESH" ]] || die "mesh $NSDF_BENCH_MESH not found (set NSDF_BENCH_MESH)"
have_o3d=1
"$PYTHON" -c 'import open3d, numpy' 2>/dev/null || have_o3d=0

mkdir -p "$OUT_DIR"
POINTS_DIR="$OUT_DIR/points"
# shellcheck source=lib.sh
source "$REPO_ROOT/tools/bench/lib.sh"
bench_start_load_log "$OUT_DIR/load.tsv"

{
  machine_context
  echo "binary: $BIN"
  echo "mesh: $NSDF_BENCH_MESH"
  echo "samples: $NSDF_BENCH_SAMPLES"
  if [[ $have_o3d == 1 ]]; then
    echo "python: $("$PYTHON" -c 'import sys, numpy, open3d; print(sys.version.split()[0], "numpy", numpy.__version__, "open3d", open3d.__version__)')"
  else
    echo "python: open3d not importable by $PYTHON: comparison skipped (apt-get install python3-open3d)"
  fi
  echo "settings: ROUNDS=$ROUNDS MIN_TIME=$MIN_TIME O3D_REPEATS=$O3D_REPEATS"
} > "$OUT_DIR/context.txt"
cat "$OUT_DIR/context.txt"

uptime | tee "$OUT_DIR/uptime_before.txt"
SECONDS=0

# ---- the Open3D side ----------------------------------------------------------------------------
cat > "$OUT_DIR/open3d_distance.py" <<'PYEOF'
"""Open3D RaycastingScene on the files of nsdf_bench_signed_distance.

usage: open3d_distance.py POINTS_DIR REPEATS OUT_JSON [CHECKS_JSON]
REPEATS 0 measures nothing (for the checks alone). Each measurement: one untimed warm-up call, then REPEATS timed calls; the median is kept.
"""
import json, statistics, sys, time
import numpy as np
import open3d as o3d

points_dir, repeats, out_json = sys.argv[1], int(sys.argv[2]), sys.argv[3]
checks_json = sys.argv[4] if len(sys.argv) > 4 else None
V = np.ascontiguousarray(np.load(f"{points_dir}/vertices.npy"), dtype=np.float32)
F = np.ascontiguousarray(np.load(f"{points_dir}/faces.npy"), dtype=np.uint32)
P = o3d.core.Tensor(np.ascontiguousarray(np.load(f"{points_dir}/points.npy"), dtype=np.float32))
n = P.shape[0]

def scene():
    s = o3d.t.geometry.RaycastingScene()
    s.add_triangles(o3d.core.Tensor(V), o3d.core.Tensor(F))
    return s

results = []
def measure(name, fn, **extra):
    fn()
    times, cpu = [], []
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    t = statistics.median(times)
    row = {"name": name, "real_time_ms": t * 1e3, "items_per_second": n / t,
           "min_ms": min(times) * 1e3, "max_ms": max(times) * 1e3,
           "cpu_ms": statistics.median(cpu) * 1e3}
    row.update(extra)
    results.append(row)

built = scene()
built.compute_distance(P[:1])  # Embree commits (builds) the scene on the first query
for threads in ((1, 2) if repeats > 0 else ()):
    t = f"/threads:{threads}"
    measure("o3d_total" + t, lambda: scene().compute_distance(P, nthreads=threads).numpy())
    measure("o3d_query" + t, lambda: built.compute_distance(P, nthreads=threads).numpy())
    measure("o3d_signed_query" + t,
            lambda: built.compute_signed_distance(P, nthreads=threads).numpy())

with open(out_json, "w") as f:
    json.dump({"open3d": o3d.__version__, "numpy": np.__version__, "results": results}, f,
              indent=1)

if checks_json:
    sdf = np.load(f"{points_dir}/sdf.npy").astype(np.float64)
    dist = built.compute_distance(P).numpy().astype(np.float64)
    signed = built.compute_signed_distance(P).numpy()
    diff = np.abs(np.abs(sdf) - dist)
    agree = np.mean((sdf < 0) == (signed < 0))
    with open(checks_json, "w") as f:
        json.dump({"points": int(n), "max_abs_diff_unsigned": float(diff.max()),
                   "mean_abs_diff_unsigned": float(diff.mean()),
                   "sign_agreement_with_open3d_signed": float(agree),
                   "inside_fraction_nsdf": float(np.mean(sdf < 0)),
                   "inside_fraction_open3d": float(np.mean(signed < 0))}, f, indent=1)
PYEOF

# ---- 1. data ------------------------------------------------------------------------------------
rm -rf "$POINTS_DIR"
note_load export
echo "== export: points and nsdf's signed distances to $POINTS_DIR"
NSDF_BENCH_POINTS_DIR="$POINTS_DIR" "$BIN" --benchmark_filter='^$' > "$OUT_DIR/export.txt" 2>&1
if [[ $have_o3d == 1 ]]; then
  note_load checks
  echo "== checks: nsdf vs Open3D values"
  "$PYTHON" "$OUT_DIR/open3d_distance.py" "$POINTS_DIR" 0 "$OUT_DIR/o3d_warmup.json" \
    "$OUT_DIR/checks.json" > "$OUT_DIR/checks.txt" 2>&1
fi

# ---- 2. interleaved rounds ----------------------------------------------------------------------
for ((round = 1; round <= ROUNDS; round++)); do
  order=(cpp o3d)
  ((round % 2 == 0)) && order=(o3d cpp)
  for side in "${order[@]}"; do
    if [[ $side == cpp ]]; then
      note_load "nsdf_r$round"
      echo "== nsdf_r$round"
      "$BIN" --benchmark_min_time="$MIN_TIME" --benchmark_out="$OUT_DIR/nsdf_r$round.json" \
        --benchmark_out_format=json > "$OUT_DIR/nsdf_r$round.txt" 2>&1
    elif [[ $have_o3d == 1 ]]; then
      note_load "o3d_r$round"
      echo "== o3d_r$round"
      "$PYTHON" "$OUT_DIR/open3d_distance.py" "$POINTS_DIR" "$O3D_REPEATS" \
        "$OUT_DIR/o3d_r$round.json" > "$OUT_DIR/o3d_r$round.txt" 2>&1
    fi
  done
done

uptime | tee "$OUT_DIR/uptime_after.txt"
echo "session wall time: ${SECONDS} s" | tee -a "$OUT_DIR/context.txt"

# ---- summary ------------------------------------------------------------------------------------
{
  "$PYTHON" - "$OUT_DIR" <<'PYEOF'
import glob, json, os, statistics, sys

out = sys.argv[1]
med = statistics.median

nsdf = {}
for p in sorted(glob.glob(f"{out}/nsdf_r*.json")):
    with open(p) as f:
        for b in json.load(f)["benchmarks"]:
            if b.get("run_type", "iteration") != "iteration":
                continue
            name = b["name"].replace("/real_time", "")
            assert b["time_unit"] == "ms"
            nsdf.setdefault(name, []).append(b)
o3d = {}
for p in sorted(glob.glob(f"{out}/o3d_r*.json")):
    with open(p) as f:
        for r in json.load(f)["results"]:
            o3d.setdefault(r["name"], []).append(r)

def ms(rows, key):
    return med(r[key] for r in rows) if rows else None

def fmt(v):
    return "-" if v is None else (f"{v:,.0f}" if v >= 100 else f"{v:.1f}")

def span(rows, key):
    return "-" if not rows else f"{fmt(min(r[key] for r in rows))}..{fmt(max(r[key] for r in rows))}"

n = next((k.split("/")[1] for k in nsdf if k.startswith("sdf_query/")), "?")
rounds = len(glob.glob(f"{out}/nsdf_r*.json"))
print(f"## nsdf signed distance vs Open3D (median over {rounds} interleaved rounds, {n} points)\n")
print("| what | threads | nsdf ms | Open3D ms | Open3D / nsdf | nsdf M points/s | nsdf min..max ms | Open3D min..max ms |")
print("|---|---:|---:|---:|---:|---:|---|---|")
pairs = [
    ("one shape: build + all points (nsdf signed vs Open3D unsigned)", "sdf_total/{n}", "o3d_total"),
    ("queries on a built structure (nsdf signed vs Open3D unsigned)", "sdf_query/{n}", "o3d_query"),
    ("queries (nsdf signed vs Open3D signed, ray counts)", "sdf_query/{n}", "o3d_signed_query"),
    ("queries (nsdf unsigned vs Open3D unsigned)", "unsigned_query/{n}", "o3d_query"),
]
for label, nname, oname in pairs:
    for threads in (1, 2):
        t = f"/threads:{threads}"
        a = nsdf.get(nname.format(n=n) + t, [])
        b = o3d.get(oname + t, [])
        am, bm = ms(a, "real_time"), ms(b, "real_time_ms")
        ratio = f"{bm / am:.2f}x" if am and bm else "-"
        rate = f"{med(r['items_per_second'] for r in a) / 1e6:.2f}" if a else "-"
        print(f"| {label} | {threads} | {fmt(am)} | {fmt(bm)} | {ratio} | {rate} | "
              f"{span(a, 'real_time')} | {span(b, 'real_time_ms')} |")
print("\nOpen3D / nsdf > 1: nsdf is faster.\n")

# CPU time on 1 thread: what the work costs, much less sensitive to other processes than wall
# time on a shared machine (nsdf: Google Benchmark's cpu_time, all work runs on the calling
# thread; Open3D: the process's CPU time with nthreads=1).
print("### CPU time, 1 thread (median over rounds)\n")
print("| what | nsdf CPU ms | Open3D CPU ms | Open3D / nsdf |")
print("|---|---:|---:|---:|")
for label, nname, oname in pairs:
    a = nsdf.get(nname.format(n=n) + "/threads:1", [])
    b = o3d.get(oname + "/threads:1", [])
    am = ms(a, "cpu_time")
    bm = ms(b, "cpu_ms") if b and "cpu_ms" in b[0] else None
    ratio = f"{bm / am:.2f}x" if am and bm else "-"
    print(f"| {label} | {fmt(am)} | {fmt(bm)} | {ratio} |")
print()

print("## nsdf parts (median ms)\n")
print("| benchmark | threads | median ms | M items/s | min..max ms |")
print("|---|---:|---:|---:|---|")
for name, rows in sorted(nsdf.items()):
    base, threads = name.rsplit("/threads:", 1)
    print(f"| {base} | {threads} | {fmt(ms(rows, 'real_time'))} | "
          f"{med(r['items_per_second'] for r in rows) / 1e6:.3f} | {span(rows, 'real_time')} |")
print("\nitems: points, except sdf_build (faces).\n")

if os.path.exists(f"{out}/checks.json"):
    c = json.load(open(f"{out}/checks.json"))
    print("## Values\n")
    print(f"- max | \\|nsdf sdf\\| - Open3D distance |: {c['max_abs_diff_unsigned']:.3g} "
          f"(mean {c['mean_abs_diff_unsigned']:.3g}) over {c['points']:,} points")
    print(f"- signs agreeing with Open3D's compute_signed_distance: "
          f"{100 * c['sign_agreement_with_open3d_signed']:.3f}%")
    print(f"- inside fraction: nsdf {c['inside_fraction_nsdf']:.4f}, "
          f"Open3D {c['inside_fraction_open3d']:.4f}\n")

PYEOF
  load_summary "$OUT_DIR"
} | tee "$OUT_DIR/summary.md"
