#pragma once
// Launchers start the runs of a sweep (registry "launcher"): `local` runs them on this machine,
// `slurm` submits them as one sbatch array. Every run is the same command, whatever starts it:
//
//   nsdf run BASE_CONFIG <overrides> --dir SWEEP/runs/<name>
//
// so a run that was stopped, killed or requeued continues from its checkpoint when started
// again, and a finished one is left alone (experiments/Runner.h, execute_run_in).

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/Registry.h"
#include "sweep/Sweep.h"

namespace nsdf::sweep {

struct LaunchPlan {
  std::string sweep_name;
  std::filesystem::path sweep_dir;  ///< absolute
  std::string nsdf;                 ///< the nsdf executable
  std::string base_config;          ///< absolute
  std::vector<SweepRun> runs;       ///< the runs to start (the unfinished ones)
};

/// `nsdf run ...` of one run, as argv.
std::vector<std::string> run_command(const LaunchPlan& plan, const SweepRun& run);
/// The folder of one run and its log file.
std::filesystem::path run_folder(const std::filesystem::path& sweep_dir, const std::string& name);
std::filesystem::path run_log(const std::filesystem::path& sweep_dir, const std::string& name);

class Launcher {
 public:
  virtual ~Launcher() = default;
  /// Starts the plan's runs. Returns how many failed to finish (local), or 0 once submitted
  /// (slurm). Progress goes to the log.
  virtual int launch(const LaunchPlan& plan) = 0;
};

using LauncherRegistry = core::Registry<Launcher>;

/// local, slurm.
void register_builtin_launchers(LauncherRegistry& registry);

}  // namespace nsdf::sweep
