#!/usr/bin/env bash
# run_geometry_benchmarks.sh - geometry core benchmarks and the scipy cKDTree comparison.
#
# Usage: tools/bench/run_geometry_benchmarks.sh [BUILD_DIR] [OUT_DIR]
#
#   BUILD_DIR  a configured and BUILT nsdf build folder (default <repo>/build/release, the
#              `release` preset); this script builds nothing. It needs
#              BUILD_DIR/tools/nsdf_bench_geometry and, unless SKIP_EXTRACTION=1,
#              BUILD_DIR/tools/nsdf_bench_extraction:
#                cmake --build BUILD_DIR --target nsdf_bench_geometry nsdf_bench_extraction
#   OUT_DIR    where raw outputs and the summary go (default /tmp/nsdf-geometry-bench)
#
# What it runs (see GEOMETRY.md for the results and the reading of them):
#   1. parse   nsdf_bench_geometry 'parse|read_mesh' with PARSE_REPS repetitions, randomly
#              interleaved by Google Benchmark.
#   2. kd      ROUNDS rounds; each round runs nsdf_bench_geometry 'kdtree|chamfer|nearest_small'
#              once and the scipy.spatial.cKDTree script once on the SAME point files (float32
#              .npy written by the benchmark, NSDF_BENCH_POINTS_DIR), alternating which goes first.
#              Medians are taken over the rounds.
#   3. extract nsdf_bench_extraction: field throughput and dense vs sparse extraction at 256^3 of
#              the 4 x 64 MLP and of an analytic torus (EXTRACT_REPS repetitions, interleaved),
#              then the 8 x 512 MLP (sparse 256^3 and the dense/sparse 64^3 mesh check,
#              BIG_REPS repetitions).
#   The load (/proc/loadavg) is recorded before every run, `uptime` before and after all.
#
# Knobs (environment): ROUNDS=5  MIN_TIME=0.5 (seconds, --benchmark_min_time)  PARSE_REPS=5
#   EXTRACT_REPS=3  BIG_REPS=1  SCIPY_REPEATS=3 (timed calls per scipy measurement and round;
#   the median is kept)  SKIP_EXTRACTION=0  PYTHON=/usr/bin/python3
#   NSDF_BENCH_DATA=/work/shared/data  (optional: also parse bun_zipper.ply and gargoyle.ply)
#   NSDF_BENCH_TORCH_THREADS=1 (passed to the extraction benchmark)
#
# Outputs in OUT_DIR: *.json (Google Benchmark JSON / scipy results), *.txt (console output),
# load.tsv, uptime_before.txt, uptime_after.txt, context.txt, summary.md (also printed).
# Takes about 6 minutes on the 2-core development machine (see GEOMETRY.md).

set -euo pipefail

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BUILD_DIR=${1:-$REPO_ROOT/build/release}
OUT_DIR=${2:-/tmp/nsdf-geometry-bench}
ROUNDS=${ROUNDS:-5}
MIN_TIME=${MIN_TIME:-0.5}
PARSE_REPS=${PARSE_REPS:-5}
EXTRACT_REPS=${EXTRACT_REPS:-3}
BIG_REPS=${BIG_REPS:-1}
SCIPY_REPEATS=${SCIPY_REPEATS:-3}
SKIP_EXTRACTION=${SKIP_EXTRACTION:-0}
PYTHON=${PYTHON:-/usr/bin/python3}

GEO="$BUILD_DIR/tools/nsdf_bench_geometry"
EXT="$BUILD_DIR/tools/nsdf_bench_extraction"

die() { echo "run_geometry_benchmarks.sh: $*" >&2; exit 1; }
[[ -x "$GEO" ]] || die "$GEO not found: build it first (cmake --build $BUILD_DIR --target nsdf_bench_geometry nsdf_bench_extraction)"
if [[ "$SKIP_EXTRACTION" != 1 ]]; then
  [[ -x "$EXT" ]] || die "$EXT not found: build it, or set SKIP_EXTRACTION=1"
fi

mkdir -p "$OUT_DIR"
POINTS_DIR="$OUT_DIR/points"
# shellcheck source=lib.sh
source "$REPO_ROOT/tools/bench/lib.sh"
bench_start_load_log "$OUT_DIR/load.tsv"

