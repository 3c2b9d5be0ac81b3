#include "geometry/Simplify.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/Error.h"
#include "geometry/TestMeshes.h"

namespace nsdf::geometry {
namespace {

TEST(Simplify, ClusteringHonoursTheFaceBudgetAndKeepsTheShape) {
  const Mesh sphere = test_meshes::float_icosphere(6, 1.0f);  // 81920 faces
  ASSERT_GT(sphere.F.size(), 80000u);
  const Mesh small = simplify_by_clustering(sphere, 5000);
  EXPECT_LE(small.F.size(), 5000u);
  EXPECT_GT(small.F.size(), 500u);
  for (const auto& v : small.V) {
    const double r = std::sqrt(double(v[0]) * v[0] + double(v[1]) * v[1] + double(v[2]) * v[2]);
    EXPECT_NEAR(r, 1.0, 0.05);  // cell means stay close to the sphere
  }
  for (const auto& f : small.F) {
    EXPECT_NE(f[0], f[1]);
    EXPECT_NE(f[1], f[2]);
    EXPECT_NE(f[0], f[2]);
    for (int32_t i : f) EXPECT_LT(static_cast<std::size_t>(i), small.V.size());
  }
  // Orientation survives: the signed volume stays positive and close to the sphere's.
  EXPECT_NEAR(test_meshes::signed_volume(small), 4.18879, 0.25);
}

TEST(Simplify, SmallMeshesAreReturnedAsTheyAre) {
  const Mesh cube = test_meshes::cube({0, 0, 0});
  const Mesh same = simplify_by_clustering(cube, 12);
  EXPECT_EQ(same.V, cube.V);
  EXPECT_EQ(same.F, cube.F);
  EXPECT_THROW(simplify_by_clustering(cube, 0), core::DataError);
}

TEST(Simplify, OneCellCollapsesEverything) {
  const Mesh m = cluster_vertices(test_meshes::cube({0, 0, 0}), 1);
  EXPECT_EQ(m.V.size(), 1u);
  EXPECT_TRUE(m.F.empty());
}

}  // namespace
}  // namespace nsdf::geometry
