#pragma once
// `igr`: the Implicit Geometric Regularization network (Gropp et al. 2020, Sec. 4 and
// amosgropp/IGR network.py). Fully connected layers of the given widths with Softplus(beta)
// activations; before each layer in skip_in the input [latent, xyz] is concatenated to the
// features and the result divided by sqrt(2) (the layer before outputs width - input size).
// Raw output (no tanh).
//
// Geometric initialization (Atzmon & Lipman 2020, SAL Thm. 1): hidden W ~ N(0, 2 / out_dim),
// b = 0; last W ~ N(sqrt(pi) / sqrt(in_dim), 1e-5^2), b = -radius, so that at init
// f(x) ~ |x| - radius, the SDF of a sphere. The columns that multiply Fourier features start at
// zero in the first layer and in the skip layers (as IDR's ImplicitNetwork does). The latent
// columns are random as in IGR's network (codes that start at zero, as IGR's shape space does,
// then still get gradients); with zero_latent_weights they start at zero too, so the sphere
// holds for any code (codes must then not start at zero: they would never move).
//
// forward_with_gradient computes grad f explicitly (one forward keeping the activations, then
// the chain rule back through the layers on the rows that need it) and differentiates that by
// hand for the parameter update, instead of autograd's double backward: the same matrix
// products, but a fraction of the elementwise passes and of the fresh memory (see
// IgrFieldAndGradient.h and tools/bench/IGR_STEP.md).
//
// Options: dims [512 x 8], skip_in [4], beta 100, geometric_init true, radius 1.0, and the
// Fourier options (fourier_features 0, fourier_scale 4.0, fourier_type gaussian).

#include <memory>
#include <vector>

#include "models/EncodedInputDecoder.h"

namespace nsdf::models {

class ActivationPool;

struct IgrDecoderOptions : FourierOptions {
  std::vector<int64_t> dims{512, 512, 512, 512, 512, 512, 512, 512};
  std::vector<int64_t> skip_in{4};
  double beta = 100.0;
  bool geometric_init = true;
  double radius = 1.0;
  bool zero_latent_weights = false;

  static void declare(core::OptionSet<IgrDecoderOptions>& s);
};

class IgrDecoderImpl : public EncodedInputDecoder {
 public:
  using Options = IgrDecoderOptions;
  static constexpr const char* kDoc =
      "IGR network (Gropp et al. 2020): fully connected Softplus(beta) layers, the input "
      "[latent, xyz] concatenated again (/ sqrt 2) before the layers in skip_in, geometric "
      "initialization to the SDF of a sphere of the given radius, raw output.";
  static constexpr const char* kExample = "{dims: [32, 32, 32], skip_in: [2]}";

  IgrDecoderImpl(const Options& options, const ModelContext& context);
  torch::Tensor forward(const torch::Tensor& latent, const torch::Tensor& xyz) override;
  FieldAndGradient forward_with_gradient(const torch::Tensor& latent, const torch::Tensor& xyz,
                                         int64_t first_grad_row) override;

 private:
  bool skip_before(size_t layer) const;

  Options options_;
  std::vector<torch::nn::Linear> layers_;
  // forward_with_gradient's activations, kept across calls (no fresh memory per training step):
  // 16 bytes per row and hidden unit (with every row's gradient) plus scratch, e.g. 2.6 GB for
  // 8 x 512 and 35k rows, what autograd's double backward would hold during the step.
  std::shared_ptr<ActivationPool> pool_;
};
TORCH_MODULE(IgrDecoder);

}  // namespace nsdf::models
