#!/usr/bin/env bash
# The Python reference side of the DeepSDF benchmarks: DeepSDF's training step
# (deepsdf_train_step.py) and its per-shape latent fit (deepsdf_reconstruct.py, with the decoder
# gradients DeepSDF computes and without them), at each torch thread count, on a DeepSDF data
# folder. Records the machine, the load before every run and `uptime` around the session
# (lib.sh), and writes one JSON line per measured step / iteration plus a summary line per run.
#
# Usage: tools/bench/run_deepsdf_python_benchmarks.sh [options] [OUT_DIR]
#   OUT_DIR               default runs/bench/deepsdf_python/<date>-<time> (under the repository)
#   --data DIR            DeepSDF data folder (default /work/shared/data/shapenet_planes)
#   --threads "1 2"       torch thread counts
#   --rounds N            repeat everything N times, the order of the runs rotating (default 1)
#   --train-steps N       measured training steps per run (default 3)
#   --train-warmup N      untimed training steps first (default 1)
#   --samples-per-scene N (default 16384, DeepSDF's)
#   --scenes-per-batch N  (default 64, DeepSDF's; capped at the number of scenes: 5 here)
#   --recon-iters N       iterations per reconstruction run, warm-up included (default 30; the
#                         summary extrapolates the median to DeepSDF's 800)
#   --recon-warmup N      untimed first iterations (default 3)
#   --recon-npz FILE      shape to fit (default the first SdfSamples npz in sorted order)
#   --decoder-weights F   decoder state dict for the reconstruction (default random weights)
# Environment: PYTHON=/usr/bin/python3 (Debian's python3-torch; a pyenv python3 has no torch).
#   OPENBLAS_CORETYPE: when unset it is chosen as nsdf chooses it (framework/core/Blas.cpp): only
#   when OpenBLAS falls back to Prescott, SkylakeX with avx512f+avx512bw, else Haswell with avx2;
#   so that this side runs the kernels nsdf's side will run. Each summary line reports them.
#
# Outputs in OUT_DIR: <run>.jsonl (the script's stdout) and <run>.err (its progress), results.jsonl
# (every line of every run; nsdf's side can append lines with "impl": "nsdf" and the same keys,
# and summary.py then puts them side by side), context.txt, load.tsv, uptime_before.txt,
# uptime_after.txt, summary.md (also printed; regenerate with
# `$PYTHON OUT_DIR/summary.py OUT_DIR`).
# Defaults take about 5 minutes on the 2-core development machine (a full training step of
# 5 x 16384 samples is ~10-20 s on one thread, a reconstruction iteration ~1-1.5 s).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
py="${PYTHON:-/usr/bin/python3}"
data=/work/shared/data/shapenet_planes
threads_list="1 2"
rounds=1
train_steps=3
train_warmup=1
samples_per_scene=16384
scenes_per_batch=64
recon_iters=30
recon_warmup=3
recon_npz=""
decoder_weights=""
out=""
while (($#)); do
  case $1 in
    --data) data=$2; shift 2 ;;
    --threads) threads_list=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --train-steps) train_steps=$2; shift 2 ;;
    --train-warmup) train_warmup=$2; shift 2 ;;
    --samples-per-scene) samples_per_scene=$2; shift 2 ;;
    --scenes-per-batch) scenes_per_batch=$2; shift 2 ;;
    --recon-iters) recon_iters=$2; shift 2 ;;
    --recon-warmup) recon_warmup=$2; shift 2 ;;
    --recon-npz) recon_npz=$2; shift 2 ;;
    --decoder-weights) decoder_weights=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    *) out=$1; shift ;;
  esac
done
out="${out:-$repo/runs/bench/deepsdf_python/$(date +%Y%m%d-%H%M%S)}"

"$py" -c 'import torch, numpy' 2>/dev/null ||
  { echo "error: $py cannot import torch and numpy (apt-get install python3-torch)" >&2; exit 1; }
[[ -d "$data/SdfSamples" ]] || { echo "error: $data/SdfSamples not found" >&2; exit 1; }
if [[ -z "$recon_npz" ]]; then
  recon_npz="$(find "$data/SdfSamples" -name '*.npz' | LC_ALL=C sort | head -n1)"
fi
[[ -f "$recon_npz" ]] || { echo "error: no npz to reconstruct" >&2; exit 1; }

