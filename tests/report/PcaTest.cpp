#include "report/Pca.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "core/Error.h"

namespace nsdf::report {
namespace {

TEST(Pca, FindsTheDirectionsOfLargestVariance) {
  // Codes in 5-D: variance 9 along (1, 1, 0, 0, 0)/sqrt2, 1 along e3, 0.01 elsewhere.
  std::mt19937 rng(3);
  std::normal_distribution<double> g;
  std::vector<std::vector<float>> codes;
  std::vector<double> a_true, b_true;
  for (int i = 0; i < 400; ++i) {
    const double a = 3 * g(rng), b = g(rng);
    a_true.push_back(a);
    b_true.push_back(b);
    codes.push_back({static_cast<float>(a / std::sqrt(2) + 0.1 * g(rng)),
                     static_cast<float>(a / std::sqrt(2) + 0.1 * g(rng)),
                     static_cast<float>(b + 0.1 * g(rng)), static_cast<float>(0.1 * g(rng)),
                     static_cast<float>(0.1 * g(rng) + 5)});
  }
  const Projection2d p = pca_2d(codes);
  ASSERT_EQ(p.points.size(), codes.size());
  EXPECT_NEAR(p.explained[0], 9.0 / 10.05, 0.03);
  EXPECT_NEAR(p.explained[1], 1.0 / 10.05, 0.02);
  // The first coordinate follows a (up to sign), the second b.
  double ca = 0, cb = 0, na = 0, nb = 0, pa = 0, pb = 0;
  for (std::size_t i = 0; i < codes.size(); ++i) {
    ca += p.points[i][0] * a_true[i];
    cb += p.points[i][1] * b_true[i];
    na += a_true[i] * a_true[i];
    nb += b_true[i] * b_true[i];
    pa += p.points[i][0] * p.points[i][0];
    pb += p.points[i][1] * p.points[i][1];
  }
  EXPECT_GT(std::abs(ca) / std::sqrt(na * pa), 0.99);
  EXPECT_GT(std::abs(cb) / std::sqrt(nb * pb), 0.98);
}

TEST(Pca, DegenerateInputsGiveZeros) {
  EXPECT_TRUE(pca_2d({}).points.empty());
  const Projection2d one = pca_2d({{1, 2, 3}});
  EXPECT_EQ(one.points[0][0], 0);
  const Projection2d same = pca_2d({{1, 2}, {1, 2}, {1, 2}});
  for (const auto& q : same.points) EXPECT_EQ(q[0], 0);
}

TEST(Pca, RejectsRaggedOrNonFiniteCodes) {
  EXPECT_THROW(pca_2d({{1, 2}, {1}}), core::DataError);
  EXPECT_THROW(pca_2d({{1, 2}, {1, NAN}}), core::DataError);
}

}  // namespace
}  // namespace nsdf::report
