#!/usr/bin/env bash
# Builds the libFuzzer targets for the PLY, OBJ and NPY/NPZ readers with clang and ASan + UBSan,
# writes their seed corpora, and runs each for a bounded time. Exits non-zero, naming the saved
# input, when any target finds a crash, a sanitizer report, a leak, a timeout or an allocation
# beyond the limits; prints one summary line per target otherwise.
#
#   tests/fuzz/run_fuzzers.sh [SECONDS_PER_TARGET]   (default 30; 0 only replays seeds + corpus)
#
# Environment: NSDF_FUZZ_BUILD_DIR (default <repo>/build/fuzz), NSDF_FUZZ_CXX (default clang++-14,
# else clang++), NSDF_FUZZ_TARGETS (default "ply obj npy"), NSDF_FUZZ_KEEP_GOING=1 (save each
# finding and go on fuzzing instead of stopping at the first). The corpus each run grows is kept
# in the build folder and replayed by the next run; seeds are rewritten every time.
set -euo pipefail

seconds="${1:-30}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]]; then
  echo "usage: $0 [SECONDS_PER_TARGET]  (a whole number; got '$seconds')" >&2
  exit 2
fi

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
build="${NSDF_FUZZ_BUILD_DIR:-$repo/build/fuzz}"
targets=(${NSDF_FUZZ_TARGETS:-ply obj npy})

cxx="${NSDF_FUZZ_CXX:-}"
if [[ -z "$cxx" ]]; then
  for candidate in clang++-14 clang++; do
    if command -v "$candidate" > /dev/null; then
      cxx="$candidate"
      break
    fi
  done
fi
if [[ -z "$cxx" ]] || ! command -v "$cxx" > /dev/null; then
  echo "run_fuzzers.sh: no clang++ found (apt-get install clang-14 libclang-rt-14-dev)" >&2
  exit 2
fi
if ! command -v ninja > /dev/null; then
  echo "run_fuzzers.sh: ninja not found (apt-get install ninja-build)" >&2
  exit 2
fi

# The reader sources the targets need; a target links them all (they are small).
sources=(
  core/Error.cpp
  core/Files.cpp
  geometry/MeshIo.cpp
  geometry/Npy.cpp
  geometry/ObjIo.cpp
  geometry/OffIo.cpp
  geometry/PlyIo.cpp
  geometry/RangeGrid.cpp
  geometry/TextScan.cpp
  geometry/XyzIo.cpp
  geometry/Zip.cpp
)
declare -A target_source=([ply]=PlyFuzzer [obj]=ObjFuzzer [npy]=NpyFuzzer)
for t in "${targets[@]}"; do
  if [[ -z "${target_source[$t]:-}" ]]; then
    echo "run_fuzzers.sh: unknown target '$t' in NSDF_FUZZ_TARGETS (valid: ply obj npy)" >&2
    exit 2
  fi
done

# --- build: a generated ninja file, so reruns only recompile what changed ----------------------
mkdir -p "$build"
ninja_file="$build/build.ninja.tmp"
{
  echo "cxx = $cxx"
  echo "flags = -std=c++17 -O1 -g -fno-omit-frame-pointer" \
    "-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined" \
    "-Wall -Wextra -I$repo/framework -I$repo/tests"
  echo "rule cxx"
  echo "  command = \$cxx \$flags -MMD -MF \$out.d -c \$in -o \$out"
  echo "  depfile = \$out.d"
  echo "  deps = gcc"
  echo "  description = CXX \$out"
  echo "rule link"
  echo "  command = \$cxx \$flags \$in -o \$out -lfmt -lz"
  echo "  description = LINK \$out"
  objects=()
  for s in "${sources[@]}"; do
    o="obj/${s%.cpp}.o"
    objects+=("$o")
    echo "build $o: cxx $repo/framework/$s"
  done
  for t in "${targets[@]}"; do
    echo "build obj/fuzz/${target_source[$t]}.o: cxx $repo/tests/fuzz/${target_source[$t]}.cpp"
    echo "build ${t}_fuzzer: link obj/fuzz/${target_source[$t]}.o ${objects[*]}"
  done
} > "$ninja_file"
# Rewrite only when it changed, so ninja does not see a new file on every run.
if ! cmp -s "$ninja_file" "$build/build.ninja"; then
  mv "$ninja_file" "$build/build.ninja"
else
  rm -f "$ninja_file"
fi
echo "== building fuzz targets in $build ($cxx)"
if ! ninja -C "$build" -j "$(nproc 2> /dev/null || echo 2)" > "$build/build.log" 2>&1; then
  cat "$build/build.log" >&2
  echo "run_fuzzers.sh: build failed (log: $build/build.log)" >&2
  exit 2
fi

# --- dictionaries: the keywords libFuzzer cannot guess byte by byte ----------------------------
write_dict() {
  local file="$1"
  shift
  printf '%s\n' "$@" > "$file"
}
mkdir -p "$build/dict"
write_dict "$build/dict/ply.dict" '"ply"' '"format"' '"ascii"' '"binary_little_endian"' \
  '"binary_big_endian"' '"1.0"' '"comment"' '"obj_info"' '"element"' '"property"' '"list"' \
  '"end_header"' '"vertex"' '"face"' '"range_grid"' '"vertex_indices"' '"vertex_index"' \
  '"x"' '"y"' '"z"' '"nx"' '"ny"' '"nz"' '"char"' '"uchar"' '"short"' '"ushort"' '"int"' \
  '"uint"' '"float"' '"double"' '"int8"' '"uint8"' '"int16"' '"uint16"' '"int32"' '"uint32"' \
  '"float32"' '"float64"' '"\x0a"' '"\x0d\x0a"' '"nan"' '"inf"' '"1e39"' '"-2147483648"'
