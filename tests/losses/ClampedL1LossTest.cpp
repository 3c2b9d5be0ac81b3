#include "losses/ClampedL1Loss.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/Error.h"
#include "support/LossHelpers.h"

namespace nsdf::losses {
namespace {

// A decoder whose output is the x coordinate: the loss can be computed by hand.
class XDecoder : public models::Decoder {
 public:
  torch::Tensor forward(const torch::Tensor&, const torch::Tensor& xyz) override {
    return xyz.slice(1, 0, 1);
  }
  int64_t latent_size() const override { return 0; }
};

using test::SphereSdf;

TEST(ClampedL1Loss, PointCloudsAreSampledAlongTheNormals) {
  torch::manual_seed(3);
  SphereSdf sphere(0.5);  // exact: samples x + t n along its normals have SDF t
  ClampedL1LossOptions o;
  o.samples_per_point = 3;
  ClampedL1Loss loss(o);
  EXPECT_TRUE(loss.needs_normals());
  LossBatch b;
  const torch::Tensor n = torch::nn::functional::normalize(
      torch::randn({400, 3}), torch::nn::functional::NormalizeFuncOptions().dim(1));
  b.xyz = 0.5 * n;
  b.normals = n;
  EXPECT_LT(loss.compute(sphere, b).total.item<double>(), 1e-6);  // targets are exact
  // Inward normals: the target is -t where the field is t: mean |clamp(t) - clamp(-t)| =
  // 2 E|t| = 2 * 0.05 * sqrt(2 / pi) (|t| < 0.1 for 95% of the samples; clamping trims it).
  b.normals = -n;
  const double flipped = loss.compute(sphere, b).total.item<double>();
  EXPECT_GT(flipped, 0.07);
  EXPECT_LT(flipped, 2 * 0.05 * std::sqrt(2 / M_PI) + 0.005);
  b.normals = torch::Tensor();
  EXPECT_THROW(loss.compute(sphere, b), core::DataError);
}

TEST(ClampedL1Loss, ClampsPredictionAndTarget) {
  XDecoder dec;
  ClampedL1LossOptions o;
  o.delta = 0.1;
  o.code_reg = 0;
  ClampedL1Loss loss(o);
  LossBatch b;
  b.xyz = torch::tensor({0.05f, 0.f, 0.f, 0.5f, 0.f, 0.f, -0.02f, 0.f, 0.f}).view({3, 3});
  b.sdf = torch::tensor({0.0f, 0.3f, 0.08f}).view({3, 1});
  // |0.05 - 0| + |0.1 - 0.1| + |-0.02 - 0.08| = 0.15, mean 0.05
  EXPECT_NEAR(loss.compute(dec, b).total.item<double>(), 0.05, 1e-7);
}

TEST(ClampedL1Loss, CodeRegularizerRampsIn) {
  XDecoder dec;
  ClampedL1LossOptions o;
  o.code_reg = 0.01;
  o.code_reg_ramp = 100;
  ClampedL1Loss loss(o);
  LossBatch b;
  b.xyz = torch::zeros({2, 3});
  b.sdf = torch::zeros({2, 1});
  b.codes = torch::tensor({3.f, 4.f, 0.f, 2.f}).view({2, 2});  // norms 5 and 2: mean 3.5
  b.epoch = 50;
  const LossResult r = loss.compute(dec, b);
  EXPECT_NEAR(r.total.item<double>(), 0.01 * 0.5 * 3.5, 1e-7);
  ASSERT_EQ(r.terms.size(), 2u);
  EXPECT_EQ(r.terms[1].first, "code_norm");
  b.epoch = 500;
  EXPECT_NEAR(loss.compute(dec, b).total.item<double>(), 0.01 * 3.5, 1e-7);
}

}  // namespace
}  // namespace nsdf::losses
