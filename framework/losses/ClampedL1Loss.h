#pragma once
// `clamped_l1`: DeepSDF's loss (Park et al. 2019, Eq. 4 and 9):
//   L = mean_i | clamp(f(z, x_i), -d, d) - clamp(s_i, -d, d) |
//       + code_reg * min(1, epoch / code_reg_ramp) * mean_k ||z_k||
// The regularizer (losses/CodeRegularizer.h) is by default the norm (not squared) averaged over
// the batch's codes, ramped in over the first 100 epochs, as DeepSDF's train_deep_sdf.py does.
//
// Point clouds (a batch with surface points and normals but no `sdf`): the samples are drawn
// along the normals, x + t n with t ~ N(0, normal_std^2) and target s = t, samples_per_point per
// point and step (the DeepSDF-style single-shape recipe: std 0.05). Exact near a plane; biased
// where the surface curves within |t|, which the clamp and the small std keep small.

#include "losses/CodeRegularizer.h"

namespace nsdf::losses {

struct ClampedL1LossOptions : CodeRegularizerOptions {
  ClampedL1LossOptions() : CodeRegularizerOptions{1e-4, 100, "norm"} {}
  double delta = 0.1;
  int64_t samples_per_point = 1;
  double normal_std = 0.05;

  static void declare(core::OptionSet<ClampedL1LossOptions>& s);
};

class ClampedL1Loss : public Loss {
 public:
  using Options = ClampedL1LossOptions;
  static constexpr const char* kDoc =
      "DeepSDF's clamped L1: mean |clamp(f, -delta, delta) - clamp(s, -delta, delta)| + "
      "code_reg * min(1, epoch / code_reg_ramp) * mean ||z||; on point clouds, samples drawn "
      "along the normals.";

  explicit ClampedL1Loss(const Options& options) : options_(options) {}
  LossResult compute(models::Decoder& decoder, const LossBatch& batch) override;
  bool needs_normals() const override { return true; }

 private:
  Options options_;
};

}  // namespace nsdf::losses
