#include "losses/ClampedL1Loss.h"

#include <algorithm>

#include "core/Error.h"

namespace nsdf::losses {

void ClampedL1LossOptions::declare(core::OptionSet<ClampedL1LossOptions>& s) {
  using O = ClampedL1LossOptions;
  s.add("delta", &O::delta, "clamp distance: predictions and targets are clamped to +-delta")
      .positive();
  declare_code_regularizer(s);
  s.add("samples_per_point", &O::samples_per_point,
        "point clouds: samples along the normal per point and step")
      .positive();
  s.add("normal_std", &O::normal_std, "point clouds: std of the offsets along the normal")
      .positive();
}

LossResult ClampedL1Loss::compute(models::Decoder& decoder, const LossBatch& batch) {
  const double d = options_.delta;
  torch::Tensor xyz = batch.xyz, sdf = batch.sdf, latent = batch.latent;
  if (!sdf.defined()) {
    NSDF_CHECK(batch.normals.defined(), core::DataError,
               "clamped_l1: the batch has neither SDF samples nor normals to draw them along");
    const int64_t k = options_.samples_per_point;
    const torch::Tensor x = batch.xyz.detach().repeat({k, 1});
    sdf = torch::randn({x.size(0), 1}, x.options()) * options_.normal_std;
    xyz = x + sdf * batch.normals.detach().repeat({k, 1});
    if (latent.defined()) latent = latent.repeat({k, 1});
  }
  const bool blocks = batch.sdf.defined() && batch.codes.defined() && batch.rows_per_code > 0 &&
                      batch.codes.size(0) * batch.rows_per_code == xyz.size(0);
  const torch::Tensor pred = blocks ? decoder.forward_shapes(batch.codes, batch.rows_per_code, xyz)
                                    : decoder.forward(latent, xyz);
  const torch::Tensor l1 = (pred.clamp(-d, d) - sdf.clamp(-d, d)).abs().mean();
  LossResult r{l1, {{"sdf", l1}}};
  add_code_regularizer(r, batch, options_);
  return r;
}

}  // namespace nsdf::losses
