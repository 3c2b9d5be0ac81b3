#!/usr/bin/env bash
# The Python reference side of the DeepSDF benchmarks: DeepSDF's training step
# (deepsdf_train_step.py) and its per-shape latent fit (deepsdf_reconstruct.py, with the decoder
# gradients DeepSDF computes and without them), at each torch thread count, on a DeepSDF data
# folder. Records the machine, the load before every run and `uptime` around the session
# (lib.sh), and writes one JSON line per measured step / iteration plus a summary line per run.
#
# Usage: tools/bench/run_deepsdf_benchmarks.sh [options] [OUT_DIR]
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
#   --batch K             shapes of nsdf's batched reconstruction (default 8; generated shapes
#                         of the synthetic dataset: the cost of an iteration does not depend on
#                         the shapes)
#   --recon-warmup N      untimed first iterations (default 3)
#   --recon-npz FILE      shape to fit (default the first SdfSamples npz in sorted order)
#   --decoder-weights F   decoder state dict for the reconstruction (default random weights)
# Environment: PYTHON=/usr/bin/python3 (Debian's python3-torch; a pyenv python3 has no torch).
#   OPENBLAS_CORETYPE: when unset it is chosen as nsdf chooses it (framework/core/Blas.cpp): only
#   when OpenBLAS falls back to Prescott, SkylakeX with avx512f+avx512bw, else Haswell with avx2;
#   so that this side runs the kernels nsdf's side will run. Each summary line reports them.
#
# Outputs in OUT_DIR: <run>.jsonl (rows) and <run>.err (progress), results.jsonl (every row of
# every run), nsdf_runs/ (nsdf's run folders), context.txt, load.tsv, uptime_before.txt,
# uptime_after.txt, summary.md (also printed; regenerate with
# `python3 tools/bench/deepsdf_summary.py OUT_DIR`).
# Defaults take about 15 minutes on the 2-core development machine (a Python training step of
# 5 x 16384 samples is ~25 s on one thread, a reconstruction iteration ~1-1.5 s).
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
nsdf="$repo/build/release/tools/nsdf"
only=""
batch=8
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
    --nsdf) nsdf=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    *) out=$1; shift ;;
  esac
done
out="${out:-$repo/runs/bench/deepsdf/$(date +%Y%m%d-%H%M%S)}"

"$py" -c 'import torch, numpy' 2>/dev/null ||
  { echo "error: $py cannot import torch and numpy (apt-get install python3-torch)" >&2; exit 1; }
[[ -d "$data/SdfSamples" ]] || { echo "error: $data/SdfSamples not found" >&2; exit 1; }
if [[ -z "$recon_npz" ]]; then
  recon_npz="$(find "$data/SdfSamples" -name '*.npz' | LC_ALL=C sort | head -n1)"
fi
[[ -f "$recon_npz" ]] || { echo "error: no npz to reconstruct" >&2; exit 1; }
[[ "$only" == python || -x "$nsdf" ]] ||
  { echo "error: $nsdf not found (tools/dev.sh build, or --nsdf PATH)" >&2; exit 1; }
recon_id="${recon_npz#"$data"/SdfSamples/}"
recon_id="${recon_id%.npz}"

# shellcheck source=lib.sh
source "$here/lib.sh"
choose_openblas_coretype "$py" bench_blas

