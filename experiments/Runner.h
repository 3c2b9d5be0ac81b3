#pragma once
// From a config file to a finished run: load and compose the YAML, validate everything (all
// errors at once), create or reopen the run folder, set up logging, device, threads and seed,
// and execute the experiment.
//
// Top-level keys besides the experiment's sections: seed, device, num_threads, runs_dir, and
// distributed (how data-parallel ranks share gradients; distributed/DataParallel.h).
//
// Data-parallel runs: when the process environment names several ranks (`nsdf launch`,
// torchrun's variables, `srun` in a SLURM step; distributed/World.h) the ranks join one c10d
// process group before the run folder is chosen; rank 0 chooses it (or decides start / resume /
// finished for --dir) and the others follow. Each rank gets cuda:<local rank> for a CUDA
// device, its share of the machine's cores when num_threads is 0, and its own torch seed
// (seed + 1000003 x rank: dropout differs between ranks; the batches do not).

#include <memory>
#include <string>
#include <vector>

#include "core/ConfigNode.h"
#include "distributed/DataParallel.h"
#include "distributed/World.h"
#include "experiments/Experiment.h"
#include "experiments/Registries.h"

namespace nsdf::experiments {

struct RunOptions {
  int64_t seed = 0;
  std::string device = "auto";
  int64_t num_threads = 0;
  std::string runs_dir = "runs";
  distributed::DataParallelOptions distributed;

  static void declare(core::OptionSet<RunOptions>& s);
};

/// A validated run: the config as loaded, the resolved config (every option explicit; passing
/// it back to `nsdf run` reproduces the run), and the experiment ready to run.
struct PreparedRun {
  std::string config_path;
  core::ConfigNode loaded;
  core::ConfigNode resolved;
  RunOptions options;
  std::string name;
  std::shared_ptr<Experiment> experiment;
  /// The folder a new run is started in ("": a fresh runs_dir/<name>/<id>); execute_run_in.
  std::string placement;
  /// This process's place among data-parallel ranks (a single process by default), and the
  /// ranks' process group once joined.
  distributed::WorldInfo world;
  std::shared_ptr<distributed::Group> group;
};

/// Loads `config_path` with `overrides` and validates it; throws ConfigError listing every
/// problem.
PreparedRun prepare_run(const Registries& registries, const std::string& config_path,
                        const std::vector<std::string>& overrides);

/// Runs a prepared experiment in a new run folder, or continues the run in `resume_dir`.
/// Returns the run folder. The run folder's status.json says "running", then "finished",
/// "stopped" (a stop signal: core::Stopped propagates) or "failed" (the error propagates).
std::string execute_run(PreparedRun& run, const std::string& resume_dir = {});

/// Runs a prepared experiment in the folder `run_dir`, whatever happened there before: starts
/// it when the folder holds no run, continues it from its checkpoint when it holds an
/// unfinished run of the same config (a rerun, a requeued job), and does nothing when that run
/// finished. `started` (optional) tells which: "started", "resumed" or "finished". Throws
/// ConfigError when the folder holds a run of another config.
std::string execute_run_in(PreparedRun& run, const std::string& run_dir,
                           std::string* started = nullptr);

/// Under SLURM (SLURM_JOB_ID set), a run's folder is runs_dir/<name>/slurm-<job>[_<task>] so
/// that a requeued job finds it again; "" outside SLURM. Array tasks use the array's job id.
std::string slurm_run_dir(const PreparedRun& run);

/// Where `key` (dotted path) got its value: the file:line:col that set it and the ones it
/// overrode, or that it is a default. Throws UsageError for keys the config does not have.
std::string explain_key(const PreparedRun& run, const std::string& key);

/// "nsdf 0.1.0".
std::string nsdf_version_string();

}  // namespace nsdf::experiments