have_scipy=1
"$PYTHON" -c 'import scipy.spatial, numpy' 2>/dev/null || have_scipy=0

{
  machine_context
  echo "build_dir: $BUILD_DIR"
  echo "geometry_binary: $GEO"
  [[ "$SKIP_EXTRACTION" == 1 ]] || echo "extraction_binary: $EXT"
  if [[ $have_scipy == 1 ]]; then
    echo "python: $("$PYTHON" -c 'import sys, numpy, scipy; print(sys.version.split()[0], "numpy", numpy.__version__, "scipy", scipy.__version__)')"
  else
    echo "python: scipy not importable by $PYTHON: comparison skipped (apt-get install python3-scipy)"
  fi
  echo "settings: ROUNDS=$ROUNDS MIN_TIME=$MIN_TIME PARSE_REPS=$PARSE_REPS EXTRACT_REPS=$EXTRACT_REPS BIG_REPS=$BIG_REPS SCIPY_REPEATS=$SCIPY_REPEATS"
  echo "NSDF_BENCH_DATA: ${NSDF_BENCH_DATA:-(unset)}"
  echo "OPENBLAS_CORETYPE: ${OPENBLAS_CORETYPE:-(unset)}"
} > "$OUT_DIR/context.txt"
cat "$OUT_DIR/context.txt"

uptime | tee "$OUT_DIR/uptime_before.txt"
SECONDS=0

# run_bench STEP BINARY ARGS... : console to STEP.txt, JSON to STEP.json
run_bench() {
  local step=$1 bin=$2
  shift 2
  note_load "$step"
  echo "== $step: $(basename "$bin") $*"
  "$bin" "$@" --benchmark_out="$OUT_DIR/$step.json" --benchmark_out_format=json \
    > "$OUT_DIR/$step.txt" 2>&1
}

# ---- the scipy side ---------------------------------------------------------------------------
cat > "$OUT_DIR/scipy_kdtree.py" <<'PYEOF'
"""scipy.spatial.cKDTree on the point files of nsdf_bench_geometry (same names as its benchmarks).

usage: scipy_kdtree.py POINTS_DIR REPEATS OUT_JSON
Each measurement: one untimed warm-up call, then REPEATS timed calls; the median is kept.
Points are loaded from float32 .npy and converted to float64 (what cKDTree works in) before
timing. Defaults of cKDTree (leafsize 16, balanced, compact) as a user would call it.
"""
import json, statistics, sys, time
import numpy as np
import scipy
from scipy.spatial import cKDTree

points_dir, repeats, out_json = sys.argv[1], int(sys.argv[2]), sys.argv[3]
load = lambda name: np.ascontiguousarray(np.load(f"{points_dir}/{name}.npy"), dtype=np.float64)
tree_100k, tree_1M, queries = load("tree_100k"), load("tree_1M"), load("queries_100k")
pred, gt = load("chamfer_pred"), load("chamfer_gt")

results = []
def measure(name, fn, items, **extra):
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t0)
    t = statistics.median(times)
    row = {"name": name, "real_time_ms": t * 1e3, "items_per_second": items / t,
           "min_ms": min(times) * 1e3, "max_ms": max(times) * 1e3}
    row.update(extra)
    if isinstance(value, float):
        row["value"] = value
    results.append(row)

t100k, t1M = cKDTree(tree_100k), cKDTree(tree_1M)

def chamfer(workers):
    tp, tg = cKDTree(pred), cKDTree(gt)
    d_pg, _ = tg.query(pred, k=1, workers=workers)
    d_gp, _ = tp.query(gt, k=1, workers=workers)
    return float((d_pg.mean() + d_gp.mean()) / 2)