if [[ -z "${OPENBLAS_CORETYPE:-}" ]]; then
  detected="$("$py" -c "import sys; sys.path.insert(0, '$here'); import deepsdf_train_step as m; print(m.blas_core())")"
  flags="$(grep -m1 '^flags' /proc/cpuinfo)"
  if [[ "$detected" == Prescott ]]; then
    if [[ " $flags " == *" avx512f "* && " $flags " == *" avx512bw "* ]]; then
      export OPENBLAS_CORETYPE=SkylakeX
    elif [[ " $flags " == *" avx2 "* ]]; then
      export OPENBLAS_CORETYPE=Haswell
    fi
  fi
fi

mkdir -p "$out"
# shellcheck source=lib.sh
source "$here/lib.sh"
bench_start_load_log "$out/load.tsv"
{
  machine_context
  echo "python: $("$py" -c 'import sys, torch, numpy; print(sys.executable, sys.version.split()[0], "torch", torch.__version__, "numpy", numpy.__version__)')"
  echo "OPENBLAS_CORETYPE: ${OPENBLAS_CORETYPE:-(unset)}"
  echo "git: $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "data: $data"
  echo "recon_npz: $recon_npz"
  echo "decoder_weights: ${decoder_weights:-random}"
  echo "settings: threads '$threads_list' rounds $rounds train_steps $train_steps train_warmup $train_warmup samples_per_scene $samples_per_scene scenes_per_batch $scenes_per_batch recon_iters $recon_iters recon_warmup $recon_warmup"
} >"$out/context.txt"
cat "$out/context.txt"
uptime | tee "$out/uptime_before.txt"
: >"$out/results.jsonl"
SECONDS=0

# run_one NAME SCRIPT ARGS...: stdout to NAME.jsonl (and results.jsonl), stderr to NAME.err
run_one() {
  local name=$1 script=$2
  shift 2
  note_load "$name"
  echo "== $name: $(basename "$script") $*"
  "$py" "$here/$script" "$@" >"$out/$name.jsonl" 2>"$out/$name.err" ||
    { echo "error: $name failed, see $out/$name.err" >&2; tail -5 "$out/$name.err" >&2; exit 1; }
  cat "$out/$name.jsonl" >>"$out/results.jsonl"
  tail -n1 "$out/$name.err"
}

recon_opts=(--npz "$recon_npz" --iterations "$recon_iters" --warmup "$recon_warmup")
[[ -n "$decoder_weights" ]] && recon_opts+=(--decoder-weights "$decoder_weights")
for round in $(seq 1 "$rounds"); do
  runs=()
  for t in $threads_list; do
    runs+=("train t$t" "recon_grad t$t" "recon_nograd t$t")
  done
  n=${#runs[@]}
  for k in $(seq 0 $((n - 1))); do
    read -r kind tt <<<"${runs[$(((k + round - 1) % n))]}"
    t=${tt#t}
    case $kind in
      train)
        run_one "r${round}_train_t$t" deepsdf_train_step.py --data-root "$data" \
          --samples-per-scene "$samples_per_scene" --scenes-per-batch "$scenes_per_batch" \
          --steps "$train_steps" --warmup "$train_warmup" --threads "$t" --seed "$round" ;;
      recon_grad)
        run_one "r${round}_recon_grad_t$t" deepsdf_reconstruct.py "${recon_opts[@]}" \
          --threads "$t" --seed "$round" ;;
      recon_nograd)
        run_one "r${round}_recon_nograd_t$t" deepsdf_reconstruct.py "${recon_opts[@]}" \
          --threads "$t" --seed "$round" --no-decoder-grad ;;
    esac
  done
done
uptime | tee "$out/uptime_after.txt"
echo "session wall time: ${SECONDS} s" | tee -a "$out/context.txt"

cat >"$out/summary.py" <<'PYEOF'
"""Tables of results.jsonl: one row per (implementation, threads[, decoder grads]), medians over
every measured step / iteration of every round; "python/impl" = Python's median time divided by
this row's (> 1: the row is faster than DeepSDF's Python)."""
import json, statistics, sys
from collections import defaultdict

out = sys.argv[1]
rows = [json.loads(l) for l in open(f"{out}/results.jsonl") if l.strip()]
med = statistics.median
steps, summaries = defaultdict(list), defaultdict(list)
for r in rows:
    key = (r["bench"], r["impl"], r["threads"], r.get("decoder_grad", True))
    (summaries if r["kind"] == "summary" else steps)[key].append(r)


def pct(rs, phase):
    total = sum(r["seconds"] for r in rs)
    return f"{100 * sum(r[phase + '_s'] for r in rs) / total:.0f}%"


def impl_order(key):
    return (key[0], key[2], not key[3], key[1] != "python", key[1])


