# Shared by the tools/bench/run_*.sh scripts (source it): what every benchmark report records
# about the machine and its load, since the 2 cores are shared with other work.
#
#   bench_start_load_log FILE   start a TSV of the load before each step
#   note_load STEP              append STEP, the time and the 1- and 5-minute load to it
#   machine_context             date, host, cores and CPU model, one "key: value" per line

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
