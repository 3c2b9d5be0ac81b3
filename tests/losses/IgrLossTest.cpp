#include "losses/IgrLoss.h"

#include <gtest/gtest.h>

#include "models/DeepSdfDecoder.h"
#include "support/FiniteDifference.h"
#include "support/LossHelpers.h"

namespace nsdf::losses {
namespace {

using test::sphere_batch;
using test::SphereSdf;

TEST(IgrLoss, ExactSdfWithRightNormalsCostsNothing) {
  SphereSdf sphere(0.5);
  IgrLoss loss(IgrLossOptions{});
  const LossResult r = loss.compute(sphere, sphere_batch(512, 0.5));
  EXPECT_LT(r.total.item<double>(), 1e-10);
  ASSERT_EQ(r.terms.size(), 3u);  // surface, normal, eikonal
  EXPECT_EQ(r.terms[1].first, "normal");
}

TEST(IgrLoss, TermsMeasureWhatTheyShould) {
  // A shifted sphere: |f| = 0.1 on the data, gradients stay unit and radial.
  SphereSdf shifted(0.5, 0.1);
  IgrLossOptions o;
  o.lambda = 0;
  IgrLoss loss(o);
  LossBatch b = sphere_batch(256, 0.5);
  EXPECT_NEAR(loss.compute(shifted, b).total.item<double>(), 0.1, 1e-9);
  // Flipped normals: ||grad f - n|| = 2 everywhere.
  b.normals = -b.normals;
  o.tau = 1;
  const LossResult r = IgrLoss(o).compute(shifted, b);
  EXPECT_NEAR(r.terms[1].second.item<double>(), 2.0, 1e-9);
}

TEST(IgrLoss, InputGradientMatchesFiniteDifferences) {
  torch::manual_seed(1);
  models::DeepSdfDecoderOptions o;
  o.dims = {16, 16, 16};
  o.latent_in = {2};
  o.dropout = 0;
  models::DeepSdfDecoderImpl net(o, models::ModelContext{0});
  net.to(torch::kFloat64);
  const torch::Tensor x = torch::rand({8, 3}, torch::kFloat64).requires_grad_(true);
  const torch::Tensor g = spatial_gradient(net.forward({}, x), x);
  EXPECT_TRUE(test::input_gradient_matches_central_differences(
      [&](const torch::Tensor& p) { return net.forward({}, p); }, x, g,
      test::CentralDifference{/*step=*/1e-6, /*rtol=*/1e-6, /*atol=*/1e-7}));
}

TEST(IgrLoss, DoubleBackwardMatchesFiniteDifferencesInTheWeights) {
  // The eikonal and normal terms depend on grad f: their gradient w.r.t. the weights goes
  // through a second backward pass. Compare it with finite differences on a few weights.
  torch::manual_seed(2);
  models::DeepSdfDecoderOptions o;
  o.dims = {12, 12};
  o.latent_in = {};
  o.dropout = 0;
  o.weight_norm = false;
  o.tanh_out = false;
  models::DeepSdfDecoderImpl net(o, models::ModelContext{0});
  net.to(torch::kFloat64);
  IgrLoss loss(IgrLossOptions{});
  LossBatch b = sphere_batch(64, 0.5);
  auto value = [&] {
    torch::manual_seed(3);  // the same off-surface samples every time
    return loss.compute(net, b).total;
  };
  const torch::Tensor w = net.named_parameters()["lin1.weight"];
  const torch::Tensor grad = test::backward_gradient(value, w);
  EXPECT_TRUE(test::gradient_matches_central_differences(
      value, w, grad, {0, 5, 17, 40},
      test::CentralDifference{/*step=*/1e-6, /*rtol=*/0, /*atol=*/1e-5}));
}

TEST(IgrLoss, OffSurfaceSamplesFollowSigmaAndDomain) {
  LossBatch b;
  b.xyz = torch::zeros({4000, 3});
  b.sigma = torch::full({4000, 1}, 0.2);
  torch::manual_seed(0);
  const OffSurfacePoints y = sample_off_surface(b, 0.01, 0.125, 1.5);
  ASSERT_EQ(y.xyz.size(0), 4500);
  EXPECT_NEAR(y.xyz.slice(0, 0, 4000).std().item<double>(), 0.2, 0.01);
  const torch::Tensor uniform = y.xyz.slice(0, 4000);
  EXPECT_LE(uniform.abs().max().item<double>(), 1.5);
  EXPECT_GT(uniform.abs().max().item<double>(), 1.3);
  EXPECT_TRUE(y.xyz.requires_grad());
  EXPECT_FALSE(y.latent.defined());
}

}  // namespace
}  // namespace nsdf::losses
