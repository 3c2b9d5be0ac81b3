#include "optim/Optimizer.h"

#include <algorithm>

namespace nsdf::optim {

Optimizer::Optimizer(std::unique_ptr<torch::optim::Optimizer> optimizer,
                     const std::vector<ParamGroup>& groups, std::vector<double> base_lrs)
    : optimizer_(std::move(optimizer)), base_lrs_(std::move(base_lrs)) {
  for (const auto& g : groups) names_.push_back(g.name);
}

void Optimizer::set_lr_factor(double factor) {
  auto& groups = optimizer_->param_groups();
  for (size_t i = 0; i < groups.size(); ++i) groups[i].options().set_lr(base_lrs_[i] * factor);
}

double Optimizer::lr(size_t group) const {
  return optimizer_->param_groups().at(group).options().get_lr();
}

void Optimizer::set_lr_factor(const std::string& group, double factor) {
  auto& groups = optimizer_->param_groups();
  for (size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == group) groups[i].options().set_lr(base_lrs_[i] * factor);
}

double Optimizer::lr(const std::string& group) const {
  for (size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == group) return lr(i);
  return 0;
}

bool Optimizer::has_group(const std::string& group) const {
  return std::find(names_.begin(), names_.end(), group) != names_.end();
}

}  // namespace nsdf::optim
