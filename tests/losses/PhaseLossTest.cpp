#include "losses/PhaseLoss.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "models/DeepSdfDecoder.h"
#include "models/IgrDecoder.h"
#include "support/FiniteDifference.h"
#include "support/LossHelpers.h"

namespace nsdf::losses {
namespace {

using test::sphere_batch;
using test::term;

// u is a function of the signed distance d to a shape: the 1D minimizer of the energy,
// u = sign(d) (1 - exp(-|d| / sqrt(eps))), so that w = d exactly; `width` scales its thickness
// (1: the optimal profile).
torch::Tensor profile_f(const torch::Tensor& d, double eps, double width = 1) {
  const torch::Tensor u = torch::sign(d) * (1 - torch::exp(-d.abs() / (width * std::sqrt(eps))));
  return torch::atanh(u);
}

// The profile around a sphere of radius r, shifted so that w = |x| - r + shift.
class ProfileSphere : public models::Decoder {
 public:
  ProfileSphere(double r, double eps, double shift = 0) : r_(r), eps_(eps), shift_(shift) {}
  torch::Tensor forward(const torch::Tensor&, const torch::Tensor& xyz) override {
    return profile_f(xyz.norm(2, {1}, true) - r_ + shift_, eps_);
  }
  int64_t latent_size() const override { return 0; }

 private:
  double r_, eps_, shift_;
};

// The profile across the plane z = 0.
class ProfilePlane : public models::Decoder {
 public:
  ProfilePlane(double eps, double width) : eps_(eps), width_(width) {}
  torch::Tensor forward(const torch::Tensor&, const torch::Tensor& xyz) override {
    return profile_f(xyz.slice(1, 2, 3), eps_, width_);
  }
  int64_t latent_size() const override { return 0; }

 private:
  double eps_, width_;
};

// u = c everywhere (0 * x keeps x in the graph for the spatial gradient).
class ConstantDensity : public models::Decoder {
 public:
  explicit ConstantDensity(double c) : c_(c) {}
  torch::Tensor forward(const torch::Tensor&, const torch::Tensor& xyz) override {
    return 0 * xyz.sum(1, /*keepdim=*/true) + std::atanh(c_);
  }
  int64_t latent_size() const override { return 0; }

