#include "sweep/Launcher.h"
#include "sweep/LocalLauncher.h"
#include "sweep/SlurmLauncher.h"

namespace nsdf::sweep {

std::filesystem::path run_folder(const std::filesystem::path& sweep_dir, const std::string& name) {
  return sweep_dir / "runs" / name;
}

std::filesystem::path run_log(const std::filesystem::path& sweep_dir, const std::string& name) {
  return sweep_dir / "logs" / (name + ".log");
}

std::vector<std::string> run_command(const LaunchPlan& plan, const SweepRun& run) {
  std::vector<std::string> argv = {plan.nsdf, "run", plan.base_config};
  argv.insert(argv.end(), run.overrides.begin(), run.overrides.end());
  argv.push_back("--dir");
  argv.push_back(run_folder(plan.sweep_dir, run.name).string());
  return argv;
}

void register_builtin_launchers(LauncherRegistry& registry) {
  registry.add<LocalLauncher>("local");
  registry.add<SlurmLauncher>("slurm");
}

}  // namespace nsdf::sweep
