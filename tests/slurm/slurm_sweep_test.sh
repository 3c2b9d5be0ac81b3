#!/usr/bin/env bash
# A sweep through a real SLURM (CTest: SweepOnSlurm): installs Debian's SLURM and munge when
# missing, starts a single-node cluster on localhost as plain processes (no systemd) with a
# generated slurm.conf, all state in a temporary folder; submits a 4-run sweep of a quick IGR
# fit as one job array with `nsdf sweep` (launcher slurm), waits for it, checks every run
# finished and `nsdf report` lists all 4 with metrics; runs a 2-rank data-parallel `train` with
# `srun --ntasks 2 nsdf run`; then stops a running task with SIGUSR1 (as before a time limit)
# and checks that it checkpoints, requeues itself and finishes from its checkpoint; then shuts
# everything down by pid.
# (../shared/design/SLURM_NOTES.md: what works on these machines.)
#
#   tests/slurm/slurm_sweep_test.sh NSDF_BINARY SOURCE_DIR [WORK_DIR]
#
# Needs root for apt-get and the daemons; without root or packages it exits 77 (skipped),
# except under CI=true, where that is a failure.
set -euo pipefail
nsdf=$1
src=$(cd "$2" && pwd)
work=${3:-}
if [ -z "$work" ]; then work=$(mktemp -d); keep=0; else keep=1; mkdir -p "$work"; fi
skip() { echo "slurm sweep test: $*"; if [ "${CI:-}" = true ]; then exit 1; fi; exit 77; }

