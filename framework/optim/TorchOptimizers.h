#pragma once
// The built-in optimizers: torch's Adam, AdamW and SGD over the experiment's parameter groups,
// each group at its own base learning rate (lr for "decoder", latent_lr for "latent").

#include "optim/Optimizer.h"

namespace nsdf::optim {

struct OptimizerOptions {
  double lr = 5e-4;
  double latent_lr = 1e-3;
  double weight_decay = 0.0;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double momentum = 0.9;  // sgd only

  static void declare(core::OptionSet<OptimizerOptions>& s);
  /// The base learning rate of a group: latent_lr for "latent", lr for any other.
  double lr_of(const ParamGroup& group) const;
};

class AdamOptimizer : public Optimizer {
 public:
  using Options = OptimizerOptions;
  static constexpr const char* kDoc =
      "Adam (Kingma & Ba 2015); weight_decay adds an L2 term to the gradient.";
  AdamOptimizer(const Options& options, const std::vector<ParamGroup>& groups);
};

class AdamWOptimizer : public Optimizer {
 public:
  using Options = OptimizerOptions;
  static constexpr const char* kDoc =
      "AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay.";
  AdamWOptimizer(const Options& options, const std::vector<ParamGroup>& groups);
};

class SgdOptimizer : public Optimizer {
 public:
  using Options = OptimizerOptions;
  static constexpr const char* kDoc = "Stochastic gradient descent with momentum.";
  SgdOptimizer(const Options& options, const std::vector<ParamGroup>& groups);
};

}  // namespace nsdf::optim
