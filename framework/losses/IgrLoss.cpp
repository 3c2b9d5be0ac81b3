#include "losses/IgrLoss.h"

namespace nsdf {

void IgrLossOptions::declare(OptionSet<IgrLossOptions>& s) {
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
  s.add("code_reg", &O::code_reg, "weight of mean ||z|| (shape spaces)").non_negative();
}

LossResult IgrLoss::compute(Decoder& decoder, const LossBatch& batch) {
  const bool normals = batch.normals.defined() && options_.tau > 0;
  const torch::Tensor x = normals ? batch.xyz.detach().requires_grad_(true) : batch.xyz;
  const torch::Tensor f = decoder.forward(batch.latent, x);
  const torch::Tensor surface = f.abs().mean();
  LossResult r{surface, {{"surface", surface}}};
  if (normals) {
    const torch::Tensor normal = (spatial_gradient(f, x) - batch.normals).norm(2, {1}).mean();
    r.total = r.total + options_.tau * normal;
    r.terms.emplace_back("normal", normal);
  }
  if (options_.lambda > 0) {
    const OffSurfacePoints y =
        sample_off_surface(batch, options_.sigma, options_.uniform_fraction, options_.domain);
    const torch::Tensor g = spatial_gradient(decoder.forward(y.latent, y.xyz), y.xyz);
    const torch::Tensor eikonal = (g.norm(2, {1}) - 1).pow(2).mean();
    r.total = r.total + options_.lambda * eikonal;
    r.terms.emplace_back("eikonal", eikonal);
  }
  if (options_.code_reg > 0 && batch.codes.defined()) {
    const torch::Tensor reg = batch.codes.norm(2, {1}).mean();
    r.total = r.total + options_.code_reg * reg;
    r.terms.emplace_back("code_norm", reg);
  }
  return r;
}

}  // namespace nsdf
