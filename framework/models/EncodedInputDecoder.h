#pragma once
// The base of the decoders whose input is [latent, gamma(xyz)]: the latent code followed by xyz
// or, with fourier_features > 0, its Fourier encoding gamma(xyz) = [xyz, sin(2 pi xyz B^T),
// cos(2 pi xyz B^T)] (FourierFeatures.h, the submodule "encoding"). It is what deepsdf, igr
// and siren share, so that each builds the encoding and checks a re-injection in one way: the
// encoding, the input and its width, and the width of a layer the input is concatenated to.

#include <cstdint>
#include <vector>

#include "models/Decoder.h"
#include "models/FourierFeatures.h"

namespace nsdf::models {

class EncodedInputDecoder : public Decoder {
 public:
  int64_t latent_size() const override { return latent_size_; }

 protected:
  /// Registers the encoding `fourier` describes, if any, as the submodule "encoding" (before
  /// the derived decoder registers its layers).
  EncodedInputDecoder(const FourierOptions& fourier, const ModelContext& context);

  /// [latent, gamma(xyz)]: [N, input_size()]; without latent when latent_size() == 0.
  torch::Tensor encode(const torch::Tensor& latent, const torch::Tensor& xyz);
  /// gamma(xyz) alone: xyz, or its Fourier encoding.
  torch::Tensor encode_xyz(const torch::Tensor& xyz);
  /// The input width: latent_size() + the encoded width (3 without encoding).
  int64_t input_size() const { return input_size_; }
  /// The Fourier encoding; an empty holder when fourier_features is 0.
  const FourierFeatures& encoding() const { return encoding_; }

  /// The output width of hidden layer `layer` when the input is concatenated to its output:
  /// dims[layer] - input_size(), so that the next layer sees dims[layer] features. Throws
  /// core::ConfigError when that is not positive.
  int64_t width_before_reinjection(const std::vector<int64_t>& dims, size_t layer) const;

 private:
  int64_t latent_size_;
  FourierFeatures encoding_{nullptr};
  int64_t input_size_;
};

}  // namespace nsdf::models
