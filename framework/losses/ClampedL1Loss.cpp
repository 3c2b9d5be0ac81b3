#include "losses/ClampedL1Loss.h"

#include <algorithm>

namespace nsdf {

void ClampedL1LossOptions::declare(OptionSet<ClampedL1LossOptions>& s) {
  using O = ClampedL1LossOptions;
  s.add("delta", &O::delta, "clamp distance: predictions and targets are clamped to +-delta")
      .positive();
  s.add("code_reg", &O::code_reg, "weight of the latent code norm regularizer").non_negative();
  s.add("code_reg_ramp", &O::code_reg_ramp, "epochs over which code_reg ramps up from 0")
      .non_negative();
}

LossResult ClampedL1Loss::compute(Decoder& decoder, const LossBatch& batch) {
  const double d = options_.delta;
  const torch::Tensor pred = decoder.forward(batch.latent, batch.xyz);
  const torch::Tensor l1 = (pred.clamp(-d, d) - batch.sdf.clamp(-d, d)).abs().mean();
  LossResult r{l1, {{"sdf", l1}}};
  if (options_.code_reg > 0 && batch.codes.defined()) {
    const double ramp =
        options_.code_reg_ramp > 0
            ? std::min(1.0, static_cast<double>(batch.epoch) / options_.code_reg_ramp)
            : 1.0;
    const torch::Tensor reg = batch.codes.norm(2, {1}).mean();
    r.total = r.total + options_.code_reg * ramp * reg;
    r.terms.emplace_back("code_norm", reg);
  }
  return r;
}

}  // namespace nsdf
