#include "models/FourierFeatures.h"

#include <cmath>

#include "core/Error.h"

namespace nsdf::models {

namespace {
constexpr double kPi = 3.14159265358979323846;
}  // namespace

FourierFeaturesImpl::FourierFeaturesImpl(const FourierFeaturesOptions& options)
    : options_(options) {
  const int64_t f = options_.num_frequencies;
  NSDF_CHECK(f > 0, core::ConfigError, "fourier features: num_frequencies must be > 0, got {}", f);
  torch::Tensor b;
  if (options_.type == "gaussian") {
    NSDF_CHECK(options_.scale > 0, core::ConfigError, "fourier features: scale must be > 0, got {}",
               options_.scale);
    b = torch::randn({f, 3}) * options_.scale;
  } else if (options_.type == "positional") {
    // Row 3k + j is 2^(k-1) e_j, so 2 pi B x gives 2^k pi x_j (NeRF's frequencies).
    b = torch::zeros({3 * f, 3});
    for (int64_t k = 0; k < f; ++k) {
      for (int64_t j = 0; j < 3; ++j) b[3 * k + j][j] = std::ldexp(1.0, static_cast<int>(k) - 1);
    }
  } else {
    NSDF_CHECK(false, core::ConfigError,
               "fourier features: unknown type '{}': valid types are gaussian, positional",
               options_.type);
  }
  B_ = register_buffer("B", b);
}

int64_t FourierFeaturesImpl::output_size() const {
  return (options_.include_input ? 3 : 0) + 2 * B_.size(0);
}

torch::Tensor FourierFeaturesImpl::forward(const torch::Tensor& xyz) {
  const torch::Tensor proj = torch::matmul(xyz, B_.t()) * (2.0 * kPi);
  if (options_.include_input) return torch::cat({xyz, torch::sin(proj), torch::cos(proj)}, 1);
  return torch::cat({torch::sin(proj), torch::cos(proj)}, 1);
}

FourierFeatures FourierOptions::make_encoding() const {
  if (fourier_features <= 0) return FourierFeatures(nullptr);
  FourierFeaturesOptions o;
  o.type = fourier_type;
  o.num_frequencies = fourier_features;
  o.scale = fourier_scale;
  o.include_input = true;
  return FourierFeatures(o);
}

}  // namespace nsdf::models