for threads in (1, 2):
    t = f"/threads:{threads}"
    measure("kdtree_build/100k" + t, lambda: cKDTree(tree_100k), len(tree_100k))
    measure("kdtree_build/1M" + t, lambda: cKDTree(tree_1M), len(tree_1M))
    measure("kdtree_nearest/tree:100k/queries:100k" + t,
            lambda: t100k.query(queries, k=1, workers=threads), len(queries))
    measure("kdtree_nearest/tree:1M/queries:100k" + t,
            lambda: t1M.query(queries, k=1, workers=threads), len(queries))
    measure("kdtree_knn16/tree:100k/queries:100k" + t,
            lambda: t100k.query(queries, k=16, workers=threads), len(queries))
    measure("chamfer/100k_x_100k" + t, lambda: chamfer(threads), len(pred) + len(gt))

with open(out_json, "w") as f:
    json.dump({"scipy": scipy.__version__, "numpy": np.__version__, "results": results}, f,
              indent=1)
PYEOF

# ---- 1. parsing --------------------------------------------------------------------------------
run_bench parse "$GEO" --benchmark_filter='^(parse|read_mesh|parse_points)/' \
  --benchmark_repetitions="$PARSE_REPS" --benchmark_enable_random_interleaving=true \
  --benchmark_min_time="$MIN_TIME"

# ---- 2. KD-tree and Chamfer, nsdf and scipy interleaved -----------------------------------------
# The point files (and the KD-tree vs brute-force check) first.
rm -rf "$POINTS_DIR"
NSDF_BENCH_POINTS_DIR="$POINTS_DIR" run_bench points "$GEO" \
  --benchmark_filter='^nearest_small/kdtree_query/' --benchmark_min_time=0.1
for ((round = 1; round <= ROUNDS; round++)); do
  order=(cpp scipy)
  ((round % 2 == 0)) && order=(scipy cpp)
  for side in "${order[@]}"; do
    if [[ $side == cpp ]]; then
      run_bench "kd_nsdf_r$round" "$GEO" --benchmark_filter='^(kdtree|chamfer|nearest_small)' \
        --benchmark_min_time="$MIN_TIME"
    elif [[ $have_scipy == 1 ]]; then
      note_load "kd_scipy_r$round"
      echo "== kd_scipy_r$round: scipy cKDTree"
      "$PYTHON" "$OUT_DIR/scipy_kdtree.py" "$POINTS_DIR" "$SCIPY_REPEATS" \
        "$OUT_DIR/kd_scipy_r$round.json" > "$OUT_DIR/kd_scipy_r$round.txt" 2>&1
    fi
  done
done

# ---- 3. extraction --------------------------------------------------------------------------------
extract_status=0
if [[ "$SKIP_EXTRACTION" != 1 ]]; then
  run_bench extract "$EXT" --benchmark_filter='^(field/|extract/(mlp4x64|torus_sdf)/)' \
    --benchmark_repetitions="$EXTRACT_REPS" --benchmark_enable_random_interleaving=true \
    --benchmark_min_time="$MIN_TIME" || extract_status=$?
  run_bench extract_big "$EXT" --benchmark_filter='^extract/mlp8x512/' \
    --benchmark_repetitions="$BIG_REPS" || extract_status=$?
  grep -h '^mesh check' "$OUT_DIR/extract.txt" "$OUT_DIR/extract_big.txt" || true
  [[ $extract_status == 0 ]] || echo "WARNING: nsdf_bench_extraction exited with $extract_status (2 = dense and sparse meshes differ)"
fi

uptime | tee "$OUT_DIR/uptime_after.txt"
echo "session wall time: ${SECONDS} s" | tee -a "$OUT_DIR/context.txt"

# ---- summary ------------------------------------------------------------------------------------
# The BLAS kernels and torch threads of the extraction runs, for the summary's load section.
extraction_context() {
  [[ -f "$1" ]] || return 0
  "$PYTHON" - "$1" <<'PYEOF'
import json, sys
with open(sys.argv[1]) as f:
    c = json.load(f)["context"]
print(f"extraction: OpenBLAS kernels {c.get('blas_core', '?')} "
      f"(OPENBLAS_CORETYPE {c.get('OPENBLAS_CORETYPE', '?')}), "
      f"torch threads {c.get('torch_threads', '?')} unless the row says otherwise")
PYEOF
}

