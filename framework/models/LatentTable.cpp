#include "models/LatentTable.h"

namespace nsdf::models {

void LatentTableOptions::declare(core::OptionSet<LatentTableOptions>& s) {
  using O = LatentTableOptions;
  s.add("size", &O::size, "length of each latent code").positive();
  s.add("init_std", &O::init_std, "std of the initial codes").non_negative();
  s.add("max_norm", &O::max_norm, "codes are renormalized to at most this norm (0: off)")
      .non_negative();
}

LatentTableImpl::LatentTableImpl(const Options& options, int64_t num_shapes)
    : options_(options) {
  codes = register_parameter("codes", torch::randn({num_shapes, options.size}) * options.init_std);
}

void LatentTableImpl::renormalize(const torch::Tensor& indices) {
  if (options_.max_norm <= 0) return;
  torch::NoGradGuard no_grad;
  torch::embedding_renorm_(codes, indices, options_.max_norm, 2.0);
}

torch::Tensor LatentTableImpl::forward(const torch::Tensor& indices) {
  renormalize(indices);
  return torch::embedding(codes, indices);
}

}  // namespace nsdf::models
