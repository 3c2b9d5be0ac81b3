#include "losses/CodeRegularizer.h"

#include <algorithm>

namespace nsdf::losses {

void add_code_regularizer(LossResult& r, const LossBatch& batch,
                          const CodeRegularizerOptions& o) {
  if (!batch.codes.defined()) return;
  torch::Tensor reg;
  std::string name;
  if (o.code_reg_type == "squared_norm") {
    reg = batch.codes.pow(2).sum(1).mean();
    name = "code_norm_sq";
  } else if (o.code_reg_type == "mean_square") {
    reg = batch.codes.pow(2).mean();
    name = "code_mean_square";
  } else {
    reg = batch.codes.norm(2, {1}).mean();
    name = "code_norm";
  }
  const double ramp = o.code_reg_ramp > 0
                          ? std::min(1.0, static_cast<double>(batch.epoch) / o.code_reg_ramp)
                          : 1.0;
  r.total = r.total + o.code_reg * ramp * reg;
  r.terms.emplace_back(name, reg);
}

}  // namespace nsdf::losses
