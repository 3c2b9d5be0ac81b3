#include "losses/PhaseLoss.h"

#include <cmath>
#include <vector>

namespace nsdf::losses {

void PhaseLossOptions::declare(core::OptionSet<PhaseLossOptions>& s) {
  using O = PhaseLossOptions;
  s.add("eps", &O::eps, "phase transition width^2: the interface is ~sqrt(eps) thick (PHASE: 0.01)")
      .positive();
  s.add("reconstruction_weight", &O::reconstruction_weight,
        "weight of |mean of u over a ball| at the points")
      .non_negative();
  s.add("energy_weight", &O::energy_weight,
        "weight of eps^-1/2 (eps ||grad u||^2 + (1 - |u|)^2) on uniform samples")
      .non_negative();
  s.add("normal_weight", &O::normal_weight, "weight of ||grad w - n|| (used with normals)")
      .non_negative();
  s.add("ball_radius", &O::ball_radius, "radius of the ball u is averaged over at each point")
      .non_negative();
  s.add("ball_samples", &O::ball_samples, "points per ball (one when ball_radius is 0)").positive();
  s.add("uniform_fraction", &O::uniform_fraction, "uniform samples per surface point").positive();
  s.add("domain", &O::domain, "uniform samples in [-domain, domain]^3").positive();
  declare_code_regularizer(s);
}

torch::Tensor PhaseLoss::to_sdf(const torch::Tensor& f) const {
  // -log(1 - tanh|f|) = 2|f| + log1p(e^(-2|f|)) - log 2: no 1 - |u| that rounds to 0.
  const torch::Tensor a = f.abs();
  return torch::sign(f) * std::sqrt(options_.eps) *
         (2 * a + torch::log1p(torch::exp(-2 * a)) - std::log(2.0));
}

torch::Tensor PhaseLoss::sdf_gradient(const torch::Tensor& f, const torch::Tensor& x) const {
  // grad w = sqrt(eps) grad u / (1 - |u|) and grad u = (1 - u^2) grad f.
  return std::sqrt(options_.eps) * (1 + torch::tanh(f).abs()) * spatial_gradient(f, x);
}

LossResult PhaseLoss::compute(models::Decoder& decoder, const LossBatch& batch) {
  const torch::Tensor x = batch.xyz.detach();
  const int64_t n = x.size(0);
  const auto opts = x.options();
  const double sqrt_eps = std::sqrt(options_.eps);
  const bool normals = batch.normals.defined() && options_.normal_weight > 0;
  const bool energy = options_.energy_weight > 0;

  // Rows of one batched call: k points uniform in the ball around each x_i (Gaussian
  // direction, radius r * U^(1/3)) for the reconstruction, which needs no gradient, first; then
  // the points themselves (normal term) and m uniform samples (energy), which need grad f.
  const int64_t k = options_.ball_radius > 0 ? options_.ball_samples : 1;
  torch::Tensor ball = x.unsqueeze(1).expand({n, k, 3});
  if (options_.ball_radius > 0) {
    const torch::Tensor dirs = torch::nn::functional::normalize(
        torch::randn({n, k, 3}, opts), torch::nn::functional::NormalizeFuncOptions().dim(2));
    ball = ball + options_.ball_radius * torch::rand({n, k, 1}, opts).pow(1.0 / 3) * dirs;
  }
  const auto m = energy ? static_cast<int64_t>(std::llround(n * options_.uniform_fraction)) : 0;
  const torch::Tensor uniform = (torch::rand({m, 3}, opts) * 2 - 1) * options_.domain;
  std::vector<torch::Tensor> xyz{ball.reshape({n * k, 3})}, latent;
  if (normals) xyz.push_back(x);
  xyz.push_back(uniform);
  if (batch.latent.defined()) {
    latent.push_back(batch.latent.repeat_interleave(k, 0));
    if (normals) latent.push_back(batch.latent);
    latent.push_back(with_random_codes(batch.latent, m).slice(0, n));
  }
  const int64_t grad_rows = n * k;
  const models::FieldAndGradient fg = decoder.forward_with_gradient(
      latent.empty() ? torch::Tensor() : torch::cat(latent, 0), torch::cat(xyz, 0), grad_rows);
  const torch::Tensor u = torch::tanh(fg.f);

  // The mean sits inside the absolute value: u may change sign within the ball, only its
  // average must vanish.
  const torch::Tensor reconstruction = u.slice(0, 0, n * k).view({n, k}).mean(1).abs().mean();
  LossResult r{options_.reconstruction_weight * reconstruction,
               {{"reconstruction", reconstruction}}};
  const torch::Tensor u_grad = u.slice(0, grad_rows);  // the rows fg.grad belongs to
  if (normals) {
    // grad w = sqrt(eps) grad u / (1 - |u|) = sqrt(eps) (1 + |u|) grad f: no 0 / 0 where u
    // rounds to +-1.
    const torch::Tensor grad_w =
        sqrt_eps * (1 + u_grad.slice(0, 0, n).abs()) * fg.grad.slice(0, 0, n);
    const torch::Tensor normal = (grad_w - batch.normals).norm(2, {1}).mean();
    r.total = r.total + options_.normal_weight * normal;
    r.terms.emplace_back("normal", normal);
  }
  if (energy) {
    const int64_t start = normals ? n : 0;
    const torch::Tensor u_y = u_grad.slice(0, start);
    // tanh's chain rule written out: the decoder gives grad f.
    const torch::Tensor grad_u = (1 - u_y.pow(2)) * fg.grad.slice(0, start);
    // eps^-1/2 (eps |grad u|^2 + W(u)) = sqrt(eps) |grad u|^2 + W(u) / sqrt(eps).
    const torch::Tensor density =
        sqrt_eps * grad_u.pow(2).sum(1, /*keepdim=*/true) + (1 - u_y.abs()).pow(2) / sqrt_eps;
    const torch::Tensor e = density.mean();
    r.total = r.total + options_.energy_weight * e;
    r.terms.emplace_back("energy", e);
  }
  add_code_regularizer(r, batch, options_);
  return r;
}

}  // namespace nsdf::losses
