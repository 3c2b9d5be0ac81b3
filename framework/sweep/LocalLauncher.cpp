#include "sweep/LocalLauncher.h"

#include <sys/wait.h>

#include <chrono>
#include <cstring>
#include <map>

#include "core/Error.h"
#include "core/Log.h"
#include "core/Process.h"

namespace nsdf::sweep {

namespace fs = std::filesystem;

void LocalLauncherOptions::declare(core::OptionSet<LocalLauncherOptions>& s) {
  using O = LocalLauncherOptions;
  s.add("max_parallel", &O::max_parallel, "runs at the same time").positive();
  s.add("threads_per_run", &O::threads_per_run,
        "torch threads of each run (num_threads=N; 0: as the config says)")
      .non_negative();
}

int LocalLauncher::launch(const LaunchPlan& plan) {
  struct Running {
    std::string name;
    std::chrono::steady_clock::time_point t0;
  };
  std::map<pid_t, Running> running;
  std::size_t next = 0, ended = 0;
  int failed = 0;
  const std::size_t total = plan.runs.size();
  while (ended < total) {
    while (next < total && static_cast<int64_t>(running.size()) < options_.max_parallel) {
      const SweepRun& run = plan.runs[next++];
      std::vector<std::string> argv = run_command(plan, run);
      if (options_.threads_per_run > 0)
        argv.push_back("num_threads=" + std::to_string(options_.threads_per_run));
      const pid_t pid = core::spawn(argv, {{}, run_log(plan.sweep_dir, run.name)});
      running[pid] = {run.name, std::chrono::steady_clock::now()};
      core::log::info("sweep {}: [{}/{}] {} started", plan.sweep_name, next, total, run.name);
    }
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, 0);
    if (pid < 0) {
      NSDF_CHECK(errno == EINTR, core::IoError, "waiting for runs: {}", std::strerror(errno));
      continue;
    }
    const auto it = running.find(pid);
    if (it == running.end()) continue;
    ++ended;
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - it->second.t0).count();
    const std::string log = run_log(plan.sweep_dir, it->second.name).string();
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
      core::log::info("sweep {}: {} finished ({:.1f} s)", plan.sweep_name, it->second.name,
                      seconds);
    } else {
      ++failed;
      const std::string how = core::describe_exit(status);
      core::log::warn("sweep {}: {} {} after {:.1f} s; see {}", plan.sweep_name, it->second.name,
                      how, seconds, log);
    }
    running.erase(it);
  }
  return failed;
}

}  // namespace nsdf::sweep
