#pragma once
// `deepsdf`: the DeepSDF decoder (Park et al. 2019, Sec. 5). A stack of fully connected layers
// f(z, x) -> s; the input [z, x] is concatenated again to the hidden features before each layer
// in latent_in (the layer before produces width - input size, so widths stay as declared);
// weight normalization, ReLU or PReLU (one shared slope), dropout on hidden layers, and a
// final tanh so outputs lie in (-1, 1). Parameter names match DeepSDF's (lin0.weight_g, ...).
// With fourier_features > 0, xyz is encoded first (submodule "encoding") and the encoded
// input takes its place, re-injections included.

#include <vector>

#include "models/EncodedInputDecoder.h"

namespace nsdf::models {

struct DeepSdfDecoderOptions : FourierOptions {
  std::vector<int64_t> dims{512, 512, 512, 512, 512, 512, 512, 512};
  std::vector<int64_t> latent_in{4};
  double dropout = 0.2;
  bool weight_norm = true;
  std::string activation = "relu";
  bool tanh_out = true;

  static void declare(core::OptionSet<DeepSdfDecoderOptions>& s);
};

/// A linear layer with weight normalization (Salimans & Kingma 2016): W = g * v / ||v||,
/// per output row, as torch.nn.utils.weight_norm(nn.Linear(...), dim=0).
class WeightNormLinearImpl : public torch::nn::Module {
 public:
  WeightNormLinearImpl(int64_t in, int64_t out);
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor weight() const;
  const torch::Tensor& bias() const { return bias_; }

 private:
  torch::Tensor weight_g_, weight_v_, bias_;
};
TORCH_MODULE(WeightNormLinear);

class DeepSdfDecoderImpl : public EncodedInputDecoder {
 public:
  using Options = DeepSdfDecoderOptions;
  static constexpr const char* kDoc =
      "DeepSDF decoder (Park et al. 2019): fully connected layers of the given widths, the input "
      "[latent, xyz] re-injected before the layers in latent_in, weight norm, ReLU/PReLU, "
      "dropout, tanh output.";
  static constexpr const char* kExample = "{dims: [32, 32, 32], latent_in: [2]}";

  DeepSdfDecoderImpl(const Options& options, const ModelContext& context);
  torch::Tensor forward(const torch::Tensor& latent, const torch::Tensor& xyz) override;
  /// The code's share of the layers that see it (the first, and those in latent_in) computed
  /// once per shape: [W_z W_x] [z; x] = W_z z + W_x x, W_z z broadcast over the shape's rows.
  torch::Tensor forward_shapes(const torch::Tensor& codes, int64_t rows_per_code,
                               const torch::Tensor& xyz) override;

 private:
  bool reinjected(size_t layer) const;
  torch::Tensor layer_weight(size_t layer) const;
  torch::Tensor layer_bias(size_t layer) const;
  torch::Tensor activate(size_t layer, const torch::Tensor& h);

  Options options_;
  std::vector<WeightNormLinear> wn_layers_;     // with weight_norm
  std::vector<torch::nn::Linear> plain_layers_;  // without
  std::vector<torch::nn::PReLU> prelus_;
};
TORCH_MODULE(DeepSdfDecoder);

}  // namespace nsdf::models
