#include "models/DeepSdfDecoder.h"

#include <algorithm>
#include <cmath>

#include "core/Error.h"
#include "models/ReluDropout.h"

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

bool DeepSdfDecoderImpl::reinjected(size_t layer) const {
  return std::find(options_.latent_in.begin(), options_.latent_in.end(),
                   static_cast<int64_t>(layer)) != options_.latent_in.end();
}

torch::Tensor DeepSdfDecoderImpl::layer_weight(size_t i) const {
  return options_.weight_norm ? wn_layers_[i]->weight() : plain_layers_[i]->weight;
}

torch::Tensor DeepSdfDecoderImpl::layer_bias(size_t i) const {
  return options_.weight_norm ? wn_layers_[i]->bias() : plain_layers_[i]->bias;
}

torch::Tensor DeepSdfDecoderImpl::activate(size_t i, const torch::Tensor& h) {
  if (options_.activation == "prelu") {
    const torch::Tensor a = prelus_[i]->forward(h);
    return options_.dropout > 0 ? torch::dropout(a, options_.dropout, is_training()) : a;
  }
  return relu_dropout(h, options_.dropout, is_training());
}

torch::Tensor DeepSdfDecoderImpl::forward(const torch::Tensor& latent, const torch::Tensor& xyz) {
  const torch::Tensor input = encode(latent, xyz);
  torch::Tensor h = input;
  const size_t n = options_.dims.size();
  for (size_t i = 0; i <= n; ++i) {
    if (reinjected(i)) h = torch::cat({h, input}, 1);
    h = options_.weight_norm ? wn_layers_[i]->forward(h) : plain_layers_[i]->forward(h);
    if (i < n) h = activate(i, h);
  }
  return options_.tanh_out ? torch::tanh(h) : h;
}

torch::Tensor DeepSdfDecoderImpl::forward_shapes(const torch::Tensor& codes, int64_t rows,
                                                 const torch::Tensor& xyz) {
  const int64_t latent = latent_size();
  if (latent == 0) return forward({}, xyz);
  const int64_t k = codes.size(0);
  NSDF_ASSERT(xyz.size(0) == k * rows, "{} rows for {} codes x {}", xyz.size(0), k, rows);
  const torch::Tensor x = encode_xyz(xyz);
  const int64_t dx = x.size(1);
  // pre [K n, out] + the codes' part [K, out], each code's row added to its block of rows.
  auto plus_codes = [&](const torch::Tensor& pre, const torch::Tensor& w_codes) {
    const torch::Tensor per_code = torch::mm(codes, w_codes.t());
    return (pre.view({k, rows, -1}) + per_code.unsqueeze(1)).view({k * rows, -1});
  };
  torch::Tensor h;
  const size_t n = options_.dims.size();
  for (size_t i = 0; i <= n; ++i) {
    const torch::Tensor w = layer_weight(i);
    const torch::Tensor b = layer_bias(i);
    if (i == 0) {  // [z, x]
      h = plus_codes(torch::nn::functional::linear(x, w.slice(1, latent, latent + dx), b),
                     w.slice(1, 0, latent));
    } else if (reinjected(i)) {  // [h, z, x]
      const int64_t dh = h.size(1);
      const torch::Tensor pre =
          torch::nn::functional::linear(h, w.slice(1, 0, dh), b) +
          torch::nn::functional::linear(x, w.slice(1, dh + latent, dh + latent + dx));
      h = plus_codes(pre, w.slice(1, dh, dh + latent));
    } else {
      h = torch::nn::functional::linear(h, w, b);
    }
    if (i < n) h = activate(i, h);
  }
  return options_.tanh_out ? torch::tanh(h) : h;
}

}  // namespace nsdf::models
