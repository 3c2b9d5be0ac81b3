#include "losses/Loss.h"

#include <cmath>

namespace nsdf::losses {

torch::Tensor spatial_gradient(const torch::Tensor& f, const torch::Tensor& x) {
  return torch::autograd::grad({f}, {x}, {torch::ones_like(f)}, /*retain_graph=*/true,
                               /*create_graph=*/true)[0];
}

torch::Tensor with_random_codes(const torch::Tensor& latent, int64_t extra) {
  if (!latent.defined()) return {};
  const torch::Tensor rows = torch::randint(
      latent.size(0), {extra}, torch::TensorOptions().dtype(torch::kLong).device(latent.device()));
  return torch::cat({latent, latent.index_select(0, rows)}, 0);
}

OffSurfacePoints sample_off_surface(const LossBatch& batch, double default_sigma,
                                    double uniform_fraction, double domain) {
  const torch::Tensor x = batch.xyz.detach();
  const int64_t n = x.size(0);
  const auto opts = x.options();
  const torch::Tensor sigma = batch.sigma.defined() ? batch.sigma.detach().view({n, 1})
                                                    : torch::full({n, 1}, default_sigma, opts);
  const torch::Tensor near = x + torch::randn({n, 3}, opts) * sigma;
  const auto n_uniform = static_cast<int64_t>(std::llround(n * uniform_fraction));
  const torch::Tensor uniform = (torch::rand({n_uniform, 3}, opts) * 2 - 1) * domain;
  OffSurfacePoints out;
  out.xyz = torch::cat({near, uniform}, 0).requires_grad_(true);
  out.latent = with_random_codes(batch.latent, n_uniform);
  return out;
}

}  // namespace nsdf::losses
