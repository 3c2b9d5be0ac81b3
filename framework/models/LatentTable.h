#pragma once
// `table`: one learned latent code per training shape (DeepSDF's auto-decoder; registry family
// "latent"). Codes start as N(0, init_std^2); with max_norm > 0, looked-up codes are
// renormalized to at most that norm, as torch.nn.Embedding(max_norm=...) does (DeepSDF's
// CodeBound).

#include <torch/torch.h>

#include "core/Registry.h"

namespace nsdf::models {

struct LatentTableOptions {
  int64_t size = 256;
  double init_std = 0.0625;
  double max_norm = 1.0;

  static void declare(core::OptionSet<LatentTableOptions>& s);
};

class LatentTableImpl : public torch::nn::Module {
 public:
  using Options = LatentTableOptions;
  static constexpr const char* kDoc =
      "One latent code per training shape, N(0, init_std^2) at start, renormalized to at most "
      "max_norm on lookup (0: unbounded).";

  LatentTableImpl(const Options& options, int64_t num_shapes);
  /// Codes of the given shape indices: [K] -> [K, size].
  torch::Tensor forward(const torch::Tensor& indices);
  /// Applies max_norm to the given codes in place, as a lookup of them does (data-parallel
  /// ranks renormalize the whole global batch's codes so that their tables stay equal).
  void renormalize(const torch::Tensor& indices);
  int64_t code_size() const { return options_.size; }
  int64_t num_shapes() const { return codes.size(0); }
  torch::Tensor codes;

 private:
  Options options_;
};
TORCH_MODULE(LatentTable);

using LatentRegistry = core::Registry<LatentTableImpl, int64_t>;

/// Registers the built-in latent code tables (table).
void register_builtin_latents(LatentRegistry& registry);

}  // namespace nsdf::models
