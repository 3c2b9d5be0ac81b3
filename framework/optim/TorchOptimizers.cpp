#include "optim/TorchOptimizers.h"

#include "core/Error.h"

namespace nsdf::optim {

void OptimizerOptions::declare(core::OptionSet<OptimizerOptions>& s) {
  using O = OptimizerOptions;
  s.add("lr", &O::lr, "learning rate of the decoder").positive();
  s.add("latent_lr", &O::latent_lr, "learning rate of the latent codes (auto-decoders)").positive();
  s.add("weight_decay", &O::weight_decay, "weight decay (decoupled for adamw)").non_negative();
  s.add("beta1", &O::beta1, "Adam beta1").range(0, 0.999999);
  s.add("beta2", &O::beta2, "Adam beta2").range(0, 0.999999);
  s.add("momentum", &O::momentum, "SGD momentum").range(0, 1);
}

double OptimizerOptions::lr_of(const ParamGroup& group) const {
  return group.name == "latent" ? latent_lr : lr;
}

namespace {

std::vector<double> base_lrs(const OptimizerOptions& o, const std::vector<ParamGroup>& groups) {
  std::vector<double> lrs;
  for (const auto& g : groups) lrs.push_back(o.lr_of(g));
  return lrs;
}

/// torch's optimizer TorchOptimizer over `groups`, each with the options make(lr) builds.
template <class TorchOptimizer, class MakeOptions>
std::unique_ptr<torch::optim::Optimizer> make_torch_optimizer(
    const OptimizerOptions& o, const std::vector<ParamGroup>& groups, MakeOptions make) {
  std::vector<torch::optim::OptimizerParamGroup> torch_groups;
  for (const auto& g : groups) {
    NSDF_ASSERT(!g.params.empty(), "parameter group '{}' is empty", g.name);
    torch_groups.emplace_back(g.params, std::make_unique<decltype(make(o.lr))>(make(o.lr_of(g))));
  }
  return std::make_unique<TorchOptimizer>(std::move(torch_groups), make(o.lr));
}

}  // namespace

AdamOptimizer::AdamOptimizer(const Options& o, const std::vector<ParamGroup>& groups)
    : Optimizer(make_torch_optimizer<torch::optim::Adam>(
                    o, groups,
                    [&o](double lr) {
                      return torch::optim::AdamOptions(lr)
                          .betas({o.beta1, o.beta2})
                          .weight_decay(o.weight_decay);
                    }),
                groups, base_lrs(o, groups)) {}

AdamWOptimizer::AdamWOptimizer(const Options& o, const std::vector<ParamGroup>& groups)
    : Optimizer(make_torch_optimizer<torch::optim::AdamW>(
                    o, groups,
                    [&o](double lr) {
                      return torch::optim::AdamWOptions(lr)
                          .betas({o.beta1, o.beta2})
                          .weight_decay(o.weight_decay);
                    }),
                groups, base_lrs(o, groups)) {}

SgdOptimizer::SgdOptimizer(const Options& o, const std::vector<ParamGroup>& groups)
    : Optimizer(make_torch_optimizer<torch::optim::SGD>(
                    o, groups,
                    [&o](double lr) {
                      return torch::optim::SGDOptions(lr).momentum(o.momentum).weight_decay(
                          o.weight_decay);
                    }),
                groups, base_lrs(o, groups)) {}

}  // namespace nsdf::optim