pkgs=(munge slurmctld slurmd slurm-client)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" -eq 0 ] || skip "needs root to install ${missing[*]}"
  echo "slurm sweep test: installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" \
    >"$work/apt.log" 2>&1 || { apt-get update -q >/dev/null 2>&1 &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" \
    >"$work/apt.log" 2>&1; } || { cat "$work/apt.log"; skip "cannot install ${missing[*]}"; }
fi
[ "$(id -u)" -eq 0 ] || skip "needs root to run the SLURM daemons"

m="$work/munge" s="$work/slurm"
mkdir -p "$m/run" "$m/log" "$m/lib" "$s/state" "$s/spool"
chmod 755 "$m/run"
head -c 1024 /dev/urandom >"$m/munge.key"
chmod 600 "$m/munge.key"
conf="$s/slurm.conf"
export SLURM_CONF="$conf"

cleanup() {
  set +e
  if [ -f "$s/slurmctld.pid" ]; then
    scancel --quiet --user=root >/dev/null 2>&1
    scontrol shutdown >/dev/null 2>&1
  fi
  for pidfile in "$s/slurmd.pid" "$s/slurmctld.pid" "$m/run/munged.pid"; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
  done
  [ "$keep" -eq 1 ] || rm -rf "$work"
}
trap cleanup EXIT

munged --force --key-file="$m/munge.key" --socket="$m/run/munge.socket" \
  --pid-file="$m/run/munged.pid" --log-file="$m/log/munged.log" --seed-file="$m/lib/seed"

memory=$(slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')
memory=$((memory * 9 / 10))
cpus=$(nproc)
cat >"$conf" <<EOT
ClusterName=nsdftest
SlurmctldHost=localhost
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
# cred_expire: a requeued job waits this long before it starts again (default 120 s).
AuthInfo=socket=$m/run/munge.socket,cred_expire=10
CredType=cred/munge
StateSaveLocation=$s/state
SlurmdSpoolDir=$s/spool
SlurmctldPidFile=$s/slurmctld.pid
SlurmdPidFile=$s/slurmd.pid
SlurmctldLogFile=$s/slurmctld.log
SlurmdLogFile=$s/slurmd.log
SlurmctldPort=16817
SlurmdPort=16818
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerParameters=batch_sched_delay=0
MailProg=/bin/true
ReturnToService=2
JobCompType=jobcomp/filetxt
JobCompLoc=$s/jobcomp.txt
MinJobAge=600
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$memory State=UNKNOWN
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOT
slurmctld -f "$conf"
slurmd -f "$conf" -N localhost
for _ in $(seq 100); do
  [ "$(sinfo -h -o %t 2>/dev/null | head -1)" = idle ] && break
  sleep 0.2
done
[ "$(sinfo -h -o %t | head -1)" = idle ] || { tail -20 "$s/slurmctld.log" "$s/slurmd.log"; echo "slurm sweep test: the node did not come up"; exit 1; }

cp "$src/tests/support/quick_fit.yaml" "$work/fit.yaml"
cat >"$work/sweep.yaml" <<EOT
base: fit.yaml
output: $work/sweep
grid: {loss.lambda: [0.05, 0.1]}
seeds: 2
launcher: {type: slurm, time: "00:10:00", cpus: 1, array_throttle: 2, signal_lead: 60,
           extra: ["--nice=0"]}
EOT
"$nsdf" sweep "$work/sweep.yaml" 2>&1 | tee "$work/submit.log"
grep -q "submitted job array" "$work/submit.log" || { echo "slurm sweep test: nothing submitted"; exit 1; }
job=$(awk '{print $1}' "$work/sweep/slurm/jobs.txt" | head -1 | cut -d_ -f1)

# Wait for the array: every run's status.json says finished (at most 5 minutes).
for _ in $(seq 600); do
  done=$( (grep -l '"finished"' "$work"/sweep/runs/*/status.json 2>/dev/null || true) | wc -l)
  [ "$done" -eq 4 ] && [ -z "$(squeue -h -j "$job" 2>/dev/null)" ] && break
  sleep 0.5
done
"$nsdf" sweep status "$work/sweep.yaml"
if [ "$( (grep -l '"finished"' "$work"/sweep/runs/*/status.json 2>/dev/null || true) | wc -l)" -ne 4 ]; then
  echo "slurm sweep test: not every run finished"
  tail -n 20 "$work"/sweep/slurm/*.out "$work"/sweep/logs/*.log "$s/slurmctld.log" 2>/dev/null
  exit 1
fi
completed=$(grep -c "JobState=COMPLETED" "$s/jobcomp.txt" || true)
[ "$completed" -eq 4 ] || { echo "slurm sweep test: jobcomp has $completed COMPLETED tasks, want 4"; cat "$s/jobcomp.txt"; exit 1; }

"$nsdf" report "$work/sweep" -o "$work/report" >/dev/null
rows=$(($(wc -l <"$work/report/runs.csv") - 1))
[ "$rows" -eq 4 ] || { echo "slurm sweep test: the report lists $rows runs"; cat "$work/report/runs.csv"; exit 1; }
col=$(head -1 "$work/report/runs.csv" | tr ',' '\n' | grep -n '^chamfer_l1$' | cut -d: -f1)
[ -n "$col" ] || { echo "slurm sweep test: no chamfer_l1 column"; exit 1; }
empty=$(tail -n +2 "$work/report/runs.csv" | cut -d, -f"$col" | grep -c '^$' || true)
[ "$empty" -eq 0 ] || { echo "slurm sweep test: $empty runs without chamfer_l1"; exit 1; }

# Data-parallel under SLURM: `srun --ntasks 2 nsdf run` starts two ranks that find each other
# from SLURM's variables (c10d Gloo); without --dir the run lives in runs/<name>/slurm-<job>.
cat >"$work/dp.yaml" <<EOT
experiment: {type: train, name: dp, epochs: 6, shapes_per_batch: 4, samples_per_shape: 256,
             checkpoint_every: 3}
data: {type: synthetic, shapes: 8, samples: 4000, test_samples: 500}
model: {type: deepsdf, dims: [32, 32, 32], latent_in: [2], dropout: 0.0}
latent: {type: table, size: 8, init_std: 0.01}
loss: {type: clamped_l1}
optimizer: {type: adam, lr: 0.001, latent_lr: 0.001}
schedule: {type: constant}
device: cpu
num_threads: 1
runs_dir: $work/dp_runs
EOT
if ! (cd "$work" && timeout 300 srun --ntasks 2 --cpus-per-task 1 --time 00:05:00 \
        "$nsdf" run "$work/dp.yaml") >"$work/dp.out" 2>&1; then
  echo "slurm sweep test: srun --ntasks 2 nsdf run failed"; cat "$work/dp.out"; exit 1
fi
dp_run=$(ls -d "$work"/dp_runs/dp/slurm-* 2>/dev/null | head -1)
[ -n "$dp_run" ] || { echo "slurm sweep test: no runs/dp/slurm-<job> folder"; cat "$work/dp.out"; exit 1; }
grep -q '"finished"' "$dp_run/status.json" || { echo "slurm sweep test: the 2-rank run did not finish"; cat "$work/dp.out"; exit 1; }
grep -q "data-parallel: 2 ranks (slurm), c10d gloo" "$dp_run/log.txt" || { echo "slurm sweep test: the run was not data-parallel"; cat "$dp_run/log.txt"; exit 1; }
[ "$(wc -l <"$dp_run/metrics.jsonl")" -eq 6 ] || { echo "slurm sweep test: the 2-rank run logged $(wc -l <"$dp_run/metrics.jsonl") lines, want 6"; exit 1; }

# Preemption-safe: SIGUSR1 to a running task (as `--signal=USR1@lead` sends it before a time
# limit) -> checkpoint, exit 75, the task requeues itself and continues from the checkpoint.
cat >"$work/long.yaml" <<EOT
base: fit.yaml
output: $work/long
overrides: [experiment.iterations=4000, experiment.log_every=10]
launcher: {type: slurm, time: "00:10:00", cpus: 1}
EOT
"$nsdf" sweep "$work/long.yaml" >"$work/long_submit.log" 2>&1
long_job=$(awk '{print $1}' "$work/long/slurm/jobs.txt" | head -1)
run="$work/long/runs/run"
for _ in $(seq 600); do
  [ "$(cat "$run/metrics.jsonl" 2>/dev/null | wc -l)" -ge 20 ] && break
  sleep 0.1
done
scancel --signal=USR1 "$long_job"
for _ in $(seq 1200); do
  grep -q '"finished"' "$run/status.json" 2>/dev/null && [ -z "$(squeue -h -j "${long_job%_*}" 2>/dev/null)" ] && break
  sleep 0.25
done
grep -q "stopped by SIGUSR1" "$run/log.txt" || { echo "slurm sweep test: the run was not stopped by SIGUSR1"; tail "$run/log.txt" "$work"/long/logs/*.log; exit 1; }
grep -q "resuming from" "$run/log.txt" || { echo "slurm sweep test: the requeued task did not resume"; tail "$run/log.txt"; exit 1; }
grep -q '"finished"' "$run/status.json" || { echo "slurm sweep test: the requeued run did not finish"; cat "$run/status.json"; exit 1; }
[ "$(wc -l <"$run/metrics.jsonl")" -eq 400 ] || { echo "slurm sweep test: $(wc -l <"$run/metrics.jsonl") metric lines, want 400"; exit 1; }
echo "slurm sweep test: passed (job array $job: 4 runs finished, report lists 4; 2-rank srun run finished; $long_job stopped by SIGUSR1, requeued, resumed, finished)"
