# Shared by the tools/bench/run_*.sh scripts (source it): what every benchmark report records
# about the machine and its load, since the 2 cores are shared with other work.
#
#   bench_start_load_log FILE   start a TSV of the load before each step
#   note_load STEP              append STEP, the time and the 1- and 5-minute load to it
#   machine_context             date, host, cores and CPU model, one "key: value" per line
#   load_summary DIR [LINE...]  the "## Load" section of a summary.md, from DIR's uptime_before.txt,
#                               uptime_after.txt, load.tsv and context.txt; each non-empty LINE
#                               becomes a bullet after the load range ($PYTHON, default python3)
#   choose_openblas_coretype PY MODULE
#                               when OPENBLAS_CORETYPE is unset, export it as nsdf chooses it
#                               (framework/core/Blas.cpp): only when OpenBLAS, as loaded by PY's
#                               torch (MODULE.blas_core()), falls back to Prescott: SkylakeX with
#                               avx512f+avx512bw, else Haswell with avx2

choose_openblas_coretype() {
  [[ -z "${OPENBLAS_CORETYPE:-}" ]] || return 0
  local dir detected flags
  dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  detected="$("$1" -c "import sys; sys.path.insert(0, '$dir'); import $2 as m; print(m.blas_core())")"
  flags="$(grep -m1 '^flags' /proc/cpuinfo)"
  if [[ "$detected" == Prescott ]]; then
    if [[ " $flags " == *" avx512f "* && " $flags " == *" avx512bw "* ]]; then
      export OPENBLAS_CORETYPE=SkylakeX
    elif [[ " $flags " == *" avx2 "* ]]; then
      export OPENBLAS_CORETYPE=Haswell
    fi
  fi
}

bench_start_load_log() {
  LOAD_TSV=$1
  printf 'step\tstart\tloadavg_1min\tloadavg_5min\n' > "$LOAD_TSV"
}

note_load() {
  local one five
  read -r one five _ < /proc/loadavg
  printf '%s\t%s\t%s\t%s\n' "$1" "$(date +%T)" "$one" "$five" >> "$LOAD_TSV"
}

machine_context() {
  echo "date: $(date -Is)"
  echo "host: $(uname -n) $(uname -r)"
  echo "nproc: $(nproc)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
}

load_summary() {
  "${PYTHON:-python3}" - "$@" <<'PYEOF'
import os, statistics, sys

out, extra = sys.argv[1], sys.argv[2:]
print("## Load\n")
for p in ("uptime_before.txt", "uptime_after.txt"):
    if os.path.exists(f"{out}/{p}"):
        print(f"- {p[:-4].replace('_', ' ')}: `{open(f'{out}/{p}').read().strip()}`")
rows = [l.split("\t") for l in open(f"{out}/load.tsv").read().splitlines()[1:]]
if rows:
    loads = [float(r[2]) for r in rows]
    print(f"- 1-minute load before each of {len(rows)} runs: {min(loads):.2f}..{max(loads):.2f} "
          f"(median {statistics.median(loads):.2f})")
for line in extra:
    if line:
        print(f"- {line}")
for l in open(f"{out}/context.txt"):
    if l.startswith(("session wall time", "nproc", "cpu", "python")):
        print(f"- {l.strip()}")
PYEOF
}
