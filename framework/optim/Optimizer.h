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
  /// `groups` in the torch optimizer's group order, with their base learning rates.
  Optimizer(std::unique_ptr<torch::optim::Optimizer> optimizer,
            const std::vector<ParamGroup>& groups, std::vector<double> base_lrs);
  virtual ~Optimizer() = default;
  torch::optim::Optimizer& torch() { return *optimizer_; }
  void zero_grad() { optimizer_->zero_grad(); }
  void step() { optimizer_->step(); }
  /// Sets every group's learning rate to base * factor.
  void set_lr_factor(double factor);
  /// Sets the learning rate of the group named `group` (if there is one) to base * factor.
  void set_lr_factor(const std::string& group, double factor);
  /// The current learning rate of group i.
  double lr(size_t group = 0) const;
  /// The current learning rate of the group named `group`; 0 when there is none.
  double lr(const std::string& group) const;
  /// Whether a group is named `group`.
  bool has_group(const std::string& group) const;

 private:
  std::unique_ptr<torch::optim::Optimizer> optimizer_;
  std::vector<double> base_lrs_;
  std::vector<std::string> names_;
};

using OptimizerRegistry = core::Registry<Optimizer, const std::vector<ParamGroup>&>;

/// Registers the built-in optimizers (adam, adamw, sgd).
void register_builtin_optimizers(OptimizerRegistry& registry);

}  // namespace nsdf::optim
