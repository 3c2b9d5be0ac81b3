#include "models/IgrDecoder.h"

#include <algorithm>
#include <cmath>

#include "core/Error.h"
#include "models/IgrFieldAndGradient.h"

namespace nsdf::models {

namespace {
constexpr double kPi = 3.14159265358979323846;
}  // namespace

void IgrDecoderOptions::declare(core::OptionSet<IgrDecoderOptions>& s) {
  using O = IgrDecoderOptions;
  s.add("dims", &O::dims, "widths of the hidden layers").non_empty().positive();
  s.add("skip_in", &O::skip_in, "layers before which [latent, xyz] is concatenated again")
      .non_negative();
  s.add("beta", &O::beta, "Softplus sharpness (beta -> inf: ReLU)").positive();
  s.add("geometric_init", &O::geometric_init, "initialize to the SDF of a sphere");
  s.add("radius", &O::radius, "radius of the initial sphere (geometric_init)").positive();
  s.add("zero_latent_weights", &O::zero_latent_weights,
        "geometric_init: the latent code's input columns start at zero (the initial sphere for "
        "any code; codes must then start non-zero, init_std > 0)");
  declare_fourier(s);
  s.validate([](const O& o) {
    for (int64_t l : o.skip_in) {
      if (l < 1 || l >= static_cast<int64_t>(o.dims.size())) {
        return fmt::format(
            "skip_in: layer {} is out of range: must be in [1, {}] (dims has {} "
            "layers)",
            l, o.dims.size() - 1, o.dims.size());
      }
    }
    return std::string();
  });
}

bool IgrDecoderImpl::skip_before(size_t layer) const {
  return std::find(options_.skip_in.begin(), options_.skip_in.end(), static_cast<int64_t>(layer)) !=
         options_.skip_in.end();
}

IgrDecoderImpl::IgrDecoderImpl(const Options& options, const ModelContext& context)
    : EncodedInputDecoder(options, context),
      options_(options),
      pool_(std::make_shared<ActivationPool>()) {
  const int64_t latent = latent_size();
  const int64_t in_dim = input_size();  // the input is [latent, xyz, features]
  const int64_t enc_dim = in_dim - latent;
  const auto& d = options_.dims;
  const size_t n = d.size();
  for (size_t i = 0; i <= n; ++i) {
    const int64_t in = (i == 0) ? in_dim : d[i - 1];
    int64_t out = (i == n) ? 1 : d[i];
    if (i < n && skip_before(i + 1)) out = width_before_reinjection(d, i);
    torch::nn::Linear lin = register_module("lin" + std::to_string(i), torch::nn::Linear(in, out));
    if (options_.geometric_init) {
      torch::NoGradGuard no_grad;
      if (i == n) {
        lin->weight.normal_(std::sqrt(kPi) / std::sqrt(static_cast<double>(in)), 1e-5);
        lin->bias.fill_(-options_.radius);
      } else {
        lin->weight.normal_(0.0, std::sqrt(2.0) / std::sqrt(static_cast<double>(out)));
        lin->bias.zero_();
        // Columns of Fourier features (and, with zero_latent_weights, of the code) start at
        // zero: the block is the whole input of layer 0 and the last in_dim columns of a skip
        // layer.
        const int64_t block = (i == 0) ? 0 : (skip_before(i) ? in - in_dim : -1);
        if (block >= 0) {
          if (latent > 0 && options_.zero_latent_weights)
            lin->weight.narrow(1, block, latent).zero_();
          if (enc_dim > 3) lin->weight.narrow(1, block + latent + 3, enc_dim - 3).zero_();
        }
      }
    }
    layers_.push_back(lin);
  }
}

torch::Tensor IgrDecoderImpl::forward(const torch::Tensor& latent, const torch::Tensor& xyz) {
  const torch::Tensor input = encode(latent, xyz);
  const auto softplus = torch::nn::functional::SoftplusFuncOptions().beta(options_.beta);
  torch::Tensor h = input;
  const size_t n = options_.dims.size();
  for (size_t i = 0; i <= n; ++i) {
    if (skip_before(i)) h = torch::cat({h, input}, 1) / std::sqrt(2.0);
    h = layers_[i]->forward(h);
    if (i < n) h = torch::nn::functional::softplus(h, softplus);
  }
  return h;
}

FieldAndGradient IgrDecoderImpl::forward_with_gradient(const torch::Tensor& latent,
                                                       const torch::Tensor& xyz,
                                                       int64_t first_grad_row) {
  const int64_t rows = xyz.size(0);
  NSDF_ASSERT(first_grad_row >= 0 && first_grad_row <= rows, "first_grad_row {} for {} rows",
              first_grad_row, rows);
  const torch::Tensor x = xyz.detach();
  const torch::Tensor input = encode(latent, x);

  IgrFieldAndGradient::Layout layout;
  const size_t n = options_.dims.size();
  for (size_t i = 0; i < n; ++i) layout.width.push_back(layers_[i]->weight.size(0));
  for (size_t i = 0; i < n; ++i) layout.skip.push_back(skip_before(i) ? 1 : 0);
  NSDF_ASSERT(!skip_before(n), "re-injection before the output layer");  // options forbid it
  layout.latent_size = latent_size();
  layout.beta = options_.beta;
  layout.first_grad_row = first_grad_row;
  std::vector<torch::Tensor> params;
  for (const auto& layer : layers_) {
    params.push_back(layer->weight);
    params.push_back(layer->bias);
  }
  const torch::autograd::variable_list out =
      IgrFieldAndGradient::apply(input, torch::TensorList(params), layout, pool_.get());
  if (!encoding()) return {out[0], out[1]};

  // Through the encoding [xyz, sin(theta), cos(theta)], theta = 2 pi xyz B^T: a fixed linear
  // map of the feature gradient (B is not trained), left to autograd.
  const torch::Tensor& g = out[1];
  const torch::Tensor& b = encoding()->frequencies();
  const int64_t k = b.size(0);
  NSDF_ASSERT(g.size(1) == 3 + 2 * k, "encoding of {} columns for {} frequencies", g.size(1), k);
  const torch::Tensor theta = torch::matmul(x.slice(0, first_grad_row), b.t()) * (2 * kPi);
  const torch::Tensor chain =
      g.narrow(1, 3, k) * torch::cos(theta) - g.narrow(1, 3 + k, k) * torch::sin(theta);
  return {out[0], g.narrow(1, 0, 3) + torch::matmul(chain, b) * (2 * kPi)};
}

}  // namespace nsdf::models
