#pragma once
// Decoders map (latent code, xyz) to a signed distance (registry family "model").
//
// Every decoder takes a latent code so that single-shape fitting (latent size 0) and shape
// spaces (DeepSDF auto-decoder) share one interface.

#include <torch/torch.h>

#include <cstdint>

#include "core/Registry.h"

namespace nsdf {

/// What a decoder needs to know from the experiment that builds it.
struct ModelContext {
  int64_t latent_size = 0;  // 0 for single-shape fits
};

class Decoder : public torch::nn::Module {
 public:
  /// latent: [N, latent_size] (undefined when latent_size() == 0); xyz: [N, 3] -> [N, 1].
  virtual torch::Tensor forward(const torch::Tensor& latent, const torch::Tensor& xyz) = 0;
  virtual int64_t latent_size() const = 0;
};

using ModelRegistry = Registry<Decoder, const ModelContext&>;

/// Registers the built-in decoders (deepsdf, igr, siren).
void register_builtin_models(ModelRegistry& registry);

}  // namespace nsdf
