#include "experiments/Registries.h"

namespace nsdf {

void register_builtins(Registries& r) {
  register_builtin_datasets(r.datasets);
  register_builtin_models(r.models);
  register_builtin_latents(r.latents);
  register_builtin_losses(r.losses);
  register_builtin_evaluators(r.evaluators);
  register_builtin_optimizers(r.optimizers);
  register_builtin_schedules(r.schedules);
  register_builtin_experiments(r.experiments);
  preprocessing::register_builtin_sources(r.sources);
}

}  // namespace nsdf
