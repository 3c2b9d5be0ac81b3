#pragma once
// Every component family's registry, filled explicitly by register_builtins() at startup (no
// static self-registration, which the linker drops from static libraries). A user's program
// adds its own components to these registries before handing them to the command line, whose
// tools::Registries adds the mesh sources of `nsdf preprocess` (tools/Cli.h).

#include <vector>

#include "data/Dataset.h"
#include "data/ObservationSource.h"
#include "eval/Evaluator.h"
#include "experiments/Experiment.h"
#include "losses/Loss.h"
#include "models/Decoder.h"
#include "models/LatentTable.h"
#include "optim/Optimizer.h"
#include "optim/Schedule.h"

namespace nsdf::experiments {

struct Registries {
  data::DatasetRegistry datasets{"dataset"};
  data::ObservationRegistry observations{"observation"};
  models::ModelRegistry models{"model"};
  models::LatentRegistry latents{"latent"};
  losses::LossRegistry losses{"loss"};
  eval::EvaluatorRegistry evaluators{"evaluator"};
  optim::OptimizerRegistry optimizers{"optimizer"};
  optim::ScheduleRegistry schedules{"schedule"};
  ExperimentRegistry experiments{"experiment"};

  /// All families, for listing.
  std::vector<const core::RegistryBase*> all() const {
    return {&experiments, &datasets,   &observations, &models,    &latents,
            &losses,      &optimizers, &schedules,    &evaluators};
  }
};

/// Fills every registry with nsdf's built-in components.
void register_builtins(Registries& registries);

}  // namespace nsdf::experiments