{
  "$PYTHON" - "$OUT_DIR" <<'PYEOF'
import glob, json, os, re, statistics, sys

out = sys.argv[1]
med = statistics.median

def gb_runs(path):
    """name -> list of per-run dicts (iteration runs only) from a Google Benchmark JSON."""
    runs = {}
    if not os.path.exists(path):
        return runs
    with open(path) as f:
        data = json.load(f)
    for b in data.get("benchmarks", []):
        if b.get("run_type") != "iteration" or b.get("error_occurred"):
            continue
        name = re.sub(r"/(iterations:\d+|real_time|repeats:\d+)", "", b["run_name"])
        scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[b["time_unit"]]
        b = dict(b, ms=b["real_time"] * scale)
        runs.setdefault(name, []).append(b)
    return runs

def merge(dicts):
    merged = {}
    for d in dicts:
        for k, v in d.items():
            merged.setdefault(k, []).extend(v)
    return merged

def fmt(x, digits=3):
    if x is None:
        return "-"
    if x >= 100:
        return f"{x:,.0f}"
    return f"{x:.{digits}g}"

def span(values):
    return f"{fmt(min(values))}..{fmt(max(values))}"

# -- parse
parse = gb_runs(f"{out}/parse.json")
if parse:
    print("## Parsing (median over repetitions)\n")
    print("| benchmark | file MB | faces | vertices | median ms | MB/s | M faces/s | min..max ms |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for name, rs in sorted(parse.items(), key=lambda kv: (not kv[0].endswith("/torus"), kv[0])):
        ms = [r["ms"] for r in rs]
        print(f"| {name} | {rs[0]['file_MB']:.1f} | {int(rs[0]['faces']):,} | "
              f"{int(rs[0]['vertices']):,} | {fmt(med(ms))} | "
              f"{med(r['bytes_per_second'] for r in rs) / 1e6:.0f} | "
              f"{med(r['items_per_second'] for r in rs) / 1e6:.2f} | {span(ms)} |")
    print("\nM faces/s: points/s for parse_points/... (a point cloud). parse = in memory; "
          "read_mesh = from the file (page cache warm) + validation.\n")

# -- kd-tree vs scipy
nsdf = merge(gb_runs(p) for p in sorted(glob.glob(f"{out}/kd_nsdf_r*.json")))
scipy_runs = {}
for p in sorted(glob.glob(f"{out}/kd_scipy_r*.json")):
    with open(p) as f:
        for r in json.load(f)["results"]:
            scipy_runs.setdefault(r["name"], []).append(r)
if nsdf:
    rounds = len(glob.glob(f"{out}/kd_nsdf_r*.json"))
    print(f"## KD-tree and Chamfer: nsdf vs scipy cKDTree (median over {rounds} interleaved rounds)\n")
    print("| benchmark | threads | nsdf ms | scipy ms | scipy/nsdf | nsdf M items/s | nsdf min..max ms | scipy min..max ms |")
    print("|---|---:|---:|---:|---:|---:|---|---|")
    for name, rs in nsdf.items():
        if name.startswith("nearest_small"):
            continue
        base, threads = name.rsplit("/threads:", 1)
        ms = [r["ms"] for r in rs]
        s = scipy_runs.get(name)
        s_ms = [r["real_time_ms"] for r in s] if s else None
        ratio = f"{med(s_ms) / med(ms):.2f}x" if s else "-"
        print(f"| {base} | {threads} | {fmt(med(ms))} | {fmt(med(s_ms)) if s else '-'} | {ratio} | "
              f"{med(r['items_per_second'] for r in rs) / 1e6:.2f} | {span(ms)} | "
              f"{span(s_ms) if s else '-'} |")
    ch = [r for n, rs in nsdf.items() if n.startswith("chamfer/") for r in rs]
    sch = [r.get("value") for n, rs in scipy_runs.items() if n.startswith("chamfer/") for r in rs]
    if ch:
        line = f"\nChamfer-L1 value: nsdf {ch[0]['chamfer_l1']:.9g}"
        if sch and sch[0] is not None:
            line += f", scipy {sch[0]:.9g}"
        print(line)
    print("\nscipy/nsdf > 1: nsdf is faster. items = points for build, queries for nearest/knn, "
          "points of both sets for chamfer.\n")
    small = {n: v for n, v in nsdf.items() if n.startswith("nearest_small")}
    if small:
        print("## 10k nearest queries on 10k points, 1 thread: brute force vs KD-tree\n")
        print("| method | median ms | M queries/s | speed-up vs brute force | matches brute force |")
        print("|---|---:|---:|---:|---|")
        brute = med(r["ms"] for r in small.get("nearest_small/brute_force/10k_x_10k/threads:1", [{"ms": float("nan")}]))
        for name, rs in small.items():
            m = med(r["ms"] for r in rs)
            ok = all(r.get("matches", 0) == 1 for r in rs)
            print(f"| {name.split('/')[1]} | {fmt(m)} | {med(r['items_per_second'] for r in rs) / 1e6:.2f} | "
                  f"{brute / m:.0f}x | {'yes' if ok else 'NO'} |")
        print()

# -- extraction
ext = merge([gb_runs(f"{out}/extract.json"), gb_runs(f"{out}/extract_big.json")])
if ext:
    print("## Extraction (median over repetitions)\n")
    print("| benchmark | torch threads | field queries | dense/sparse queries | triangles | median s | M queries/s | min..max s |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for name, rs in sorted(ext.items()):
        s = [r["ms"] / 1e3 for r in rs]
        if name.startswith("field/"):
            print(f"| {name} | {int(rs[0]['torch_threads'])} | 65,536 / call | - | - | {fmt(med(s))} | "
                  f"{med(r['items_per_second'] for r in rs) / 1e6:.3f} | {span(s)} |")
        else:
            print(f"| {name} | {int(rs[0].get('torch_threads', 0))} | {int(rs[0]['queries']):,} | "
                  f"{rs[0]['query_ratio']:.1f}x | {int(rs[0]['triangles']):,} | {fmt(med(s))} | "
                  f"{med(r['items_per_second'] for r in rs) / 1e6:.3f} | {span(s)} |")
    print("\n### Dense vs sparse\n")
    print("| field | resolution | dense s | sparse s | time ratio | query ratio | triangles dense / sparse |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for name in sorted(ext):
        m = re.match(r"extract/([^/]+)/sparse/(\d+)$", name)
        if not m:
            continue
        field, res = m.groups()
        sp = ext[name]
        sp_s = med(r["ms"] for r in sp) / 1e3
        dn = ext.get(f"extract/{field}/dense/{res}")
        if dn:
            dn_s = med(r["ms"] for r in dn) / 1e3
            tri = f"{int(dn[0]['triangles']):,} / {int(sp[0]['triangles']):,}"
            print(f"| {field} | {res}^3 | {fmt(dn_s)} | {fmt(sp_s)} | {dn_s / sp_s:.1f}x | "
                  f"{sp[0]['query_ratio']:.1f}x | {tri} |")
        else:
            # No dense run: extrapolate from the network's measured throughput, for every torch
            # thread count measured (the extraction itself ran with sp[0]['torch_threads']).
            for fname in sorted(n for n in ext if n.startswith(f"field/{field}/")):
                threads = int(ext[fname][0]["torch_threads"])
                qps = med(r["items_per_second"] for r in ext[fname])
                dn_s = sp[0]["dense_queries"] / qps
                same = threads == int(sp[0]["torch_threads"])
                print(f"| {field} | {res}^3 | ~{fmt(dn_s)} (extrapolated, {threads} torch thread(s): "
                      f"{int(sp[0]['dense_queries']):,} queries / {qps:,.0f} per s) | "
                      f"{fmt(sp_s) if same else '-'} | {f'~{dn_s / sp_s:.0f}x' if same else '-'} | "
                      f"{sp[0]['query_ratio']:.1f}x | - / {int(sp[0]['triangles']):,} |")
    checks = []
    for p in ("extract.txt", "extract_big.txt"):
        if os.path.exists(f"{out}/{p}"):
            checks += [l.strip() for l in open(f"{out}/{p}") if l.startswith("mesh check")]
    if checks:
        print("\n" + "\n".join(f"- {c}" for c in checks))
    print()

PYEOF
  load_summary "$OUT_DIR" "$(extraction_context "$OUT_DIR/extract.json")"
} | tee "$OUT_DIR/summary.md"
exit "$extract_status"
