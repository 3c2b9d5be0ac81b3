#pragma once
// Decoders map (latent code, xyz) to a signed distance (registry family "model").
//
// Every decoder takes a latent code so that single-shape fitting (latent size 0) and shape
// spaces (DeepSDF auto-decoder) share one interface.

#include <torch/torch.h>

#include <cstdint>

#include "core/Registry.h"

namespace nsdf::models {

/// What a decoder needs to know from the experiment that builds it.
struct ModelContext {
  int64_t latent_size = 0;  // 0 for single-shape fits
};

/// A decoder's output together with its gradient w.r.t. xyz on some of the rows.
struct FieldAndGradient {
  torch::Tensor f;     // [N, 1]
  torch::Tensor grad;  // [N - first_grad_row, 3]: d f / d xyz for the rows >= first_grad_row
};

class Decoder : public torch::nn::Module {
 public:
  /// latent: [N, latent_size] (undefined when latent_size() == 0); xyz: [N, 3] -> [N, 1].
  virtual torch::Tensor forward(const torch::Tensor& latent, const torch::Tensor& xyz) = 0;
  virtual int64_t latent_size() const = 0;

  /// The field and its spatial gradient, for losses on grad f (eikonal, normals): f on every row,
  /// d f / d xyz only on the rows >= first_grad_row (put the rows that need no gradient first:
  /// they then cost one forward only). With grad mode on, both are differentiable w.r.t. the
  /// parameters and the latent codes (as autograd::grad with create_graph); with grad mode off
  /// they are plain values. Not differentiable w.r.t. xyz.
  ///
  /// The default goes through autograd (forward, then autograd::grad with create_graph, whose
  /// double backward the parameter update then pays); decoders override it with a cheaper
  /// explicit computation when they can.
  /// The field of K shapes at once: codes [K, latent_size], xyz [K n, 3] in K blocks of n rows,
  /// block k belonging to codes[k] -> [K n, 1]. The same as forward(codes repeated n times each,
  /// xyz) (the default); decoders override it when a code shared by n rows saves work.
  virtual torch::Tensor forward_shapes(const torch::Tensor& codes, int64_t rows_per_code,
                                       const torch::Tensor& xyz);

  virtual FieldAndGradient forward_with_gradient(const torch::Tensor& latent,
                                                 const torch::Tensor& xyz, int64_t first_grad_row);
};

using ModelRegistry = core::Registry<Decoder, const ModelContext&>;

/// Registers the built-in decoders (deepsdf, igr, siren).
void register_builtin_models(ModelRegistry& registry);

}  // namespace nsdf::models
