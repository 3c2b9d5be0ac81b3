#pragma once
// `local`: the runs of a sweep on this machine, at most max_parallel at a time, each with
// threads_per_run torch threads (num_threads=N added to its overrides; 0 leaves the config's),
// output in logs/<run>.log. Returns when every run has ended; a run that fails or is stopped
// does not stop the others.

#include <cstdint>

#include "sweep/Launcher.h"

namespace nsdf::sweep {

struct LocalLauncherOptions {
  int64_t max_parallel = 1;
  int64_t threads_per_run = 0;

  static void declare(core::OptionSet<LocalLauncherOptions>& s);
};

class LocalLauncher : public Launcher {
 public:
  using Options = LocalLauncherOptions;
  static constexpr const char* kDoc =
      "Runs the sweep here: max_parallel runs at a time, threads_per_run torch threads each; "
      "returns when all have ended.";

  explicit LocalLauncher(const Options& options) : options_(options) {}
  int launch(const LaunchPlan& plan) override;

 private:
  Options options_;
};

}  // namespace nsdf::sweep