train = sorted((k for k in steps if k[0] == "deepsdf_train_step"), key=impl_order)
if train:
    s0 = summaries[train[0]][0]
    c = s0["config"]
    print(f"## Training step (DeepSDF train_deep_sdf.py): {c['scenes_per_batch']} scenes x "
          f"{c['samples_per_scene']} samples = {s0['samples_per_step']} samples per step, decoder "
          f"{c['layers']} x {c['dims']}, code {c['code_length']}\n")
    print("| impl | threads | steps | samples/s (median) | min..max | s/step | CPU s/step | "
          "load | forward | backward | Adam | python/impl | 1-min load before |")
    print("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for k in train:
        rs = steps[k]
        sec = med(r["seconds"] for r in rs)
        py = steps.get((k[0], "python", k[2], k[3]))
        ratio = f"{med(r['seconds'] for r in py) / sec:.2f}x" if py else "-"
        sps = [r["samples_per_s"] for r in rs]
        loads = ", ".join(f"{s['load1_before']:.2f}" for s in summaries[k])
        print(f"| {k[1]} | {k[2]} | {len(rs)} | {med(sps):,.0f} | {min(sps):,.0f}..{max(sps):,.0f} | "
              f"{sec:.2f} | {med(r['cpu_seconds'] for r in rs):.2f} | {pct(rs, 'load')} | "
              f"{pct(rs, 'forward')} | {pct(rs, 'backward')} | {pct(rs, 'optimizer')} | {ratio} | "
              f"{loads} |")
    print("\nPhases: shares of the summed wall time of the measured steps. load = DataLoader "
          "(np.load + NaN removal + sampling + collate, every step); forward = code lookup, "
          "decoder, clamp, loss; backward includes loss.item(); Adam = optimizer.step().\n")

recon = sorted((k for k in steps if k[0] == "deepsdf_reconstruct"), key=impl_order)
if recon:
    s0 = summaries[recon[0]][0]
    c = s0["config"]
    print(f"## Reconstruction of one shape (DeepSDF reconstruct.py): {c['num_samples']} samples "
          f"per iteration, decoder {c['layers']} x {c['dims']} ({c['decoder_weights']} weights), "
          f"{c['npz'].rsplit('/', 1)[-1]}\n")
    print(f"| impl | threads | decoder grads | iterations | s/iteration (median) | min..max | "
          f"CPU s/iteration | s/shape at {c['schedule_iterations']} it. | sample | forward | "
          f"backward | Adam | grads on/off | python/impl | 1-min load before |")
    print("|---|---:|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for k in recon:
        rs = steps[k]
        sec = med(r["seconds"] for r in rs)
        py = steps.get((k[0], "python", k[2], k[3]))
        ratio = f"{med(r['seconds'] for r in py) / sec:.2f}x" if py else "-"
        on, off = steps.get((k[0], k[1], k[2], True)), steps.get((k[0], k[1], k[2], False))
        waste = f"{med(r['seconds'] for r in on) / med(r['seconds'] for r in off):.2f}x" \
            if (on and off and not k[3]) else ""
        sec_all = [r["seconds"] for r in rs]
        iters = summaries[k][0]["config"]["schedule_iterations"]
        loads = ", ".join(f"{s['load1_before']:.2f}" for s in summaries[k])
        print(f"| {k[1]} | {k[2]} | {'yes' if k[3] else 'no'} | {len(rs)} | {sec:.3f} | "
              f"{min(sec_all):.3f}..{max(sec_all):.3f} | {med(r['cpu_seconds'] for r in rs):.3f} | "
              f"{sec * iters:,.0f} | {pct(rs, 'sample')} | {pct(rs, 'forward')} | "
              f"{pct(rs, 'backward')} | {pct(rs, 'optimizer')} | {waste} | {ratio} | {loads} |")
    print("\nDecoder grads yes = DeepSDF (the decoder's parameters require grad: every backward "
          "computes and accumulates their unused gradients); no = --no-decoder-grad. "
          "grads on/off = the time ratio of the two.\n")

cores = sorted({(s["impl"], s.get("blas_core", "?"), s.get("torch", "?")) for v in summaries.values() for s in v})
print("BLAS kernels / torch per implementation: " +
      "; ".join(f"{i}: {b or 'not OpenBLAS'}, torch {t}" for i, b, t in cores) + "\n")
PYEOF

{
  "$py" "$out/summary.py" "$out"
  PYTHON=$py load_summary "$out" "OPENBLAS_CORETYPE ${OPENBLAS_CORETYPE:-(unset)}"
} | tee "$out/summary.md"
echo "results: $out"
