#pragma once
// `sdf_error`: how well the field matches known signed distances at held-out samples.
//   sdf_mae      = mean_i |f(x_i) - s_i|
//   sdf_mae_band = the same over samples with |s_i| < band (near the surface)
//   sign_acc     = fraction of samples with sign(f(x_i)) == sign(s_i)

#include "eval/Evaluator.h"

namespace nsdf::eval {

struct SdfErrorOptions {
  double band = 0.1;
  static void declare(core::OptionSet<SdfErrorOptions>& s);
};

class SdfErrorEvaluator : public Evaluator {
 public:
  using Options = SdfErrorOptions;
  static constexpr const char* kDoc =
      "Error of the field at held-out SDF samples: sdf_mae = mean |f - s|, sdf_mae_band = the "
      "same where |s| < band, sign_acc = fraction with the right sign.";
  explicit SdfErrorEvaluator(const Options& options) : options_(options) {}
  Metrics evaluate(const EvalInput& input) const override;

 private:
  Options options_;
};

}  // namespace nsdf::eval
