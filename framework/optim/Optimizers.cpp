#include "optim/Optimizers.h"

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

void Optimizer::set_lr_factor(double factor) {
  auto& groups = optimizer_->param_groups();
  for (size_t i = 0; i < groups.size(); ++i) groups[i].options().set_lr(base_lrs_[i] * factor);
}

double Optimizer::lr(size_t group) const {
  return optimizer_->param_groups().at(group).options().get_lr();
}

namespace {

double group_lr(const OptimizerOptions& o, const ParamGroup& g) {
  return g.name == "latent" ? o.latent_lr : o.lr;
}

}  // namespace

void register_builtin_optimizers(OptimizerRegistry& registry) {
  auto build = [](const OptimizerOptions& o, const std::vector<ParamGroup>& groups,
                  const std::string& kind) {
    std::vector<torch::optim::OptimizerParamGroup> torch_groups;
    std::vector<double> lrs;
    for (const auto& g : groups) {
      NSDF_ASSERT(!g.params.empty(), "parameter group '{}' is empty", g.name);
      const double lr = group_lr(o, g);
      lrs.push_back(lr);
      if (kind == "adam") {
        torch_groups.emplace_back(g.params, std::make_unique<torch::optim::AdamOptions>(
                                                torch::optim::AdamOptions(lr)
                                                    .betas({o.beta1, o.beta2})
                                                    .weight_decay(o.weight_decay)));
      } else if (kind == "adamw") {
        torch_groups.emplace_back(g.params, std::make_unique<torch::optim::AdamWOptions>(
                                                torch::optim::AdamWOptions(lr)
                                                    .betas({o.beta1, o.beta2})
                                                    .weight_decay(o.weight_decay)));
      } else {
        torch_groups.emplace_back(g.params, std::make_unique<torch::optim::SGDOptions>(
                                                torch::optim::SGDOptions(lr)
                                                    .momentum(o.momentum)
                                                    .weight_decay(o.weight_decay)));
      }
    }
    std::unique_ptr<torch::optim::Optimizer> opt;
    if (kind == "adam") {
      opt = std::make_unique<torch::optim::Adam>(std::move(torch_groups),
                                                 torch::optim::AdamOptions(o.lr));
    } else if (kind == "adamw") {
      opt = std::make_unique<torch::optim::AdamW>(std::move(torch_groups),
                                                  torch::optim::AdamWOptions(o.lr));
    } else {
      opt = std::make_unique<torch::optim::SGD>(std::move(torch_groups),
                                                torch::optim::SGDOptions(o.lr));
    }
    return std::make_shared<Optimizer>(std::move(opt), std::move(lrs));
  };
  registry.add<OptimizerOptions>(
      "adam", "Adam (Kingma & Ba 2015); weight_decay adds an L2 term to the gradient.",
      [build](const OptimizerOptions& o, const std::vector<ParamGroup>& g) {
        return build(o, g, "adam");
      });
  registry.add<OptimizerOptions>(
      "adamw", "AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay.",
      [build](const OptimizerOptions& o, const std::vector<ParamGroup>& g) {
        return build(o, g, "adamw");
      });
  registry.add<OptimizerOptions>(
      "sgd", "Stochastic gradient descent with momentum.",
      [build](const OptimizerOptions& o, const std::vector<ParamGroup>& g) {
        return build(o, g, "sgd");
      });
}

}  // namespace nsdf::optim
