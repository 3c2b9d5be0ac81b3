#pragma once
// Fourier-feature input encodings for coordinate networks, usable in front of any decoder.
//
//   gaussian   (Tancik et al. 2020, "Fourier Features Let Networks Learn High Frequency
//              Functions"): gamma(x) = [sin(2 pi B x), cos(2 pi B x)], B in R^{F x 3} with
//              entries ~ N(0, scale^2), drawn once (torch::manual_seed makes it repeatable).
//              PHASE (Lipman 2021) uses F = 256, scale ~ 4.
//   positional (Mildenhall et al. 2020, NeRF): gamma(x) = [sin(2^k pi x), cos(2^k pi x)] for
//              k < F, per coordinate, i.e. 3F frequencies.
//
// Both are written as one frequency matrix B (rows = frequency vectors, in cycles per unit), kept
// as the registered buffer "B" so checkpoints save the random draw. The output is
// [x, sin(2 pi x B^T), cos(2 pi x B^T)] ([N, 3 + 2 rows(B)]) with include_input, else without x.
//
// Decoders expose the encoding through the flat options of FourierOptions (fourier_features,
// fourier_scale, fourier_type); fourier_features = 0 leaves the decoder unchanged.

#include <string>

#include "core/Error.h"
#include "models/Decoder.h"

namespace nsdf::models {

struct FourierFeaturesOptions {
  std::string type = "gaussian";  // gaussian | positional
  int64_t num_frequencies = 256;  // F
  double scale = 4.0;             // std of B's entries (gaussian only)
  bool include_input = true;      // keep xyz in front of the features
};

class FourierFeaturesImpl : public torch::nn::Module {
 public:
  explicit FourierFeaturesImpl(const FourierFeaturesOptions& options);
  /// xyz [N, 3] -> [N, output_size()].
  torch::Tensor forward(const torch::Tensor& xyz);
  int64_t output_size() const;
  /// The frequency matrix [M, 3] (cycles per unit): M = F (gaussian) or 3F (positional).
  const torch::Tensor& frequencies() const { return B_; }

 private:
  FourierFeaturesOptions options_;
  torch::Tensor B_;
};
TORCH_MODULE(FourierFeatures);

/// The flat encoding options every decoder's Options derives from.
struct FourierOptions {
  int64_t fourier_features = 0;  // F; 0 = no encoding
  double fourier_scale = 4.0;
  std::string fourier_type = "gaussian";

  /// The encoding these options describe (include_input on), or an empty holder when off.
  FourierFeatures make_encoding() const;
};

/// Declares fourier_features, fourier_scale and fourier_type on a decoder's options.
template <class O>
void declare_fourier(core::OptionSet<O>& s) {
  static_assert(std::is_base_of_v<FourierOptions, O>, "options must derive from FourierOptions");
  s.add("fourier_features", &FourierOptions::fourier_features,
        "Fourier features of the xyz input (0: none; positional: octaves per coordinate)")
      .non_negative();
  s.add("fourier_scale", &FourierOptions::fourier_scale,
        "std of the Gaussian frequencies (cycles per unit; gaussian only)")
      .positive();
  s.add("fourier_type", &FourierOptions::fourier_type, "Fourier feature kind")
      .one_of({"gaussian", "positional"});
  s.validate([](const O& o) {
    // 2^k pi x loses every bit of a float's mantissa beyond ~k = 20.
    if (o.fourier_type == "positional" && o.fourier_features > 20) {
      return fmt::format("fourier_features: {} octaves is too many for fourier_type positional "
                         "(2^k pi x is meaningless in float beyond k = 19): use at most 20",
                         o.fourier_features);
    }
    return std::string();
  });
}

}  // namespace nsdf::models
