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

namespace nsdf::losses {

struct LossBatch {
  torch::Tensor xyz;     // [N, 3] SDF samples (regression) or surface points (point-cloud fits)
  torch::Tensor sdf;     // [N, 1] target signed distances (regression losses)
  torch::Tensor normals; // [N, 3] unit normals at surface points; undefined when unknown
  torch::Tensor sigma;   // [N, 1] std of the off-surface samples around each surface point
                         // (IGR: distance to the 50th neighbour); undefined: the loss's default
  torch::Tensor latent;  // [N, L] code per point, undefined for single shapes
  torch::Tensor codes;   // [K, L] the distinct codes of the batch (latent regularizers)
  int64_t rows_per_code = 0;  // > 0: the rows are K blocks of this many, block k of codes[k]
                              // (shape spaces: Decoder::forward_shapes can share the code)
  int64_t epoch = 0;     // for ramped terms
};

struct LossResult {
  torch::Tensor total;
  std::vector<std::pair<std::string, torch::Tensor>> terms;

  /// Multiplies the total and every term by `factor` (a data-parallel rank's share).
  void scale(double factor) {
    total = total * factor;
    for (auto& term : terms) term.second = term.second * factor;
  }
};

class Loss {
 public:
  virtual ~Loss() = default;
  virtual LossResult compute(models::Decoder& decoder, const LossBatch& batch) = 0;
  /// The signed distance that the decoder's output f represents, for meshing and metrics.
  /// Identity for losses that train an SDF; PHASE trains a density u in (-1, 1) whose log
  /// transform is the SDF. Applied element-wise to a batch of outputs, without gradients.
  virtual torch::Tensor to_sdf(const torch::Tensor& f) const { return f; }
  /// True when fitting a point cloud (a batch without `sdf`) needs normals: the fit experiment
  /// then estimates them when the input has none.
  virtual bool needs_normals() const { return false; }
  /// True when the loss can learn from SDF samples (a batch with `sdf`); losses that fit
  /// surface points (IGR, PHASE, SIREN) return false: a shape space must not give them SDF
  /// samples as if they were surface points.
  virtual bool regresses_sdf() const { return true; }
};

using LossRegistry = core::Registry<Loss>;

/// Registers the built-in losses (clamped_l1, igr, phase, siren_sdf).
void register_builtin_losses(LossRegistry& registry);

/// d f / d x for f [N, 1] computed from x [N, 3] (which must require grad), keeping the graph so
/// that losses on the gradient (eikonal, normals) back-propagate (double backward).
torch::Tensor spatial_gradient(const torch::Tensor& f, const torch::Tensor& x);

/// The codes of a batch's points followed by `extra` codes copied from random rows, for points
/// added to the batch (off-surface samples); undefined when the batch has no codes.
torch::Tensor with_random_codes(const torch::Tensor& latent, int64_t extra);

/// Off-surface points and their latent codes, from sample_off_surface().
struct OffSurfacePoints {
  torch::Tensor xyz;     // [M, 3], requires grad
  torch::Tensor latent;  // [M, L] or undefined
};

/// Points around surface points for eikonal terms: one Gaussian sample per point (std sigma
/// [N, 1], or `default_sigma` when sigma is undefined) plus round(N * uniform_fraction) uniform
/// points in [-domain, domain]^3; and a latent code for each (the code of a random row for the
/// uniform ones). Drawn from torch's default generator (so checkpointed runs resume exactly).
OffSurfacePoints sample_off_surface(const LossBatch& batch, double default_sigma,
                                    double uniform_fraction, double domain);

}  // namespace nsdf::losses
