#include "sweep/LocalLauncher.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <map>

#include "core/Error.h"
#include "core/Log.h"

namespace nsdf::sweep {

namespace fs = std::filesystem;

void LocalLauncherOptions::declare(core::OptionSet<LocalLauncherOptions>& s) {
  using O = LocalLauncherOptions;
  s.add("max_parallel", &O::max_parallel, "runs at the same time").positive();
  s.add("threads_per_run", &O::threads_per_run,
        "torch threads of each run (num_threads=N; 0: as the config says)")
      .non_negative();
}

namespace {

// Starts argv with stdout and stderr appended to `log`; returns the pid.
pid_t start(const std::vector<std::string>& argv, const fs::path& log) {
  fs::create_directories(log.parent_path());
  const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  NSDF_CHECK(fd >= 0, core::IoError, "{}: cannot open: {}", log.string(), std::strerror(errno));
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    ::execv(args[0], args.data());
    std::fprintf(stderr, "nsdf sweep: cannot start %s: %s\n", args[0], std::strerror(errno));
    ::_exit(127);
  }
  ::close(fd);
  NSDF_CHECK(pid > 0, core::IoError, "cannot start {}: {}", argv[0], std::strerror(errno));
  return pid;
}

}  // namespace

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
      const pid_t pid = start(argv, run_log(plan.sweep_dir, run.name));
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
      const std::string how = WIFEXITED(status)
                                  ? (WEXITSTATUS(status) == 75
                                         ? std::string("stopped by a signal (exit 75)")
                                         : "failed (exit " + std::to_string(WEXITSTATUS(status)) + ")")
                                  : "killed by signal " + std::to_string(WTERMSIG(status));
      core::log::warn("sweep {}: {} {} after {:.1f} s; see {}", plan.sweep_name, it->second.name,
                      how, seconds, log);
    }
    running.erase(it);
  }
  return failed;
}

}  // namespace nsdf::sweep
