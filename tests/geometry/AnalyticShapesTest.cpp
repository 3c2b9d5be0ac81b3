#include <gtest/gtest.h>

#include <cmath>

#include "geometry/AnalyticShapes.h"

namespace nsdf::geometry {
namespace {

TEST(AnalyticShapes, ExactDistancesOfSphereBoxTorus) {
  AnalyticShape sphere{AnalyticShape::Kind::Sphere, {0, 0, 0}, {0.5, 0, 0}};
  EXPECT_NEAR(sphere.sdf({1, 0, 0}), 0.5, 1e-12);
  EXPECT_NEAR(sphere.sdf({0, 0, 0}), -0.5, 1e-12);
  AnalyticShape box{AnalyticShape::Kind::Box, {0, 0, 0}, {0.5, 0.5, 0.5}};
  EXPECT_NEAR(box.sdf({1, 0, 0}), 0.5, 1e-12);
  EXPECT_NEAR(box.sdf({1, 1, 0}), std::sqrt(0.5), 1e-12);
  EXPECT_NEAR(box.sdf({0.1, 0, 0}), -0.4, 1e-12);
  AnalyticShape torus{AnalyticShape::Kind::Torus, {0, 0, 0}, {0.5, 0.1, 0}};
  EXPECT_NEAR(torus.sdf({0.5, 0, 0}), -0.1, 1e-12);
  EXPECT_NEAR(torus.sdf({0, 0, 0}), 0.4, 1e-12);
}

TEST(AnalyticShapes, SuperquadricWithUnitExponentsIsAnEllipsoidSurface) {
  AnalyticShape sq{AnalyticShape::Kind::Superquadric, {0, 0, 0}, {0.5, 0.5, 0.5}};
  sq.e1 = sq.e2 = 1.0;
  EXPECT_NEAR(sq.sdf({0.8, 0, 0}), 0.3, 1e-9);  // a sphere: radial distance is exact
  EXPECT_LT(sq.sdf({0.2, 0.1, 0}), 0);
}

TEST(AnalyticShapes, SurfaceSamplesLieOnTheSurfaceAndAreReproducible) {
  for (const auto& name : analytic_kind_names()) {
    std::mt19937_64 rng(7);
    const AnalyticShape s = random_shape(parse_analytic_kind(name), rng);
    std::mt19937_64 a(1), b(1);
    const auto pa = sample_surface(s, 200, a);
    EXPECT_EQ(pa, sample_surface(s, 200, b)) << name;
    for (size_t i = 0; i < 200; ++i)
      EXPECT_LT(std::abs(s.sdf({pa[3 * i], pa[3 * i + 1], pa[3 * i + 2]})), 1e-5) << name;
  }
}

TEST(AnalyticShapes, SdfSamplesCarryExactValues) {
  std::mt19937_64 rng(3);
  AnalyticShape torus{AnalyticShape::Kind::Torus, {0.1, 0, 0}, {0.5, 0.15, 0}};
  const auto rows = sample_sdf(torus, 1000, 0.02, 0.07, 0.1, rng);
  ASSERT_EQ(rows.size(), 4000u);
  int inside = 0;
  for (size_t i = 0; i < 1000; ++i) {
    const double s = torus.sdf({rows[4 * i], rows[4 * i + 1], rows[4 * i + 2]});
    EXPECT_NEAR(rows[4 * i + 3], s, 1e-6);
    inside += s < 0;
  }
  EXPECT_GT(inside, 200);  // near-surface samples fall on both sides
  EXPECT_LT(inside, 800);
}

}  // namespace
}  // namespace nsdf::geometry