mkdir -p "$out"
bench_start_load_log "$out/load.tsv"
{
  machine_context
  echo "python: $("$py" -c 'import sys, torch, numpy; print(sys.executable, sys.version.split()[0], "torch", torch.__version__, "numpy", numpy.__version__)')"
  echo "OPENBLAS_CORETYPE: ${OPENBLAS_CORETYPE:-(unset)}"
  echo "git: $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "data: $data"
  echo "recon_npz: $recon_npz"
  echo "decoder_weights: ${decoder_weights:-random}"
  [[ "$only" == python ]] || echo "nsdf: $("$nsdf" --version 2>&1 | tr "\n" " ")"
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

# nsdf's runs: `nsdf run` with log_every 1 (a metrics line per step, with the seconds since the
# loop began), converted to the rows above by nsdf_run_rows.py.
nsdf_rows() {  # NAME RUN_DIR ROWS_ARGS...
  local name=$1 dir=$2
  shift 2
  python3 "$here/nsdf_run_rows.py" "$dir" --load1-before "$(cut -d' ' -f1 /proc/loadavg)" \
    --blas-core "$("$nsdf" --version 2>&1 | sed -n 's/^BLAS: //p')" \
    --torch "$("$nsdf" --version 2>&1 | sed -n 's/.*LibTorch \([^,]*\),.*/\1/p')" "$@" \
    >"$out/$name.jsonl" 2>>"$out/$name.err" ||
    { echo "error: $name: no rows, see $out/$name.err" >&2; exit 1; }
  cat "$out/$name.jsonl" >>"$out/results.jsonl"
  tail -n1 "$out/$name.err"
}
nsdf_run() {  # NAME ARGS...: runs nsdf, prints its run folder
  local name=$1
  shift
  "$nsdf" run "$@" runs_dir="$out/nsdf_runs" device=cpu 2>"$out/$name.err" ||
    { echo "error: $name failed, see $out/$name.err" >&2; tail -5 "$out/$name.err" >&2; exit 1; }
}
if [[ "$only" != python ]]; then
  n_npz=$(find "$data/SdfSamples" -name '*.npz' | wc -l)
  spp=$((scenes_per_batch < n_npz ? scenes_per_batch : n_npz))
  echo "== nsdf model for the reconstructions (one epoch of configs/deepsdf/planes.yaml)"
  model=$(nsdf_run setup_model "$repo/configs/deepsdf/planes.yaml" data.root="$data" \
    experiment.epochs=1 experiment.name=model experiment.samples_per_shape=1024)
fi

recon_opts=(--npz "$recon_npz" --iterations "$recon_iters" --warmup "$recon_warmup")
[[ -n "$decoder_weights" ]] && recon_opts+=(--decoder-weights "$decoder_weights")
for round in $(seq 1 "$rounds"); do
  runs=()
  for t in $threads_list; do
    [[ "$only" == nsdf ]] || runs+=("train t$t" "recon_grad t$t" "recon_nograd t$t")
    [[ "$only" == python ]] || runs+=("nsdf_train t$t" "nsdf_recon1 t$t" "nsdf_recon$batch t$t")
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
      nsdf_train)
        name="r${round}_nsdf_train_t$t"
        note_load "$name"
        echo "== $name: nsdf run configs/deepsdf/planes.yaml, $((train_warmup + train_steps)) epochs"
        dir=$(nsdf_run "$name" "$repo/configs/deepsdf/planes.yaml" data.root="$data" \
          num_threads="$t" seed="$round" experiment.name="$name" \
          experiment.epochs=$((train_warmup + train_steps)) experiment.checkpoint_every=100000 \
          experiment.shapes_per_batch="$scenes_per_batch" \
          experiment.samples_per_shape="$samples_per_scene")
        nsdf_rows "$name" "$dir" --bench deepsdf_train_step --threads "$t" \
          --warmup "$train_warmup" --samples-per-step $((spp * samples_per_scene)) ;;
      nsdf_recon*)
        k=${kind#nsdf_recon}
        name="r${round}_nsdf_recon${k}_t$t"
        note_load "$name"
        echo "== $name: nsdf run configs/deepsdf/reconstruct.yaml, $k shape(s) per batch"
        if ((k == 1)); then
          shapes=(data.root="$data" "experiment.shapes=[$recon_id]")
        else
          shapes=(data.type=synthetic data.shapes="$k" data.samples=40000)
        fi
        dir=$(nsdf_run "$name" "$repo/configs/deepsdf/reconstruct.yaml" experiment.model="$model" \
          "${shapes[@]}" num_threads="$t" seed="$round" experiment.name="$name" \
          experiment.iterations="$recon_iters" experiment.shapes_per_batch="$k" \
          experiment.log_every=1 experiment.checkpoint_every=100000 \
          experiment.mesh_resolution=0 experiment.compare_training=false)
        nsdf_rows "$name" "$dir" --bench deepsdf_reconstruct --threads "$t" --shapes "$k" \
          --warmup "$recon_warmup" --samples-per-step $((k * 8000)) ;;
    esac
  done
done
uptime | tee "$out/uptime_after.txt"
echo "session wall time: ${SECONDS} s" | tee -a "$out/context.txt"


{
  python3 "$here/deepsdf_summary.py" "$out"
  PYTHON=$py load_summary "$out" "OPENBLAS_CORETYPE ${OPENBLAS_CORETYPE:-(unset)}"
} | tee "$out/summary.md"
echo "results: $out"
