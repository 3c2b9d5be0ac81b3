#pragma once
// An example of a user's own component, registered from the user's code: a Huber loss on
// clamped SDF values,
//   L = mean_i huber_beta(clamp(f(z, x_i), -d, d) - clamp(s_i, -d, d)),
// quadratic below beta and linear above, so small residuals get a smooth gradient.

#include "losses/Loss.h"

namespace example {

struct HuberLossOptions {
  double delta = 0.1;
  double beta = 0.01;
  static void declare(nsdf::core::OptionSet<HuberLossOptions>& s) {
    s.add("delta", &HuberLossOptions::delta, "clamp distance").positive();
    s.add("beta", &HuberLossOptions::beta, "residual where the loss turns linear").positive();
  }
};

class HuberLoss : public nsdf::losses::Loss {
 public:
  using Options = HuberLossOptions;
  static constexpr const char* kDoc = "Huber loss on clamped SDF values (an example plugin).";

  explicit HuberLoss(const Options& options) : options_(options) {}
  nsdf::losses::LossResult compute(nsdf::models::Decoder& decoder,
                                   const nsdf::losses::LossBatch& batch) override;

 private:
  Options options_;
};

}  // namespace example