write_dict "$build/dict/obj.dict" '"v "' '"vn "' '"vt "' '"f "' '"/"' '"//"' '"#"' '"o "' \
  '"g "' '"s "' '"usemtl "' '"mtllib "' '"l "' '"-1"' '"\x0a"' '"\x0d\x0a"' '"nan"' '"inf"' \
  '"1e39"' '"1e-45"' '"2147483648"' '"-9223372036854775808"'
write_dict "$build/dict/npy.dict" '"\x93NUMPY"' '"\x01\x00"' '"\x02\x00"' '"\x03\x00"' \
  '"'"'descr'"'"'"' '"'"'fortran_order'"'"'"' '"'"'shape'"'"'"' '"True"' '"False"' '"None"' \
  '"<f4"' '">f8"' '"<f2"' '"|b1"' '"<i8"' '">u2"' '"|u1"' '"=i4"' '"()"' '"(0,)"' \
  '"PK\x03\x04"' '"PK\x01\x02"' '"PK\x05\x06"' '"PK\x06\x06"' '"PK\x06\x07"' '"\x01\x00"' \
  '"\xff\xff\xff\xff"' '"\xff\xff"' '".npy"' '"\x08\x00"' '"\x14\x00"' '"\x2d\x00"'

# --- run ----------------------------------------------------------------------------------------
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
# Keep going: fork mode, where a finding is saved and fuzzing goes on, so that one known bug does
# not hide the next (costs some speed: the child restarts after each finding).
keep_going=()
if [[ "${NSDF_FUZZ_KEEP_GOING:-0}" != 0 ]]; then
  keep_going=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
fi
failed=()
summaries=()
for t in "${targets[@]}"; do
  seeds="$build/seeds/$t"
  corpus="$build/corpus/$t"
  artifacts="$build/artifacts/$t"
  log="$build/logs/$t.log"
  stamp="$build/logs/$t.started"
  rm -rf "$seeds"
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  if ! NSDF_FUZZ_WRITE_SEEDS="$seeds" "$build/${t}_fuzzer" > "$log" 2>&1; then
    cat "$log" >&2
    echo "run_fuzzers.sh: $t: writing the seeds failed" >&2
    exit 2
  fi
  if [[ "$seconds" -eq 0 ]]; then
    limit=(-runs=0)
    echo "== $t: replaying seeds and corpus"
  else
    limit=(-max_total_time="$seconds")
    echo "== $t: fuzzing for $seconds s"
  fi
  touch "$stamp"
  status=0
  "$build/${t}_fuzzer" "${limit[@]}" "${keep_going[@]}" -rss_limit_mb=1024 -malloc_limit_mb=512 \
    -timeout=10 -dict="$build/dict/$t.dict" -artifact_prefix="$artifacts/" -print_final_stats=1 \
    "$corpus" "$seeds" > "$log" 2>&1 || status=$?

  # Executions: the final stats, or in fork mode the last "#N: cov: ..." status line.
  runs="$(awk '/^stat::number_of_executed_units:/ {n = $2} END {print n}' "$log")"
  if [[ -z "$runs" ]]; then
    runs="$(grep -oE '^#[0-9]+: cov:' "$log" | tail -1 | tr -dc '0-9')"
  fi
  cov="$(grep -oE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -1)"
  mapfile -t found < <(find "$artifacts" -type f -newer "$stamp" | sort)
  if [[ "$status" -ne 0 || "${#found[@]}" -ne 0 ]]; then
    echo "FINDING $t (exit $status), log $log:" >&2
    # One line per distinct problem, with how often it was hit.
    grep -E '^SUMMARY: |runtime error|nsdf fuzz finding|terminate called|^==[0-9]+==ERROR' "$log" |
      sed -E 's/^==[0-9]+==//' | sort | uniq -c | sort -rn | head -20 >&2 || true
    for f in "${found[@]}"; do echo "  input: $f" >&2; done
    [[ "${#found[@]}" -eq 0 ]] && echo "  input: none saved (see the log)" >&2
    echo "  replay one: $build/${t}_fuzzer <input>" >&2
    failed+=("$t")
    summaries+=("$t: FINDING, ${#found[@]} input(s) saved under $artifacts, ${runs:-?} executions")
  else
    if [[ "$seconds" -eq 0 ]]; then
      summaries+=("$t: ok, replayed ${runs:-?} inputs, ${cov:-cov: ?}")
    else
      rate="?"
      if [[ -n "$runs" ]]; then rate="$((runs / seconds))"; fi
      summaries+=("$t: ok, ${runs:-?} executions in ${seconds} s (${rate}/s), ${cov:-cov: ?}")
    fi
  fi
done

echo "== summary (corpus in $build/corpus)"
printf '%s\n' "${summaries[@]}"
if [[ "${#failed[@]}" -ne 0 ]]; then
  echo "run_fuzzers.sh: findings in: ${failed[*]} (inputs under $build/artifacts)" >&2
  exit 1
fi
