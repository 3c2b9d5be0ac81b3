#include "eval/SdfErrorEvaluator.h"

#include <cmath>

#include "core/Error.h"

namespace nsdf::eval {

void SdfErrorOptions::declare(core::OptionSet<SdfErrorOptions>& s) {
  s.add("band", &SdfErrorOptions::band, "|sdf| below which a sample counts as near the surface")
      .positive();
}

Metrics SdfErrorEvaluator::evaluate(const EvalInput& input) const {
  const size_t n = input.samples.size() / 4;
  NSDF_CHECK(n > 0, core::DataError, "sdf_error: shape '{}' has no ground-truth samples",
             input.shape_id);
  std::vector<float> xyz(3 * n);
  for (size_t i = 0; i < n; ++i)
    for (size_t k = 0; k < 3; ++k) xyz[3 * i + k] = input.samples[4 * i + k];
  NSDF_CHECK(input.field, core::DataError, "sdf_error: shape '{}' has no field to evaluate",
             input.shape_id);
  std::vector<float> pred(n);
  input.field(xyz.data(), static_cast<int64_t>(n), pred.data());
  double abs_sum = 0, band_sum = 0;
  size_t band_n = 0, sign_ok = 0;
  for (size_t i = 0; i < n; ++i) {
    const double s = input.samples[4 * i + 3];
    const double e = std::abs(pred[i] - s);
    abs_sum += e;
    if (std::abs(s) < options_.band) {
      band_sum += e;
      ++band_n;
    }
    if ((pred[i] < 0) == (s < 0)) ++sign_ok;
  }
  return {{"sdf_mae", abs_sum / n},
          {"sdf_mae_band", band_n ? band_sum / band_n : 0.0},
          {"sign_acc", static_cast<double>(sign_ok) / n}};
}

}  // namespace nsdf::eval
