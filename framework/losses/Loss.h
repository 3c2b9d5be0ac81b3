#pragma once
// Training objectives (registry family "loss").
//
// A loss sees the decoder and one batch; it returns the total to minimize and its named terms
// (logged to metrics.jsonl). Losses that need input gradients (IGR, PHASE, SIREN) compute them
// from batch.xyz with create_graph.

#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

#include "core/Registry.h"
#include "models/Decoder.h"

namespace nsdf {

struct LossBatch {
  torch::Tensor xyz;     // [N, 3] query points
  torch::Tensor sdf;     // [N, 1] target signed distances (regression losses)
  torch::Tensor latent;  // [N, L] code per point, undefined for single shapes
  torch::Tensor codes;   // [K, L] the distinct codes of the batch (latent regularizers)
  int64_t epoch = 0;     // for ramped terms
};

struct LossResult {
  torch::Tensor total;
  std::vector<std::pair<std::string, torch::Tensor>> terms;
};

class Loss {
 public:
  virtual ~Loss() = default;
  virtual LossResult compute(Decoder& decoder, const LossBatch& batch) = 0;
};

using LossRegistry = Registry<Loss>;

/// Registers the built-in losses (clamped_l1).
void register_builtin_losses(LossRegistry& registry);

}  // namespace nsdf
