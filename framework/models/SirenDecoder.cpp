#include "models/SirenDecoder.h"

#include <cmath>

namespace nsdf::models {

void SirenDecoderOptions::declare(core::OptionSet<SirenDecoderOptions>& s) {
  using O = SirenDecoderOptions;
  s.add("dims", &O::dims, "widths of the hidden (sine) layers").non_empty().positive();
  s.add("w0", &O::w0, "frequency factor of the first layer").positive();
  s.add("hidden_w0", &O::hidden_w0, "frequency factor of the other hidden layers").positive();
  declare_fourier(s);
}

SirenDecoderImpl::SirenDecoderImpl(const Options& options, const ModelContext& context)
    : EncodedInputDecoder(options, context), options_(options) {
  const int64_t in_dim = input_size();
  const auto& d = options_.dims;
  const size_t n = d.size();
  torch::NoGradGuard no_grad;
  for (size_t i = 0; i <= n; ++i) {
    const int64_t in = (i == 0) ? in_dim : d[i - 1];
    const int64_t out = (i == n) ? 1 : d[i];
    torch::nn::Linear lin = register_module("lin" + std::to_string(i), torch::nn::Linear(in, out));
    const double bound = (i == 0) ? 1.0 / static_cast<double>(in)
                                  : std::sqrt(6.0 / static_cast<double>(in)) / options_.hidden_w0;
    lin->weight.uniform_(-bound, bound);
    layers_.push_back(lin);
  }
}

torch::Tensor SirenDecoderImpl::forward(const torch::Tensor& latent, const torch::Tensor& xyz) {
  torch::Tensor h = encode(latent, xyz);
  const size_t n = options_.dims.size();
  for (size_t i = 0; i < n; ++i) {
    h = torch::sin((i == 0 ? options_.w0 : options_.hidden_w0) * layers_[i]->forward(h));
  }
  return layers_[n]->forward(h);
}

}  // namespace nsdf::models
