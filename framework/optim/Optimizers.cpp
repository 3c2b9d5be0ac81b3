#include "optim/Optimizer.h"
#include "optim/TorchOptimizers.h"

namespace nsdf::optim {

void register_builtin_optimizers(OptimizerRegistry& registry) {
  registry.add<AdamOptimizer>("adam");
  registry.add<AdamWOptimizer>("adamw");
  registry.add<SgdOptimizer>("sgd");
}

}  // namespace nsdf::optim
