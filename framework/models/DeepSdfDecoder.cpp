#include "models/DeepSdfDecoder.h"

#include <algorithm>
#include <cmath>

#include "core/Error.h"

namespace nsdf::models {

void DeepSdfDecoderOptions::declare(core::OptionSet<DeepSdfDecoderOptions>& s) {
  using O = DeepSdfDecoderOptions;
  s.add("dims", &O::dims, "widths of the hidden layers").non_empty().positive();
  s.add("latent_in", &O::latent_in, "layers before which [latent, xyz] is concatenated again")
      .non_negative();
  s.add("dropout", &O::dropout, "dropout probability after each hidden layer (0: none)")
      .range(0, 0.95);
  s.add("weight_norm", &O::weight_norm, "weight normalization on every layer");
  s.add("activation", &O::activation, "hidden activation").one_of({"relu", "prelu"});
  s.add("tanh_out", &O::tanh_out, "apply tanh to the output");
  declare_fourier(s);
  s.validate([](const O& o) {
    for (int64_t l : o.latent_in) {
      if (l < 1 || l >= static_cast<int64_t>(o.dims.size())) {
        return fmt::format("latent_in: layer {} is out of range: must be in [1, {}] (dims has {} "
                           "layers)",
                           l, o.dims.size() - 1, o.dims.size());
      }
    }
    return std::string();
  });
}

WeightNormLinearImpl::WeightNormLinearImpl(int64_t in, int64_t out) {
  // Same initial weights as nn.Linear; g starts at ||v|| so W = v at first.
  torch::nn::Linear init(in, out);
  weight_v_ = register_parameter("weight_v", init->weight.detach().clone());
  weight_g_ = register_parameter("weight_g", init->weight.detach().norm(2, {1}, true).clone());
  bias_ = register_parameter("bias", init->bias.detach().clone());
}

torch::Tensor WeightNormLinearImpl::weight() const {
  return weight_v_ * (weight_g_ / weight_v_.norm(2, {1}, true));
}

torch::Tensor WeightNormLinearImpl::forward(const torch::Tensor& x) {
  return torch::nn::functional::linear(x, weight(), bias_);
}

DeepSdfDecoderImpl::DeepSdfDecoderImpl(const Options& options, const ModelContext& context)
    : EncodedInputDecoder(options, context), options_(options) {
  const int64_t in_dim = input_size();
  const auto& d = options_.dims;
  const size_t n = d.size();
  auto reinjected = [&](size_t layer) {
    return std::find(options_.latent_in.begin(), options_.latent_in.end(),
                     static_cast<int64_t>(layer)) != options_.latent_in.end();
  };
  for (size_t i = 0; i <= n; ++i) {
    const int64_t in = (i == 0) ? in_dim : d[i - 1];
    int64_t out = (i == n) ? 1 : d[i];
    if (i < n && reinjected(i + 1)) out = width_before_reinjection(d, i);
    const std::string name = "lin" + std::to_string(i);
    if (options_.weight_norm) {
      wn_layers_.push_back(register_module(name, WeightNormLinear(in, out)));
    } else {
      plain_layers_.push_back(register_module(name, torch::nn::Linear(in, out)));
    }
    if (i < n && options_.activation == "prelu") {
      prelus_.push_back(
          register_module("prelu" + std::to_string(i),
                          torch::nn::PReLU(torch::nn::PReLUOptions().num_parameters(1))));
    }
  }
}

torch::Tensor DeepSdfDecoderImpl::forward(const torch::Tensor& latent, const torch::Tensor& xyz) {
  const torch::Tensor input = encode(latent, xyz);
  torch::Tensor h = input;
  const size_t n = options_.dims.size();
  for (size_t i = 0; i <= n; ++i) {
    if (std::find(options_.latent_in.begin(), options_.latent_in.end(),
                  static_cast<int64_t>(i)) != options_.latent_in.end()) {
      h = torch::cat({h, input}, 1);
    }
    h = options_.weight_norm ? wn_layers_[i]->forward(h) : plain_layers_[i]->forward(h);
    if (i < n) {
      h = options_.activation == "prelu" ? prelus_[i]->forward(h) : torch::relu(h);
      if (options_.dropout > 0) h = torch::dropout(h, options_.dropout, is_training());
    }
  }
  return options_.tanh_out ? torch::tanh(h) : h;
}

}  // namespace nsdf::models
