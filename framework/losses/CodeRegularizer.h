#pragma once
// The latent-code regularizer of shape spaces (auto-decoders), an option group every loss that
// trains codes shares:
//   code_reg * ramp(epoch) * R(z_1..z_K) over the K distinct codes of the batch, with
//   ramp = min(1, epoch / code_reg_ramp) (1 when code_reg_ramp = 0) and
//     norm          R = mean_k ||z_k||        DeepSDF's training (with ramp 100), IGR
//     squared_norm  R = mean_k ||z_k||^2      a Gaussian prior on the codes (Park et al. Eq. 9)
//     mean_square   R = mean over every entry of z^2 = mean_k ||z_k||^2 / L
//                                             DeepSDF's reconstruct.py (1e-4 * mean(z^2))
// Logged as the term code_norm / code_norm_sq / code_mean_square (R without the weight).

#include <string>

#include "core/Options.h"
#include "losses/Loss.h"

namespace nsdf::losses {

struct CodeRegularizerOptions {
  double code_reg = 1e-4;
  int64_t code_reg_ramp = 0;
  std::string code_reg_type = "norm";
};

template <class O>
void declare_code_regularizer(core::OptionSet<O>& s) {
  s.add("code_reg", &O::code_reg, "weight of the latent code regularizer (shape spaces)")
      .non_negative();
  s.add("code_reg_ramp", &O::code_reg_ramp,
        "epochs (or iterations) over which code_reg ramps up from 0 (0: no ramp)")
      .non_negative();
  s.add("code_reg_type", &O::code_reg_type,
        "norm: mean ||z|| (DeepSDF training, IGR); squared_norm: mean ||z||^2; mean_square: "
        "mean of z^2 over every entry (DeepSDF's reconstruction)")
      .one_of({"norm", "squared_norm", "mean_square"});
}

/// Adds the regularizer of batch.codes to r (nothing when the batch has no codes); the term is
/// logged even at weight 0.
void add_code_regularizer(LossResult& r, const LossBatch& batch, const CodeRegularizerOptions& o);

}  // namespace nsdf::losses
