#pragma once
// `siren`: sinusoidal representation network (Sitzmann et al. 2020, Sec. 3.2 and Supp. 1.5).
// Hidden layers phi_i(x) = sin(w0 * (W_i x + b_i)) with w0 on the first layer and hidden_w0 on
// the others, then a linear output layer; the latent code is concatenated to xyz at the input.
// Raw output.
//
// Initialization (the paper's and its code's): first layer W ~ U(-1/in, 1/in); later layers,
// output included, W ~ U(-sqrt(6/in)/hidden_w0, sqrt(6/in)/hidden_w0); biases keep
// nn.Linear's default U(-1/sqrt(in), 1/sqrt(in)). Hidden activations are then arcsine
// distributed (std 1/sqrt 2) at every depth.
//
// Options: dims [256 x 3], w0 30, hidden_w0 30, and the Fourier options (fourier_features 0,
// fourier_scale 4.0, fourier_type gaussian).

#include <vector>

#include "models/EncodedInputDecoder.h"

namespace nsdf::models {

struct SirenDecoderOptions : FourierOptions {
  std::vector<int64_t> dims{256, 256, 256};
  double w0 = 30.0;
  double hidden_w0 = 30.0;

  static void declare(core::OptionSet<SirenDecoderOptions>& s);
};

class SirenDecoderImpl : public EncodedInputDecoder {
 public:
  using Options = SirenDecoderOptions;
  static constexpr const char* kDoc =
      "SIREN (Sitzmann et al. 2020): hidden layers sin(w0 (W x + b)) (w0 on the first, "
      "hidden_w0 on the others) with the paper's initialization, a linear output layer; the "
      "latent code is concatenated to xyz.";
  static constexpr const char* kExample = "{dims: [32, 32, 32]}";

  SirenDecoderImpl(const Options& options, const ModelContext& context);
  torch::Tensor forward(const torch::Tensor& latent, const torch::Tensor& xyz) override;

 private:
  Options options_;
  std::vector<torch::nn::Linear> layers_;
};
TORCH_MODULE(SirenDecoder);

}  // namespace nsdf::models
