#include "losses/SirenSdfLoss.h"

#include <gtest/gtest.h>

#include <cmath>

#include "support/LossHelpers.h"

namespace nsdf::losses {
namespace {

using test::sphere_batch;
using test::SphereSdf;
using test::term;

TEST(SirenSdfLoss, ExactSdfLeavesOnlyTheOffSurfacePenalty) {
  SphereSdf sphere(0.5);
  SirenSdfLoss loss(SirenSdfLossOptions{});
  const LossResult r = loss.compute(sphere, sphere_batch(2000, 0.5));
  EXPECT_LT(term(r, "surface"), 1e-12);
  EXPECT_LT(term(r, "normal"), 1e-12);
  EXPECT_LT(term(r, "eikonal"), 1e-12);
  // exp(-100 |f|) is tiny except for uniform points within a few hundredths of the sphere.
  EXPECT_GT(term(r, "off_surface"), 0);
  EXPECT_LT(term(r, "off_surface"), 0.01);
}

TEST(SirenSdfLoss, TermsAreAveragedOverTheWholeBatchAsInSiren) {
  SphereSdf shifted(0.5, 0.1);  // |f| = 0.1 on the data
  LossBatch b = sphere_batch(100, 0.5);
  b.normals = -b.normals;  // cos = -1: 1 - cos = 2
  const LossResult r = SirenSdfLoss(SirenSdfLossOptions{}).compute(shifted, b);
  EXPECT_NEAR(term(r, "surface"), 0.1 * 100 / 200, 1e-9);
  EXPECT_NEAR(term(r, "normal"), 2.0 * 100 / 200, 1e-9);
  b.normals = torch::Tensor();
  EXPECT_EQ(SirenSdfLoss(SirenSdfLossOptions{}).compute(shifted, b).terms.size(), 3u);
}

}  // namespace
}  // namespace nsdf::losses
