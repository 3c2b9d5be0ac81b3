#include "geometry/SurfaceDistance.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/Error.h"

namespace nsdf::geometry {
namespace {

// An octahedron with vertices at distance r from the origin, counter-clockwise from outside.
Mesh octahedron(float r) {
  Mesh m;
  m.V = {{r, 0, 0}, {-r, 0, 0}, {0, r, 0}, {0, -r, 0}, {0, 0, r}, {0, 0, -r}};
  m.F = {{0, 2, 4}, {2, 1, 4}, {1, 3, 4}, {3, 0, 4}, {2, 0, 5}, {1, 2, 5}, {3, 1, 5}, {0, 3, 5}};
  return m;
}

TEST(SurfaceDistance, HandComputedPointSets) {
  PointCloud pred{{{0, 0, 0}, {1, 0, 0}}, {}};
  PointCloud gt{{{0, 0, 0}, {1, 0.5f, 0}, {3, 0, 0}}, {}};
  const SurfaceMatch m = match_surfaces(pred.P, gt.P);
  // pred -> gt: 0, 0.5;  gt -> pred: 0, 0.5, 2
  const SurfaceMetrics s = surface_metrics(pred, gt, m, /*tau=*/0.6);
  EXPECT_NEAR(s.pred_to_gt, 0.25, 1e-7);
  EXPECT_NEAR(s.gt_to_pred, 2.5 / 3, 1e-7);
  EXPECT_NEAR(s.chamfer_l1, (0.25 + 2.5 / 3) / 2, 1e-7);
  EXPECT_NEAR(s.chamfer_l2, 0.25 / 2 + 4.25 / 3, 1e-6);
  EXPECT_NEAR(s.hausdorff, 2.0, 1e-7);
  EXPECT_NEAR(s.hausdorff_pred_to_gt, 0.5, 1e-7);
  EXPECT_NEAR(s.precision, 1.0, 1e-12);
  EXPECT_NEAR(s.recall, 2.0 / 3, 1e-12);
  EXPECT_NEAR(s.fscore, 2 * (2.0 / 3) / (1 + 2.0 / 3), 1e-12);
  EXPECT_FALSE(s.normal_consistency.has_value());
}

TEST(SurfaceDistance, IdenticalSurfacesScorePerfectly) {
  const Mesh m = octahedron(1);
  const PointCloud a = evaluation_points(m, 5000, 1);
  const PointCloud b = evaluation_points(m, 5000, 1);
  const SurfaceMetrics s = surface_metrics(a, b, match_surfaces(a.P, b.P), 0.01);
  EXPECT_EQ(s.chamfer_l1, 0);
  EXPECT_EQ(s.hausdorff, 0);
  EXPECT_EQ(s.fscore, 1);
  ASSERT_TRUE(s.normal_consistency.has_value());
  EXPECT_NEAR(*s.normal_consistency, 1.0, 1e-6);
}

TEST(SurfaceDistance, ScaledShapeDistancesMatchGeometry) {
  // Octahedra of "radius" 1 and 1.1: parallel faces 0.1 / sqrt(3) apart.
  const PointCloud a = evaluation_points(octahedron(1.0f), 20000, 2);
  const PointCloud b = evaluation_points(octahedron(1.1f), 20000, 3);
  const SurfaceMetrics s = surface_metrics(a, b, match_surfaces(a.P, b.P), 0.01);
  const double gap = 0.1 / std::sqrt(3.0);
  EXPECT_NEAR(s.pred_to_gt, gap, 0.01);
  EXPECT_NEAR(s.gt_to_pred, gap, 0.01);
  EXPECT_NEAR(s.chamfer_l2, 2 * gap * gap, 0.002);
  EXPECT_NEAR(*s.normal_consistency, 1.0, 0.05);  // same face directions (edges blend)
  EXPECT_EQ(s.fscore, 0);                         // every point farther than tau
}

TEST(SurfaceDistance, PointCloudGroundTruthIsSubsampledDeterministically) {
  Mesh cloud;
  for (int i = 0; i < 1000; ++i) cloud.V.push_back({float(i), 0, 0});
  const PointCloud a = evaluation_points(cloud, 100, 7);
  EXPECT_EQ(a.P.size(), 100u);
  EXPECT_EQ(a.P, evaluation_points(cloud, 100, 7).P);
  EXPECT_EQ(evaluation_points(cloud, 5000, 7).P.size(), 1000u);  // all points when fewer
  EXPECT_THROW(match_surfaces({}, a.P), core::DataError);
  EXPECT_NEAR(bounding_box_diagonal(cloud.V), 999.0, 1e-9);
}

}  // namespace
}  // namespace nsdf::geometry
