#!/usr/bin/env bash
# Shape completion on real data and its speed (the README's completion table):
#   1. the 4 test chairs of ../shared/data/chairs, each completed from its rendered depth view 0
#      with a trained chairs shape space (configs/deepsdf/complete.yaml), beside the full-
#      observation reconstruction and the nearest training chair;
#   2. seconds per completed shape over the file's shapes: one observation per batch against
#      `--batch` observations per batch (the batched throughput), at the config's settings with
#      --iterations (no meshes).
# Needs a chairs train run and test sample file (tools/bench/run_shape_spaces.sh --only chairs
# makes both). The load average is recorded beside each timing (the 2 cores are shared).
#
# Usage: tools/bench/run_completion.sh --model TRAIN_RUN_DIR --data chairs_test.h5
#          [--inits N] [--iterations N] [--batch N] [--skip-table] [OUT]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
model="" data="" inits=2 iterations=800 batch=4 table=1 out=""
while (($#)); do
  case $1 in
    --model) model=$2; shift 2 ;;
    --data) data=$2; shift 2 ;;
    --inits) inits=$2; shift 2 ;;
    --iterations) iterations=$2; shift 2 ;;
    --batch) batch=$2; shift 2 ;;
    --skip-table) table=0; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    *) out=$1; shift ;;
  esac
done
[[ -n $model && -n $data ]] || { echo "--model and --data are required (see --help)" >&2; exit 2; }
out=${out:-$repo/runs/completion}
nsdf="$repo/build/release/tools/nsdf"
mkdir -p "$out"
common=(configs/deepsdf/complete.yaml "experiment.model=$model" data.type=sdf_samples
        "data.file=$data" "experiment.views=[0]" "experiment.inits=$inits" "runs_dir=$out")
cd "$repo"
latest() { ls -d "$out/$1"/*/ | tail -1; }
if ((table)); then
  "$nsdf" run "${common[@]}" experiment.name=chairs_complete
  echo "completion: $(latest chairs_complete)"
fi
seconds() {  # mean `seconds` column of a run
  python3 -c "import csv,sys; r=list(csv.DictReader(open(sys.argv[1]))); print(sum(float(x['seconds']) for x in r)/len(r))" "$1/eval/per_shape.csv"
}
for per in 1 "$batch"; do
  load=$(cut -d' ' -f1 /proc/loadavg)
  "$nsdf" run "${common[@]}" "experiment.iterations=$iterations" experiment.mesh_resolution=0 \
    "experiment.observations_per_batch=$per" experiment.name="speed_batch$per" > "$out/speed_batch$per.log" 2>&1
  echo "observations per batch $per: $(seconds "$(latest "speed_batch$per")") s per shape" \
       "($iterations iterations, $inits inits; load before $load)"
done | tee "$out/speed.txt"
