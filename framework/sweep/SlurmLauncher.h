#pragma once
// `slurm`: the runs of a sweep as one SLURM job array, submitted with sbatch. The script
// (SWEEP/slurm/array_<n>.sbatch) asks for the sweep file's resources and runs, in array task
// i, `srun nsdf run BASE <overrides of run i> --dir SWEEP/runs/<name>` with its output
// appended to SWEEP/logs/<name>.log. SLURM signals the run `signal_lead` seconds before the time
// limit (`--signal=USR1@<lead>`); the run writes a checkpoint and exits 75, and the task requeues
// itself (`scontrol requeue`), continuing from that checkpoint. A preempted task (SIGTERM) does
// the same. The job ids go to SWEEP/slurm/jobs.txt; `nsdf sweep status` reads the runs' folders.
//
// Multi-rank runs: tasks_per_run > 1 starts that many ranks per run with srun (each rank finds
// its place from SLURM_PROCID / SLURM_NTASKS).

#include <cstdint>
#include <string>
#include <vector>

#include "sweep/Launcher.h"

namespace nsdf::sweep {

struct SlurmLauncherOptions {
  std::string partition;
  std::string time = "01:00:00";
  int64_t cpus = 1;
  int64_t gpus = 0;
  std::string mem;
  int64_t array_throttle = 0;
  int64_t signal_lead = 120;
  int64_t tasks_per_run = 1;
  bool requeue = true;
  std::vector<std::string> extra;
  std::string sbatch = "sbatch";

  static void declare(core::OptionSet<SlurmLauncherOptions>& s);
};

class SlurmLauncher : public Launcher {
 public:
  using Options = SlurmLauncherOptions;
  static constexpr const char* kDoc =
      "Submits the sweep as one SLURM job array (sbatch): resources per run, array throttle, "
      "a stop signal before the time limit, requeue from the checkpoint; returns once "
      "submitted.";

  explicit SlurmLauncher(const Options& options) : options_(options) {}
  int launch(const LaunchPlan& plan) override;

  /// The sbatch script for `plan` (what launch() submits).
  std::string script(const LaunchPlan& plan) const;

 private:
  Options options_;
};

}  // namespace nsdf::sweep
