#!/usr/bin/env bash
# blas_variants.sh - compare BLAS libraries for LibTorch MLP training steps.
#
# Usage: tools/bench/blas_variants.sh BENCH_BINARY [OUT_DIR]
#
#   BENCH_BINARY  the built tools/bench/MlpStepBenchmark.cpp (mlp_step_benchmark)
#   OUT_DIR       where the raw log, the per-run TSV and the summary go (default /tmp)
#
# Runs the benchmark in ONE interleaved session under several libblas.so.3
# implementations, without touching the system's update-alternatives:
#
#   reference         LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/blas
#   openblas-pthread  Debian libopenblas0-pthread, extracted with dpkg -x
#   openblas-openmp   Debian libopenblas0-openmp,  extracted with dpkg -x
#
# The two OpenBLAS packages are fetched with `apt-get download` into CACHE_DIR
# (once) and unpacked there; LD_LIBRARY_PATH then points at their
# usr/lib/<triplet>/openblas-{pthread,openmp} folders, which hold libblas.so.3.
# Every run is checked to have really loaded the intended library: `ldd` under
# the same LD_LIBRARY_PATH before the session, and the benchmark's own
# "blas_libraries:" context line (from dl_iterate_phdr) for every run.
#
# Rounds are round-robin: each round runs every (size, variant) once, the
# variant order rotating from round to round, so slow drifts in machine load
# hit all variants alike.  The summary gives medians over rounds.
#
# Environment knobs:
#   ROUNDS=5            number of interleaved rounds
#   BATCH=16384         batch size of every run (the benchmark default)
#   MIN_TIME=0.5        --benchmark_min_time per run (seconds)
#   CACHE_DIR=/tmp/nsdf-blas-variants   where the .debs are downloaded/unpacked
#   REF_LARGE_BATCH=2048  batch for the *reference* BLAS on the large MLP only
#                       (its step takes ~50 s at batch 16384); 0 = no reduction.
#                       Times are always reported normalised to batch 16384.
#   CORETYPE=           if set (e.g. SkylakeX), adds openblas-*+CORETYPE variants
#                       run with OPENBLAS_CORETYPE=$CORETYPE, which overrides
#                       OpenBLAS's runtime CPU detection.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
  sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi

bench=$(readlink -f "$1")
out_dir=${2:-/tmp}
rounds=${ROUNDS:-5}
min_time=${MIN_TIME:-0.5}
cache_dir=${CACHE_DIR:-/tmp/nsdf-blas-variants}
ref_large_batch=${REF_LARGE_BATCH:-2048}
coretype=${CORETYPE:-}
full_batch=${BATCH:-16384}
triplet=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)

[[ -x $bench ]] || { echo "not an executable: $bench" >&2; exit 1; }
mkdir -p "$out_dir" "$cache_dir"

stamp=$(date +%Y%m%d-%H%M%S)
raw_log="$out_dir/blas_variants-$stamp.log"
runs_tsv="$out_dir/blas_variants-$stamp.tsv"
summary="$out_dir/blas_variants-$stamp.summary.txt"

log() { echo "$*" | tee -a "$raw_log"; }

# --- fetch and unpack the OpenBLAS packages (cached) ------------------------
openblas_root="$cache_dir/root"
for flavour in pthread openmp; do
  lib_dir="$openblas_root/usr/lib/$triplet/openblas-$flavour"
  if [[ ! -e $lib_dir/libblas.so.3 ]]; then
    if ! ls "$cache_dir"/libopenblas0-"${flavour}"_*.deb >/dev/null 2>&1; then
      (cd "$cache_dir" && apt-get download "libopenblas0-$flavour")
    fi
    dpkg -x "$(ls "$cache_dir"/libopenblas0-"${flavour}"_*.deb | head -n1)" "$openblas_root"
  fi
  [[ -e $lib_dir/libblas.so.3 ]] || { echo "no libblas.so.3 in $lib_dir" >&2; exit 1; }
done

# --- variants: name, library folder, extra environment ----------------------
variant_names=(reference openblas-pthread openblas-openmp)
variant_dirs=(
  "/usr/lib/$triplet/blas"
  "$openblas_root/usr/lib/$triplet/openblas-pthread"
  "$openblas_root/usr/lib/$triplet/openblas-openmp"
)
variant_envs=("" "" "")
if [[ -n $coretype ]]; then
  variant_names+=("openblas-pthread+$coretype" "openblas-openmp+$coretype")
  variant_dirs+=("${variant_dirs[1]}" "${variant_dirs[2]}")
  variant_envs+=("OPENBLAS_CORETYPE=$coretype" "OPENBLAS_CORETYPE=$coretype")
