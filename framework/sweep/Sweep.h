#pragma once
// A sweep: one base config and axes over dotted keys, expanded into named runs.
//
//   # sweeps/fit_lambda.yaml
//   base: ../configs/quickstart_fit.yaml       # relative to this file
//   overrides: [experiment.iterations=300]     # every run
//   grid: {loss.lambda: [0.01, 0.1, 1.0], model.dims: [[128, 128], [256, 256]]}  # product
//   zip: {optimizer.lr: [1.0e-3, 5.0e-4], schedule.every: [100, 200]}   # side by side
//   random:                                    # samples, seeded
//     count: 4
//     seed: 0
//     axes: {optimizer.lr: {log_uniform: [1.0e-4, 1.0e-2]}, loss.tau: {uniform: [0.5, 2]},
//            model.dims: {choice: [[128, 128], [256, 256]]}, experiment.iterations: {int_uniform: [100, 300]}}
//   seeds: 3                                   # repeats: seed = 0, 1, 2
//   launcher: {type: local, max_parallel: 2, threads_per_run: 1}
//
// Runs are the product grid x zip x random x seeds (an absent part counts once). Each run has
// a deterministic readable name made of the values that vary: "lambda-0.1_dims-256x256_seed-1"
// (the last part of each key; the whole key where two would clash), and its overrides
// "loss.lambda=0.1 model.dims=[256, 256] seed=1" on top of `overrides`.
//
// Sweep folder (`output`, default runs/sweeps/<name>): sweep.yaml (the resolved sweep),
// runs/<run name>/ (each an `nsdf run --dir` folder), logs/<run name>.log, and the launcher's
// files (slurm: the sbatch script and job ids).

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/Diagnostics.h"
#include "core/Options.h"

namespace nsdf::sweep {

struct RandomSearchOptions {
  int64_t count = 0;
  int64_t seed = 0;
  core::KeyedValues axes;

  static void declare(core::OptionSet<RandomSearchOptions>& s);
};

struct SweepOptions {
  core::Path base;
  std::string name;
  std::string output;
  std::vector<std::string> overrides;
  core::KeyedValues grid;
  core::KeyedValues zip;
  RandomSearchOptions random;
  int64_t seeds = 0;

  static void declare(core::OptionSet<SweepOptions>& s);
};

/// One run of a sweep.
struct SweepRun {
  std::string name;
  /// Every override of the run: the sweep's `overrides`, then key=value for each axis.
  std::vector<std::string> overrides;
  /// The axis values of this run only, (key, YAML text), in axis order.
  std::vector<std::pair<std::string, std::string>> values;
};

/// The runs of a sweep, in a fixed order (grid varies fastest on its last key, then zip, random
/// samples, seeds). Problems (an axis that is not a non-empty list, zip lists of different
/// lengths, an unknown distribution) go to `diag` with the file:line:col of the value.
std::vector<SweepRun> expand(const SweepOptions& options, core::Diagnostics& diag);

/// A folder name from axis values: "<last key part>-<value>" joined by "_", characters outside
/// [A-Za-z0-9.+-] dropped (list separators become "x"); unique within `runs` (whole keys where
/// last parts clash, then "-2", "-3"...).
void name_runs(std::vector<SweepRun>& runs);

}  // namespace nsdf::sweep
