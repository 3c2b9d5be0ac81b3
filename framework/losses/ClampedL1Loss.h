#pragma once
// `clamped_l1`: DeepSDF's loss (Park et al. 2019, Eq. 4 and 9):
//   L = mean_i | clamp(f(z, x_i), -d, d) - clamp(s_i, -d, d) |
//       + code_reg * min(1, epoch / code_reg_ramp) * mean_k ||z_k||
// The regularizer is the norm (not squared) averaged over the batch's codes, ramped in over the
// first epochs, as DeepSDF's train_deep_sdf.py does.

#include "losses/Loss.h"

namespace nsdf {

struct ClampedL1LossOptions {
  double delta = 0.1;
  double code_reg = 1e-4;
  int64_t code_reg_ramp = 100;

  static void declare(OptionSet<ClampedL1LossOptions>& s);
};

class ClampedL1Loss : public Loss {
 public:
  using Options = ClampedL1LossOptions;
  static constexpr const char* kDoc =
      "DeepSDF's clamped L1: mean |clamp(f, -delta, delta) - clamp(s, -delta, delta)| + "
      "code_reg * min(1, epoch / code_reg_ramp) * mean ||z||.";

  explicit ClampedL1Loss(const Options& options) : options_(options) {}
  LossResult compute(Decoder& decoder, const LossBatch& batch) override;

 private:
  Options options_;
};

}  // namespace nsdf
