#include "losses/SirenSdfLoss.h"

namespace nsdf::losses {

void SirenSdfLossOptions::declare(core::OptionSet<SirenSdfLossOptions>& s) {
  using O = SirenSdfLossOptions;
  s.add("surface_weight", &O::surface_weight, "weight of |f| on the surface").non_negative();
  s.add("off_surface_weight", &O::off_surface_weight, "weight of exp(-alpha |f|) off the surface")
      .non_negative();
  s.add("alpha", &O::alpha, "sharpness of the off-surface penalty").positive();
  s.add("normal_weight", &O::normal_weight, "weight of 1 - cos(grad f, n) (with normals)")
      .non_negative();
  s.add("eikonal_weight", &O::eikonal_weight, "weight of | ||grad f|| - 1 |").non_negative();
  s.add("domain", &O::domain, "off-surface points uniform in [-domain, domain]^3").positive();
}

LossResult SirenSdfLoss::compute(models::Decoder& decoder, const LossBatch& batch) {
  const int64_t n = batch.xyz.size(0);
  const auto opts = batch.xyz.options();
  const torch::Tensor uniform = (torch::rand({n, 3}, opts) * 2 - 1) * options_.domain;
  const torch::Tensor x = torch::cat({batch.xyz.detach(), uniform}, 0);
  const models::FieldAndGradient fg =
      decoder.forward_with_gradient(with_random_codes(batch.latent, n), x, /*first_grad_row=*/0);
  const torch::Tensor &f = fg.f, &g = fg.grad;
  const double total_points = 2.0 * n;  // SIREN averages every term over the whole batch
  const torch::Tensor f_on = f.slice(0, 0, n), f_off = f.slice(0, n);
  const torch::Tensor surface = f_on.abs().sum() / total_points;
  const torch::Tensor off = (-options_.alpha * f_off.abs()).exp().sum() / total_points;
  const torch::Tensor eikonal = (g.norm(2, {1}) - 1).abs().sum() / total_points;
  LossResult r{options_.surface_weight * surface + options_.off_surface_weight * off +
                   options_.eikonal_weight * eikonal,
               {{"surface", surface}, {"off_surface", off}, {"eikonal", eikonal}}};
  if (batch.normals.defined() && options_.normal_weight > 0) {
    const torch::Tensor cos =
        torch::cosine_similarity(g.slice(0, 0, n), batch.normals, /*dim=*/1, /*eps=*/1e-8);
    const torch::Tensor normal = (1 - cos).sum() / total_points;
    r.total = r.total + options_.normal_weight * normal;
    r.terms.emplace_back("normal", normal);
  }
  return r;
}

}  // namespace nsdf::losses