fi
n_variants=${#variant_names[@]}

: >"$raw_log"
log "# blas_variants.sh $stamp"
log "# binary: $bench"
log "# host: $(hostname)  nproc: $(nproc)  cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
log "# cpu family/model/stepping: $(grep -m1 'cpu family' /proc/cpuinfo | cut -d: -f2 | tr -d ' ')/$(grep -m1 '^model[[:space:]]' /proc/cpuinfo | cut -d: -f2 | tr -d ' ')/$(grep -m1 stepping /proc/cpuinfo | cut -d: -f2 | tr -d ' ')"
log "# openblas packages: $(cd "$cache_dir" && ls libopenblas0-*.deb | tr '\n' ' ')"
log "# rounds=$rounds min_time=$min_time ref_large_batch=$ref_large_batch coretype=${coretype:-<auto>}"

# --- check that each variant resolves libblas.so.3 to its own folder --------
for ((v = 0; v < n_variants; v++)); do
  resolved=$(env LD_LIBRARY_PATH="${variant_dirs[v]}" ${variant_envs[v]} ldd "$bench" \
    | awk '$1 == "libblas.so.3" { print $3 }')
  log "# ldd ${variant_names[v]}: libblas.so.3 => $resolved"
  if [[ $(readlink -f "$(dirname "$resolved")") != $(readlink -f "${variant_dirs[v]}") ]]; then
    echo "variant ${variant_names[v]} does not resolve to ${variant_dirs[v]}" >&2
    exit 1
  fi
done

log "# uptime before: $(uptime)"
printf 'round\tvariant\tsize\tthreads\tbatch\tms_per_step\tms_per_16384\tloadavg\n' >"$runs_tsv"

# --- interleaved rounds ------------------------------------------------------
started=$(date +%s)
for ((r = 1; r <= rounds; r++)); do
  for size in small large; do
    for ((k = 0; k < n_variants; k++)); do
      v=$(((k + r - 1) % n_variants))
      name=${variant_names[v]}
      batch=$full_batch
      if [[ $name == reference && $size == large && $ref_large_batch -gt 0 ]]; then
        batch=$ref_large_batch
      fi
      load=$(cut -d' ' -f1-3 /proc/loadavg)
      log "## round $r size $size variant $name batch $batch load [$load]"
      output=$(env LD_LIBRARY_PATH="${variant_dirs[v]}" MLP_BENCH_BATCH="$batch" \
        ${variant_envs[v]} "$bench" \
        --benchmark_filter="^mlp_step/$size/" \
        --benchmark_min_time="$min_time" 2>&1)
      echo "$output" >>"$raw_log"
      loaded=$(echo "$output" | sed -n 's/^blas_libraries: //p')
      if [[ $loaded != *"${variant_dirs[v]}/libblas.so.3"* ]]; then
        echo "round $r: $name loaded '$loaded', expected ${variant_dirs[v]}" >&2
        exit 1
      fi
      # mlp_step/<size>/threads:<n>/real_time  <time> ms  <cpu> ms  <iters> ...
      echo "$output" | awk -v r="$r" -v name="$name" -v batch="$batch" \
        -v full="$full_batch" -v load="$load" '
        $1 ~ /^mlp_step\// && $3 == "ms" {
          split($1, part, "/"); sub("threads:", "", part[3])
          printf "%d\t%s\t%s\t%s\t%d\t%.3f\t%.3f\t%s\n", r, name, part[2], part[3],
                 batch, $2, $2 * full / batch, load
        }' >>"$runs_tsv"
    done
  done
  log "# round $r done after $(($(date +%s) - started)) s"
done
log "# uptime after: $(uptime)"

# --- summary: medians over rounds, ratio vs reference ------------------------
{
  echo "BLAS variants, LibTorch MLP training step (forward+backward+Adam), batch $full_batch"
  echo "median over $rounds interleaved rounds; ms per step normalised to batch $full_batch"
  echo "machine: nproc=$(nproc), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  grep -E '^# uptime' "$raw_log" | sed 's/^# //'
  echo
  printf "%-6s %-7s %-30s %12s %12s %10s %8s  %s\n" size threads variant \
    median_ms points/s vs_ref batch "min..max ms"
  tail -n +2 "$runs_tsv" | sort -t$'\t' -k2,2 -k3,3 -k4,4n -k7,7g | awk -F"\t" -v full="$full_batch" '
    { key = $3 "\t" $4 "\t" $2; vals[key] = vals[key] " " $7; batch[key] = $5
      if (!(key in seen)) { seen[key] = 1; order[++n] = key } }
    END {
      for (i = 1; i <= n; i++) {
        key = order[i]; m = split(substr(vals[key], 2), v, " ")
        med = (m % 2) ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
        split(key, f, "\t"); median[key] = med
        if (f[3] == "reference") ref[f[1] "\t" f[2]] = med
        lo[key] = v[1]; hi[key] = v[m]
      }
      for (i = 1; i <= n; i++) {
        key = order[i]; split(key, f, "\t"); r = ref[f[1] "\t" f[2]]
        printf "%-6s %-7s %-30s %12.1f %12.0f %10s %8d  %.1f..%.1f\n", f[1], f[2], f[3],
               median[key], full * 1000 / median[key],
               r ? sprintf("%.2fx", r / median[key]) : "-", batch[key], lo[key], hi[key]
      }
    }' | sort -s -k1,1r -k2,2n
  echo
  echo "vs_ref = reference median / variant median (higher is faster)."
  echo "raw log: $raw_log"
  echo "runs:    $runs_tsv"
} | tee "$summary"
