#pragma once
// `siren_sdf`: the SDF loss of SIREN (Sitzmann et al. 2020, Sec. 4.2 and its loss_functions.py).
// A batch holds the N surface points and as many uniform points in [-domain, domain]^3; as in
// the original, every term is a mean over all 2N points with the other set's entries zero:
//   L = ( w_s * sum_surface |f|  +  w_o * sum_off exp(-alpha |f|)
//       + w_n * sum_surface (1 - cos(grad f, n))  +  w_e * sum_all | ||grad f|| - 1 | ) / (2N)
// Weights 3e3, 1e2, 1e2, 5e1 and alpha = 100 by default; the normal term needs normals.

#include "losses/Loss.h"

namespace nsdf::losses {

struct SirenSdfLossOptions {
  double surface_weight = 3e3;
  double off_surface_weight = 1e2;
  double alpha = 100.0;
  double normal_weight = 1e2;
  double eikonal_weight = 5e1;
  double domain = 1.0;

  static void declare(core::OptionSet<SirenSdfLossOptions>& s);
};

class SirenSdfLoss : public Loss {
 public:
  using Options = SirenSdfLossOptions;
  static constexpr const char* kDoc =
      "SIREN's SDF loss (Sitzmann et al. 2020): |f| on the surface, exp(-alpha |f|) off it, "
      "1 - cos(grad f, n) with normals, | ||grad f|| - 1 | everywhere; weights 3e3/1e2/1e2/5e1.";
  explicit SirenSdfLoss(const Options& options) : options_(options) {}
  LossResult compute(models::Decoder& decoder, const LossBatch& batch) override;
  bool regresses_sdf() const override { return false; }

 private:
  Options options_;
};

}  // namespace nsdf::losses
