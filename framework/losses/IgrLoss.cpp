#include "losses/IgrLoss.h"

namespace nsdf::losses {

void IgrLossOptions::declare(core::OptionSet<IgrLossOptions>& s) {
  using O = IgrLossOptions;
  s.add("lambda", &O::lambda, "weight of the eikonal term").non_negative();
  s.add("tau", &O::tau, "weight of the normal term (used when the cloud has normals)")
      .non_negative();
  s.add("sigma", &O::sigma, "std of off-surface samples when no per-point sigma is given")
      .positive();
  s.add("uniform_fraction", &O::uniform_fraction,
        "uniform off-surface samples per surface point (IGR: 1/8)")
      .non_negative();
  s.add("domain", &O::domain, "uniform samples in [-domain, domain]^3").positive();
  declare_code_regularizer(s);
}

LossResult IgrLoss::compute(models::Decoder& decoder, const LossBatch& batch) {
  const bool normals = batch.normals.defined() && options_.tau > 0;
  const bool eikonal = options_.lambda > 0;
  const int64_t n = batch.xyz.size(0);
  // One batched call over [surface points; off-surface points]. The surface rows need grad f
  // only for the normal term: without normals they come first and cost a forward only.
  torch::Tensor xyz = batch.xyz, latent = batch.latent;
  if (eikonal) {
    const OffSurfacePoints y =
        sample_off_surface(batch, options_.sigma, options_.uniform_fraction, options_.domain);
    xyz = torch::cat({batch.xyz.detach(), y.xyz.detach()}, 0);
    if (latent.defined()) latent = torch::cat({batch.latent, y.latent}, 0);
  }
  const int64_t first_grad_row = normals ? 0 : n;
  const models::FieldAndGradient fg = decoder.forward_with_gradient(latent, xyz, first_grad_row);
  const torch::Tensor surface = fg.f.slice(0, 0, n).abs().mean();
  LossResult r{surface, {{"surface", surface}}};
  if (normals) {
    const torch::Tensor normal = (fg.grad.slice(0, 0, n) - batch.normals).norm(2, {1}).mean();
    r.total = r.total + options_.tau * normal;
    r.terms.emplace_back("normal", normal);
  }
  if (eikonal) {
    const torch::Tensor g = fg.grad.slice(0, n - first_grad_row);
    const torch::Tensor eikonal_term = (g.norm(2, {1}) - 1).pow(2).mean();
    r.total = r.total + options_.lambda * eikonal_term;
    r.terms.emplace_back("eikonal", eikonal_term);
  }
  add_code_regularizer(r, batch, options_);
  return r;
}

}  // namespace nsdf::losses
