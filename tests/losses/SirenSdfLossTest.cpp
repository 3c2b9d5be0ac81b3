#include "losses/SirenSdfLoss.h"

#include <gtest/gtest.h>

#include <cmath>

namespace nsdf::losses {
namespace {

class SphereDecoder : public models::Decoder {
 public:
  explicit SphereDecoder(double shift = 0) : shift_(shift) {}
  torch::Tensor forward(const torch::Tensor&, const torch::Tensor& xyz) override {
    return xyz.norm(2, {1}, true) - 0.5 + shift_;
  }
  int64_t latent_size() const override { return 0; }

 private:
  double shift_;
};

LossBatch sphere_batch(int64_t n) {
  torch::manual_seed(0);
  const torch::Tensor dirs = torch::nn::functional::normalize(
      torch::randn({n, 3}, torch::kFloat64), torch::nn::functional::NormalizeFuncOptions().dim(1));
  LossBatch b;
  b.xyz = dirs * 0.5;
  b.normals = dirs;
  return b;
}

double term(const LossResult& r, const std::string& name) {
  for (const auto& [n, v] : r.terms)
    if (n == name) return v.item<double>();
  ADD_FAILURE() << "no term " << name;
  return -1;
}

TEST(SirenSdfLoss, ExactSdfLeavesOnlyTheOffSurfacePenalty) {
  SphereDecoder sphere;
  SirenSdfLoss loss(SirenSdfLossOptions{});
  const LossResult r = loss.compute(sphere, sphere_batch(2000));
  EXPECT_LT(term(r, "surface"), 1e-12);
  EXPECT_LT(term(r, "normal"), 1e-12);
  EXPECT_LT(term(r, "eikonal"), 1e-12);
  // exp(-100 |f|) is tiny except for uniform points within a few hundredths of the sphere.
  EXPECT_GT(term(r, "off_surface"), 0);
  EXPECT_LT(term(r, "off_surface"), 0.01);
}

TEST(SirenSdfLoss, TermsAreAveragedOverTheWholeBatchAsInSiren) {
  SphereDecoder shifted(0.1);  // |f| = 0.1 on the data
  LossBatch b = sphere_batch(100);
  b.normals = -b.normals;  // cos = -1: 1 - cos = 2
  const LossResult r = SirenSdfLoss(SirenSdfLossOptions{}).compute(shifted, b);
  EXPECT_NEAR(term(r, "surface"), 0.1 * 100 / 200, 1e-9);
  EXPECT_NEAR(term(r, "normal"), 2.0 * 100 / 200, 1e-9);
  b.normals = torch::Tensor();
  EXPECT_EQ(SirenSdfLoss(SirenSdfLossOptions{}).compute(shifted, b).terms.size(), 3u);
}

}  // namespace
}  // namespace nsdf::losses
