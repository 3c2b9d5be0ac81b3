#include "experiments/Registries.h"

namespace nsdf::experiments {

void register_builtins(Registries& r) {
  data::register_builtin_datasets(r.datasets);
  data::register_builtin_observations(r.observations);
  models::register_builtin_models(r.models);
  models::register_builtin_latents(r.latents);
  losses::register_builtin_losses(r.losses);
  eval::register_builtin_evaluators(r.evaluators);
  optim::register_builtin_optimizers(r.optimizers);
  optim::register_builtin_schedules(r.schedules);
  register_builtin_experiments(r.experiments);
}

}  // namespace nsdf::experiments
