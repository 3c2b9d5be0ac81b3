#pragma once
// `igr`: Implicit Geometric Regularization (Gropp et al. 2020, Eq. 2 and 3). Fits a field to a
// point cloud without SDF supervision:
//   L = mean_i |f(x_i)| + tau * mean_i ||grad f(x_i) - n_i||       (normal term when normals
//       + lambda * mean_j (||grad f(y_j)|| - 1)^2                      are given; L2 norm, not
//       squared)
// with the eikonal term on off-surface points y: one Gaussian sample per surface point (std =
// batch.sigma, IGR's distance to the 50th neighbour, or `sigma`) plus uniform_fraction as many
// uniform points in [-domain, domain]^3 (IGR: N/8). Shape spaces add code_reg * mean ||z||.

#include "losses/CodeRegularizer.h"

namespace nsdf::losses {

struct IgrLossOptions : CodeRegularizerOptions {
  IgrLossOptions() : CodeRegularizerOptions{1e-3, 0, "norm"} {}
  double lambda = 0.1;
  double tau = 1.0;
  double sigma = 0.01;
  double uniform_fraction = 0.125;
  double domain = 1.2;

  static void declare(core::OptionSet<IgrLossOptions>& s);
};

class IgrLoss : public Loss {
 public:
  using Options = IgrLossOptions;
  static constexpr const char* kDoc =
      "IGR (Gropp et al. 2020): mean |f| on the surface points + tau * mean ||grad f - n|| "
      "(with normals) + lambda * mean (||grad f|| - 1)^2 on Gaussian (per-point sigma) and "
      "uniform off-surface samples.";
  explicit IgrLoss(const Options& options) : options_(options) {}
  LossResult compute(models::Decoder& decoder, const LossBatch& batch) override;
  bool regresses_sdf() const override { return false; }

 private:
  Options options_;
};

}  // namespace nsdf::losses