 private:
  double c_;
};

TEST(PhaseLoss, ToSdfIsTheLogTransformOfTheDensity) {
  for (double eps : {0.01, 0.04}) {
    PhaseLossOptions o;
    o.eps = eps;
    const PhaseLoss loss(o);
    const torch::Tensor f = torch::linspace(-4, 4, 81, torch::kFloat64);
    const torch::Tensor u = torch::tanh(f);
    const torch::Tensor expected = -std::sqrt(eps) * torch::log(1 - u.abs()) * torch::sign(u);
    EXPECT_TRUE(torch::allclose(loss.to_sdf(f), expected, 1e-12, 1e-14)) << eps;
    EXPECT_TRUE(torch::equal(loss.to_sdf(-f), -loss.to_sdf(f))) << eps;  // odd
    EXPECT_EQ(loss.to_sdf(torch::zeros({1}, torch::kFloat64)).item<double>(), 0.0);
  }
}

TEST(PhaseLoss, ToSdfStaysFiniteAndLinearWhereTanhSaturates) {
  // In float32 tanh(f) rounds to +-1 from |f| ~ 9: the naive log(1 - |u|) would be -inf.
  const PhaseLoss loss(PhaseLossOptions{});
  const torch::Tensor f = torch::tensor({-50.f, -40.f, 40.f, 50.f});
  const torch::Tensor w = loss.to_sdf(f);
  ASSERT_EQ(w.scalar_type(), torch::kFloat32);
  EXPECT_TRUE(torch::isfinite(w).all().item<bool>());
  // -log(1 - tanh f) -> 2f - log 2: w = 0.1 (100 - log 2) at f = 50, slope 2 sqrt(eps).
  EXPECT_NEAR(w[3].item<double>(), 0.1 * (100 - std::log(2.0)), 1e-5);
  EXPECT_NEAR(w[0].item<double>(), -w[3].item<double>(), 0.0);
  EXPECT_NEAR((w[3] - w[2]).item<double>(), 2.0, 1e-5);
}

TEST(PhaseLoss, ConstantDensityCostsTheDoubleWellAndItsValue) {
  // u = c: grad u = 0, so the energy is W(c) / sqrt(eps) = (1 - |c|)^2 / sqrt(eps); the ball
  // mean is c; grad w = 0, so ||grad w - n|| = 1.
  PhaseLossOptions o;
  o.reconstruction_weight = 2;
  o.energy_weight = 3;
  o.normal_weight = 5;
  for (double c : {-0.6, 0.3}) {
    ConstantDensity field(c);
    const LossResult r = PhaseLoss(o).compute(field, sphere_batch(200, 0.5));
    const double energy = (1 - std::abs(c)) * (1 - std::abs(c)) / 0.1;
    EXPECT_NEAR(term(r, "reconstruction"), std::abs(c), 1e-12) << c;
    EXPECT_NEAR(term(r, "energy"), energy, 1e-12) << c;
    EXPECT_NEAR(term(r, "normal"), 1.0, 1e-12) << c;
    EXPECT_NEAR(r.total.item<double>(), 2 * std::abs(c) + 3 * energy + 5, 1e-11) << c;
  }
}

TEST(PhaseLoss, OptimalProfileCostsTwicePerUnitAreaAndWiderOnesMore) {
  // Across the plane z = 0 with u = sign(z) (1 - exp(-|z| / (a sqrt(eps)))), the energy
  // density is (1/a^2 + 1) exp(-2|z| / (a sqrt(eps))); times eps^-1/2, integrated over z in
  // [-D, D] and divided by 2D (uniform samples in the cube):
  //   E(a) = (1 + a^2) / (2 a D) (1 - exp(-2D / (a sqrt(eps)))),
  // minimal at a = 1 with E = 1/D: 2 x interface area / volume (Modica-Mortola).
  PhaseLossOptions o;
  o.uniform_fraction = 200;  // 200k samples: Monte Carlo error ~ 0.7%
  o.normal_weight = 0;
  o.ball_radius = 0;
  LossBatch b;
  b.xyz = torch::zeros({1000, 3}, torch::kFloat64);
  const double d = o.domain;
  for (double a : {1.0, 2.0}) {
    ProfilePlane field(o.eps, a);
    torch::manual_seed(4);
    const LossResult r = PhaseLoss(o).compute(field, b);
    const double expected = (1 + a * a) / (2 * a * d) * (1 - std::exp(-2 * d / (a * 0.1)));
    EXPECT_NEAR(term(r, "energy"), expected, 0.02 * expected) << a;
    EXPECT_NEAR(term(r, "reconstruction"), 0.0, 1e-12) << a;  // u(0) = 0
  }
}

TEST(PhaseLoss, ReconstructionIsTheBallMeanOfTheDensity) {
  PhaseLossOptions o;
  o.ball_radius = 0;
  // u vanishes on the sphere: nothing to pay with ball_radius 0.
  ProfileSphere exact(0.5, o.eps);
  EXPECT_LT(term(PhaseLoss(o).compute(exact, sphere_batch(300, 0.5)), "reconstruction"), 1e-12);
  // Shifted by 0.05: |u| = 1 - exp(-0.05 / 0.1) at every point.
  ProfileSphere shifted(0.5, o.eps, 0.05);
  EXPECT_NEAR(term(PhaseLoss(o).compute(shifted, sphere_batch(300, 0.5)), "reconstruction"),
              1 - std::exp(-0.5), 1e-12);
  // A ball of radius r = 0.02 around points on the sphere, where u ~ d / sqrt(eps): a single
  // sample pays E|u| ~ r / sqrt(eps) E|xi . n| = 0.2 * 3/8 = 0.075 (xi uniform in the unit
  // ball); the mean of 64 is ~0 up to its noise, ~0.2 sqrt(1/5) / 8 = 0.011.
  o.ball_radius = 0.02;
  o.ball_samples = 64;
  const double ball = term(PhaseLoss(o).compute(exact, sphere_batch(300, 0.5)), "reconstruction");
  EXPECT_LT(ball, 0.015);
  o.ball_samples = 1;
  const double single = term(PhaseLoss(o).compute(exact, sphere_batch(300, 0.5)), "reconstruction");
  EXPECT_NEAR(single, 0.075, 0.01);
}

TEST(PhaseLoss, NormalTermComparesTheGradientOfTheDistance) {
  // w = |x| - 0.5 + 0.05 exactly, so grad w = x / |x| = n at the points. There u = 0.39, and
  // sqrt(eps) grad u, equal to grad w only where u = 0, is 0.61 n: the term must use grad w.
  PhaseLossOptions o;
  o.energy_weight = 0;
  ProfileSphere shifted(0.5, o.eps, 0.05);
  LossBatch b = sphere_batch(300, 0.5);
  const PhaseLoss loss(o);
  EXPECT_TRUE(torch::allclose(loss.to_sdf(shifted.forward({}, b.xyz)),
                              torch::full({300, 1}, 0.05, torch::kFloat64), 1e-9, 1e-12));
  EXPECT_LT(term(PhaseLoss(o).compute(shifted, b), "normal"), 1e-8);
  b.normals = -b.normals;
  EXPECT_NEAR(term(PhaseLoss(o).compute(shifted, b), "normal"), 2.0, 1e-8);
  b.normals = torch::Tensor();
  const LossResult r = PhaseLoss(o).compute(shifted, b);
  EXPECT_EQ(r.terms.size(), 1u);  // reconstruction only: no normals, no energy
}

models::IgrDecoder small_net(int64_t width, int64_t latent = 0) {
  models::IgrDecoderOptions mo;
  mo.dims = {width, width, width};
  mo.skip_in = {2};
  models::IgrDecoder net(mo, models::ModelContext{latent});
  net->to(torch::kFloat64);
  return net;
}

TEST(PhaseLoss, SdfGradientMatchesFiniteDifferencesOfToSdf) {
  torch::manual_seed(1);
  models::IgrDecoder net = small_net(16);
  const PhaseLoss loss(PhaseLossOptions{});
  // Points from deep inside to far outside the initial sphere (|f| up to ~1.5).
  const torch::Tensor x =
      ((torch::rand({16, 3}, torch::kFloat64) * 2 - 1) * 1.4).requires_grad_(true);
  const torch::Tensor g = loss.sdf_gradient(net->forward({}, x), x);
  EXPECT_TRUE(test::input_gradient_matches_central_differences(
      [&](const torch::Tensor& p) { return loss.to_sdf(net->forward({}, p)); }, x, g,
      test::CentralDifference{/*step=*/1e-6, /*rtol=*/1e-6, /*atol=*/1e-8}));
}

// Compares the weights' gradient of the loss with central finite differences on a few entries
// of each named parameter.
void expect_weight_gradient_matches_finite_differences(models::Decoder& net,
                                                       const std::vector<std::string>& names) {
  PhaseLossOptions o;
  o.uniform_fraction = 2;
  const LossBatch b = sphere_batch(64, 0.5);
  auto value = [&] {
    torch::manual_seed(3);  // the same ball and uniform samples every time
    return PhaseLoss(o).compute(net, b).total;
  };
  for (const std::string& name : names) {
    const torch::Tensor w = net.named_parameters()[name];
    const torch::Tensor grad = test::backward_gradient(value, w);
    ASSERT_GT(grad.abs().max().item<double>(), 1e-3) << name;
    EXPECT_TRUE(test::gradient_matches_central_differences(
        value, w, grad, {0, 5, 17, 40},
        test::CentralDifference{/*step=*/1e-6, /*rtol=*/0, /*atol=*/1e-6}))
        << name;
  }
}

TEST(PhaseLoss, DoubleBackwardMatchesFiniteDifferencesInTheWeights) {
  // The energy and normal terms depend on grad f: their gradient w.r.t. the weights goes
  // through a second backward pass, by hand in the `igr` decoder and by autograd's double
  // backward in the others (here `deepsdf`).
  torch::manual_seed(2);
  models::IgrDecoder igr = small_net(12);
  expect_weight_gradient_matches_finite_differences(*igr,
                                                    {"lin0.weight", "lin2.weight", "lin3.bias"});
  models::DeepSdfDecoderOptions o;
  o.dims = {12, 12};
  o.latent_in = {};
  o.dropout = 0;
  o.weight_norm = false;
  models::DeepSdfDecoder deepsdf(o, models::ModelContext{0});
  deepsdf->to(torch::kFloat64);
  expect_weight_gradient_matches_finite_differences(*deepsdf, {"lin0.weight", "lin1.weight"});
}

TEST(PhaseLoss, ShapeSpacesRegularizeTheCodes) {
  torch::manual_seed(5);
  models::IgrDecoder net = small_net(16, /*latent=*/2);
  LossBatch b = sphere_batch(40, 0.5);
  b.codes = torch::randn({4, 2}, torch::dtype(torch::kFloat64).requires_grad(true));
  b.latent = b.codes.repeat_interleave(10, 0);
  PhaseLossOptions o;
  o.code_reg = 0.5;
  const LossResult r = PhaseLoss(o).compute(*net, b);
  EXPECT_NEAR(term(r, "code_norm"), b.codes.norm(2, {1}).mean().item<double>(), 1e-12);
  r.total.backward();
  EXPECT_TRUE(b.codes.grad().defined());
  EXPECT_TRUE(torch::isfinite(r.total).item<bool>());
}

// Trains the `igr` decoder (4 x 64, geometric initialization to the sphere of radius 1) with
// Adam on random batches of 250 of the points, and returns the trained field.
models::IgrDecoder fit(const LossBatch& cloud, const PhaseLossOptions& o, bool with_normals,
                       int steps) {
  torch::manual_seed(1);
  models::IgrDecoderOptions mo;
  mo.dims = {64, 64, 64, 64};
  mo.skip_in = {2};
  models::IgrDecoder net(mo, models::ModelContext{0});
  PhaseLoss loss(o);
  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(3e-3));
  const int64_t n = cloud.xyz.size(0);
  for (int step = 0; step < steps; ++step) {
    const torch::Tensor rows = torch::randperm(n).slice(0, 0, 250);
    LossBatch b;
    b.xyz = cloud.xyz.index_select(0, rows);
    if (with_normals) b.normals = cloud.normals.index_select(0, rows);
    opt.zero_grad();
    loss.compute(*net, b).total.backward();
    opt.step();
  }
  return net;
}

TEST(PhaseLoss, FitsASphereWithAndWithoutNormals) {
  // Tiny matrices: one thread is faster than two contending ones (8x on a loaded 2-core box).
  struct OneThread {
    int threads = torch::get_num_threads();
    OneThread() { torch::set_num_threads(1); }
    ~OneThread() { torch::set_num_threads(threads); }
  } one_thread;
  const LossBatch cloud = sphere_batch(2000, 0.5, torch::kFloat32);
  const PhaseLossOptions o;  // the defaults under test
  const PhaseLoss loss(o);
  for (bool normals : {false, true}) {
    SCOPED_TRACE(normals ? "with normals" : "without normals");
    models::IgrDecoder net = fit(cloud, o, normals, 300);
    torch::NoGradGuard no_grad;
    // w at the points moved by t along their normals: the signed distance there is t.
    auto w = [&](double t) {
      return loss.to_sdf(net->forward({}, cloud.xyz + t * cloud.normals)).squeeze(1);
    };
    // Ranges below: measured over fit seeds 1-7 (seed 8 leaves a fold without normals: see
    // energy_weight in PhaseLoss.h).
    EXPECT_LT(w(0).abs().mean().item<double>(), 0.01);  // 0.0013-0.0045
    for (double t : {-0.2, -0.05, 0.05, 0.2})
      EXPECT_TRUE((w(t) * t > 0).all().item<bool>()) << "sign at distance " << t;
    // Within the interface (|d| = sqrt(eps) / 2), w is the distance to within 0.03: measured
    // -0.031..-0.033 / 0.036..0.040 without normals, -0.053..-0.057 / 0.060..0.069 with them
    // (u = tanh(d / sqrt(eps)), the shape the normal term favours, gives w = 0.062 at 0.05).
    EXPECT_NEAR(w(-0.05).mean().item<double>(), -0.05, 0.03);
    EXPECT_NEAR(w(0.05).mean().item<double>(), 0.05, 0.03);
    // At 0.2 = 2 sqrt(eps) the fit resolves w only to within a factor of two, for two measured
    // reasons. Inside, the net's output stays near its initial value -1 for a few hundred steps
    // (f = -1 is w = -0.149): measured -0.121..-0.145. Outside, the profile tanh(d / sqrt(eps))
    // (w = 0.33 at d = 0.2, 2|d| far out) costs only 5% more energy than the optimal one
    // (2.106 vs 2 per unit area), so the energy barely bends f once the normal term has fixed
    // its slope at the surface: measured 0.369..0.399 with normals, 0.201..0.216 without.
    EXPECT_LT(w(-0.2).mean().item<double>(), -0.1);
    EXPECT_GT(w(-0.2).mean().item<double>(), -0.3);
    EXPECT_GT(w(0.2).mean().item<double>(), 0.15);
    EXPECT_LT(w(0.2).mean().item<double>(), normals ? 0.45 : 0.25);
  }
}

}  // namespace
}  // namespace nsdf::losses
