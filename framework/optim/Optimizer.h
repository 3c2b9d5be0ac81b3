#pragma once
// Optimizers (registry family "optimizer") over named parameter groups: "decoder" (network
// weights) and "latent" (latent codes, auto-decoders). Each group has its own base learning
// rate; schedules scale them (set_lr_factor). The built-in ones wrap torch's optimizers
// (optim/TorchOptimizers.h).

#include <torch/torch.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/Registry.h"

namespace nsdf::optim {

struct ParamGroup {
  std::string name;  // "decoder" or "latent"
  std::vector<torch::Tensor> params;
};

/// A torch optimizer plus the base learning rate of each of its groups.
class Optimizer {
 public:
  Optimizer(std::unique_ptr<torch::optim::Optimizer> optimizer, std::vector<double> base_lrs)
      : optimizer_(std::move(optimizer)), base_lrs_(std::move(base_lrs)) {}
  virtual ~Optimizer() = default;
  torch::optim::Optimizer& torch() { return *optimizer_; }
  void zero_grad() { optimizer_->zero_grad(); }
  void step() { optimizer_->step(); }
  /// Sets every group's learning rate to base * factor.
  void set_lr_factor(double factor);
  /// The current learning rate of group i.
  double lr(size_t group = 0) const;

 private:
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  std::vector<double> base_lrs_;
};

using OptimizerRegistry = core::Registry<Optimizer, const std::vector<ParamGroup>&>;

/// Registers the built-in optimizers (adam, adamw, sgd).
void register_builtin_optimizers(OptimizerRegistry& registry);

}  // namespace nsdf::optim
