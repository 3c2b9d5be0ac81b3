#!/usr/bin/env bash
# The README's single-shape table: the `cpu` configs of IGR and PHASE on the SRB gargoyle scan
# and on 100k points sampled from the Stanford bunny, then one picture per result (input points
# | reconstruction) and a Markdown table of the numbers from each run's eval/metrics.json.
#
#   tools/bench/run_fit_table.sh [DATA_DIR] [OUT_DIR]
#
# DATA_DIR holds srb/gargoyle.ply and stanford/bun_zipper.ply (default: ../shared/data).
# JOBS=2 runs two fits at a time with one torch thread each (default: one at a time, all cores);
# RECIPES="igr" or "phase" runs only those (the table lists every run found in OUT_DIR).
set -euo pipefail
cd "$(dirname "$0")/../.."
data=${1:-../shared/data}
out=${2:-runs/fit_table}
jobs=${JOBS:-1}
nsdf=build/release/tools/nsdf
threads=0
[ "$jobs" -gt 1 ] && threads=1
mkdir -p "$out" docs/images

inputs=("gargoyle:$data/srb/gargoyle.ply" "bunny:$data/stanford/bun_zipper.ply")
read -r -a recipes <<<"${RECIPES:-igr phase}"

run_one() {  # recipe name path
  local log="$out/$1_$2.log"
  "$nsdf" run "configs/fit/$1_cpu.yaml" "experiment.input=$3" "experiment.name=$1_$2" \
    "runs_dir=$out" "num_threads=$threads" >"$log" 2>&1
}

echo "load before: $(cat /proc/loadavg)"
for recipe in "${recipes[@]}"; do
  for item in "${inputs[@]}"; do
    run_one "$recipe" "${item%%:*}" "${item#*:}" &
    while [ "$(jobs -r | wc -l)" -ge "$jobs" ]; do sleep 5; done
  done
done
wait
echo "load after: $(cat /proc/loadavg)"

echo
echo "| input | recipe | points | input -> mesh mean | % of bbox diagonal | max | watertight | time |"
echo "|---|---|---:|---:|---:|---:|---|---:|"
seconds() {  # wall time of a run: first to last line of its log.txt
  local a b
  a=$(head -1 "$1" | cut -c2-20)
  b=$(tail -1 "$1" | cut -c2-20)
  echo $(($(date -d "$b" +%s) - $(date -d "$a" +%s)))
}
for item in "${inputs[@]}"; do
  name=${item%%:*}
  for recipe in igr phase; do
    [ -d "$out/${recipe}_$name" ] || continue
    run=$(ls -d "$out/${recipe}_$name"/*/ | tail -1)
    m="$run/eval/metrics.json"
    get() { grep "\"$1\"" "$m" | sed 's/.*: \([^,]*\),\{0,1\}$/\1/'; }
    mesh=$(ls "$run"/meshes/*.ply)
    "$nsdf" render "${item#*:}" "$mesh" -o "docs/images/fit_${recipe}_$name.png" --size 320 >/dev/null
    printf "| %s | %s | %s | %.4g | %.3f%% | %.4g | %s | %.0f s |\n" "$name" "$recipe" \
      "$(get points)" "$(get input_to_mesh_mean)" \
      "$(echo "$(get input_to_mesh_mean_relative) * 100" | bc -l)" "$(get input_to_mesh_max)" \
      "$( [ "$(get mesh_watertight)" = 1 ] && echo yes || echo no)" \
      "$(seconds "$run/log.txt")"
  done
done
