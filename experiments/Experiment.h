#pragma once
// Experiments (registry family "experiment") are the recipes `nsdf run` executes: they read
// their sections of the config (data, model, latent, loss, ...), build those components from
// the registries, and write their outputs into the run folder.
//
// Construction only validates (it reads the config and collects errors in `diag`); run() does
// the work. A new experiment type is a class with Options (its `experiment:` keys), kDoc, a
// constructor (const Options&, const ExperimentInputs&) and run().

#include <torch/torch.h>

#include <string>

#include "core/ConfigNode.h"
#include "core/Diagnostics.h"
#include "core/Registry.h"
#include "core/RunDir.h"
#include "distributed/DataParallel.h"
#include "distributed/Group.h"

namespace nsdf::experiments {

struct Registries;

/// What an experiment's constructor gets besides its own options.
struct ExperimentInputs {
  const core::ConfigNode& root;        // the whole config (sections are read from here)
  const Registries& registries;  // to parse its components
  core::Diagnostics& diag;             // where config errors go
  core::ConfigNode& resolved;          // the resolved config: the experiment adds its sections
};

struct RunContext {
  const core::RunDir& dir;
  torch::Device device = torch::kCPU;
  bool resume = false;  // continue from dir/checkpoints/latest.pt when it exists
  uint64_t seed = 0;    // the run's seed (torch's generator is already seeded with it)
  /// The ranks of a data-parallel run (nullptr: one process), and how they share gradients.
  std::shared_ptr<distributed::Group> group = nullptr;
  distributed::DataParallelOptions parallel = {};
};

class Experiment {
 public:
  virtual ~Experiment() = default;
  /// The run's name (runs/<name>/...); "" lets the runner use the config file's name.
  virtual std::string name() const = 0;
  virtual void run(RunContext& context) = 0;
  /// Whether the experiment can run as several data-parallel ranks (context.group).
  virtual bool data_parallel() const { return false; }
};

using ExperimentRegistry = core::Registry<Experiment, const ExperimentInputs&>;

/// Reads a required component section `key` of the root config with `registry`
/// (core::parse_component) and records the resolved section in inputs.resolved.
template <class R>
typename R::Spec parse_section(const ExperimentInputs& in, const R& registry,
                               const std::string& key) {
  typename R::Spec spec = core::parse_component(in.root, key, registry, in.diag);
  if (spec) in.resolved.set(key, spec.resolved);
  return spec;
}

/// Registers the built-in experiments (train, fit, reconstruct, interpolate).
void register_builtin_experiments(ExperimentRegistry& registry);

}  // namespace nsdf::experiments
