#include "optim/Optimizer.h"

namespace nsdf::optim {

void Optimizer::set_lr_factor(double factor) {
  auto& groups = optimizer_->param_groups();
  for (size_t i = 0; i < groups.size(); ++i) groups[i].options().set_lr(base_lrs_[i] * factor);
}

double Optimizer::lr(size_t group) const {
  return optimizer_->param_groups().at(group).options().get_lr();
}

}  // namespace nsdf::optim
