#!/usr/bin/env bash
# The README's shape-space results on the real data of ../shared/data (not part of the project),
# with the commands a user would type, then the README's tables and pictures
# (shape_space_report.py):
#   planes  DeepSDF's npz folder used in place: train configs/deepsdf/planes_cpu.yaml on the 5
#           planes
#   chairs  nsdf preprocess (16 train / 4 test chairs, splits/chairs_*.json) -> train
#           configs/deepsdf/chairs_cpu.yaml -> reconstruct the 4 test chairs (nearest training
#           chair beside each) -> interpolate two training chairs
#   faust   IGR's shape space on point clouds of FAUST bodies: train configs/igr/dfaust_cpu.yaml
#           on people 0-6 (70 bodies) -> reconstruct person 7's 10 poses -> interpolate between
#           two people (same pose) and two poses (same person)
#   samba   the same for one body: 11 frames of a performance to train, the 10 between them
#           to reconstruct
# The IGR reconstructions run shortened for a CPU (200 iterations of 4000 points per shape
# instead of 800 x 8000, meshes at 128^3): see the overrides below.
#
# Usage: tools/bench/run_shape_spaces.sh [--data DIR] [--only "planes chairs faust samba"]
#                                        [--report-only] [OUT]
#   OUT             runs, sample files and pictures (default runs/shape_spaces under the
#                   repository): OUT/<run name>/<id>/, OUT/images/, OUT/summary.md
#   --data DIR      the shared data folder (default ../shared/data next to the repository)
#   --report-only   only the tables and pictures, from the runs already in OUT
# About 1.5-2 hours on the 2-core development machine (each training at most ~30 minutes).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
data="$(cd "$repo/.." && pwd)/shared/data"
only="planes chairs faust samba"
report_only=0
out=""
while (($#)); do
  case $1 in
    --data) data=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --report-only) report_only=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    *) out=$1; shift ;;
  esac
done
out="$(mkdir -p "${out:-$repo/runs/shape_spaces}" && cd "${out:-$repo/runs/shape_spaces}" && pwd)"
nsdf="${NSDF:-$repo/build/release/tools/nsdf}"
[[ -x "$nsdf" ]] || { echo "error: $nsdf not found (tools/dev.sh build)" >&2; exit 1; }
cd "$repo"

# run NAME ARGS...: `nsdf run ARGS` into OUT, timed; prints the run folder
run() {
  local name=$1 start=$SECONDS dir
  shift
  echo "== $name: nsdf run $*" >&2
  dir=$("$nsdf" run "$@" runs_dir="$out" 2>>"$out/$name.log")
  echo "   $dir ($((SECONDS - start)) s)" >&2
  echo "$dir"
}

if ((!report_only)); then
  for set in $only; do
    case $set in
      planes)
        run planes configs/deepsdf/planes_cpu.yaml data.root="$data/shapenet_planes" >/dev/null ;;
      chairs)
        "$nsdf" preprocess configs/preprocess/chairs.yaml preprocess.source.root="$data" \
          preprocess.output="$out/chairs_train.h5"
        "$nsdf" preprocess configs/preprocess/chairs.yaml preprocess.source.root="$data" \
          preprocess.source.split=splits/chairs_test.json preprocess.output="$out/chairs_test.h5" \
          preprocess.preset=test
        model=$(run chairs_train configs/deepsdf/chairs_cpu.yaml data.type=sdf_samples \
          data.file="$out/chairs_train.h5")
        run chairs_reconstruct configs/deepsdf/reconstruct.yaml experiment.model="$model" \
          data.type=sdf_samples data.file="$out/chairs_test.h5" \
          experiment.name=deepsdf_chairs_reconstruct >/dev/null
        run chairs_interpolate configs/deepsdf/interpolate.yaml experiment.model="$model" \
          "experiment.shapes=[nsdf_shared/chairs/ChairArms1,nsdf_shared/chairs/ChairNoArms1]" experiment.steps=5 \
          experiment.name=deepsdf_chairs_interpolate >/dev/null ;;
      faust|samba)
        if [[ $set == faust ]]; then
          root="$data/faust" ids="[faust/tr_reg_010,faust/tr_reg_000,faust/tr_reg_003]"
          longer=()
        else  # 11 frames: more epochs for as many steps
          root="$data/humans" ids="[samba/samba_mesh_0000,samba/samba_mesh_0160]"
          longer=(experiment.epochs=400 schedule.every=160)
        fi
        model=$(run ${set}_train configs/igr/dfaust_cpu.yaml data.root="$root" \
          data.split=splits/${set}_train.json experiment.name=igr_${set}_cpu "${longer[@]}")
        run ${set}_reconstruct configs/igr/reconstruct.yaml experiment.model="$model" \
          data.type=point_clouds data.root="$root" data.split=splits/${set}_test.json \
          experiment.name=igr_${set}_reconstruct experiment.iterations=200 \
          experiment.samples_per_shape=4000 experiment.shapes_per_batch=10 \
          experiment.mesh_resolution=128 >/dev/null
        run ${set}_interpolate configs/deepsdf/interpolate.yaml experiment.model="$model" \
          "experiment.shapes=$ids" experiment.steps=5 experiment.mesh_bound=1.3 \
          experiment.name=igr_${set}_interpolate >/dev/null ;;
      *) echo "unknown set '$set'" >&2; exit 2 ;;
    esac
  done
fi
python3 "$here/shape_space_report.py" --runs "$out" --data "$data" --nsdf "$nsdf" \
  --images "$out/images" | tee "$out/summary.md"
