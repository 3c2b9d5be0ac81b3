#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "TestMeshes.h"
#include "core/Error.h"
#include "geometry/KdTree.h"
#include "geometry/Sampling.h"
#include "support/ErrorMessage.h"

namespace nsdf::geometry {
namespace {

using Vec3d = std::array<double, 3>;

Vec3d sub(const Vec3f& a, const Vec3f& b) {
  return {double(a[0]) - b[0], double(a[1]) - b[1], double(a[2]) - b[2]};
}
Vec3d cross(const Vec3d& a, const Vec3d& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}
double dot(const Vec3d& a, const Vec3d& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

using test_meshes::cube;
using test_meshes::float_icosphere;

TEST(Sampling, SamplesLieOnTheirFacesWithUnitOutwardFaceNormals) {
  const Vec3f c = {0.3f, -0.2f, 1.5f};
  const Mesh mesh = cube(c);
  std::vector<int32_t> faces;
  const PointCloud cloud = sample_surface(mesh, 10000, 1, &faces);
  ASSERT_EQ(cloud.P.size(), 10000u);
  ASSERT_EQ(cloud.N.size(), 10000u);
  ASSERT_EQ(faces.size(), 10000u);
  std::vector<int> per_face(mesh.F.size(), 0);
  for (size_t i = 0; i < cloud.P.size(); ++i) {
    const Tri& f = mesh.F[faces[i]];
    ++per_face[faces[i]];
    const Vec3f &a = mesh.V[f[0]], &b = mesh.V[f[1]], &cc = mesh.V[f[2]];
    const Vec3d n = cross(sub(b, a), sub(cc, a));
    const double area2 = std::sqrt(dot(n, n));
    const Vec3d unit = {n[0] / area2, n[1] / area2, n[2] / area2};
    // Barycentric coordinates from sub-triangle areas, signed along the face normal.
    const Vec3d pa = sub(cloud.P[i], a);
    EXPECT_NEAR(dot(pa, unit), 0.0, 1e-6) << "sample " << i << " is off its face's plane";
    const double wb = dot(cross(pa, sub(cc, a)), unit) / area2;
    const double wc = dot(cross(sub(b, a), pa), unit) / area2;
    EXPECT_GE(wb, -1e-6);
    EXPECT_GE(wc, -1e-6);
    EXPECT_LE(wb + wc, 1 + 1e-6);
    for (int d = 0; d < 3; ++d) EXPECT_NEAR(cloud.N[i][d], unit[d], 1e-7);
    const Vec3f& q = cloud.N[i];
    EXPECT_NEAR(std::sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2]), 1.0, 1e-6);
    EXPECT_GT(dot({q[0], q[1], q[2]}, sub(cloud.P[i], c)), 0);  // outward
  }
  // 12 faces of equal area: each gets 1/12 (binomial sd ~ 28 samples).
  for (int count : per_face) EXPECT_NEAR(count, 10000 / 12.0, 150);
}

TEST(Sampling, FacesAreWeightedByArea) {
  Mesh mesh;
  mesh.V = {{0, 0, 0}, {1, 0, 0}, {0, 2, 0},   // area 1
            {5, 0, 0}, {7, 0, 0}, {5, 0, 3}};  // area 3
  mesh.F = {{0, 1, 2}, {3, 4, 5}};
  std::vector<int32_t> faces;
  const int n = 40000;
  const PointCloud cloud = sample_surface(mesh, n, 2, &faces);
  const double big = std::count(faces.begin(), faces.end(), 1) / double(n);
  EXPECT_NEAR(big, 0.75, 0.01);  // binomial sd 0.0022
  for (size_t i = 0; i < faces.size(); ++i) EXPECT_EQ(cloud.P[i][0] >= 5, faces[i] == 1);
}

TEST(Sampling, PointsAreUniformWithinATriangle) {
  Mesh mesh;
  mesh.V = {{0, 0, 0}, {2, 0, 0}, {0, 1, 0}};
  mesh.F = {{0, 1, 2}};
  const int n = 100000;
  const PointCloud cloud = sample_surface(mesh, n, 3);
  // Uniform: the mean is the centroid, and the corner triangle cut at half height (a quarter
  // of the area) holds a quarter of the samples, at every corner.
  double mx = 0, my = 0;
  int near_a = 0, near_b = 0, near_c = 0;
  for (const Vec3f& p : cloud.P) {
    mx += p[0];
    my += p[1];
    const double wb = p[0] / 2.0, wc = p[1], wa = 1 - wb - wc;
    near_a += wa > 0.5;
    near_b += wb > 0.5;
    near_c += wc > 0.5;
  }
  EXPECT_NEAR(mx / n, 2.0 / 3, 0.005);
  EXPECT_NEAR(my / n, 1.0 / 3, 0.005);
  for (int count : {near_a, near_b, near_c}) EXPECT_NEAR(count / double(n), 0.25, 0.007);
}

TEST(Sampling, ReproducibleForASeedWithAnyThreadCount) {
  const Mesh mesh = float_icosphere(3);
  auto run = [&](int64_t n, uint64_t seed, int threads) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
    std::vector<int32_t> faces;
    PointCloud c = sample_surface(mesh, n, seed, &faces);
    return std::make_tuple(c.P, c.N, faces);
  };
  const auto a = run(50000, 7, 1);
  EXPECT_TRUE(a == run(50000, 7, 2));
  EXPECT_FALSE(a == run(50000, 8, 2));
  // Sample i does not depend on n: a shorter run is a prefix.
  const auto prefix = run(1000, 7, 2);
  for (size_t i = 0; i < 1000; ++i) EXPECT_EQ(std::get<0>(prefix)[i], std::get<0>(a)[i]);
  EXPECT_TRUE(sample_surface(mesh, 0, 7).P.empty());
}

TEST(Sampling, ZeroAreaFacesGetNoSamples) {
  Mesh mesh;
  mesh.V = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {2, 0, 0}, {0.5f, 0.5f, 1}};
  mesh.F = {{0, 0, 1}, {0, 1, 3}, {0, 1, 2}, {1, 1, 1}, {2, 2, 4}};  // only face 2 has area
  std::vector<int32_t> faces;
  const PointCloud cloud = sample_surface(mesh, 5000, 4, &faces);
  for (int32_t f : faces) EXPECT_EQ(f, 2);
  for (const Vec3f& n : cloud.N) EXPECT_EQ(n, (Vec3f{0, 0, 1}));
}

using test::message_of;

TEST(Sampling, BadMeshesAreClearErrors) {
  EXPECT_THROW(sample_surface(Mesh{}, 10, 0), core::DataError);
  Mesh flat;
  flat.V = {{0, 0, 0}, {1, 0, 0}, {2, 0, 0}};
  flat.F = {{0, 1, 2}, {0, 0, 1}};
  EXPECT_NE(message_of<core::DataError>([&] {
              sample_surface(flat, 10, 0);
            }).find("no face of positive area"),
            std::string::npos);
  Mesh bad = cube({0, 0, 0});
  bad.F[3][1] = 8;
  EXPECT_NE(message_of<core::DataError>([&] {
              sample_surface(bad, 10, 0);
            }).find("face 3 has vertex index 8, the mesh has 8 vertices"),
            std::string::npos);
  Mesh nan = cube({0, 0, 0});
  nan.V[2][1] = NAN;
  EXPECT_THROW(sample_surface(nan, 10, 0), core::DataError);
  EXPECT_THROW(sample_surface(cube({0, 0, 0}), -1, 0), core::ConfigError);
}

TEST(PoissonDisk, KeptPointsAreSeparatedAndCoverTheCloud) {
  const std::vector<Vec3f> P = sample_surface(float_icosphere(3), 30000, 5).P;
  const float radius = 0.08f;
  const std::vector<int32_t> kept = poisson_disk_subsample(P, radius, 6);
  ASSERT_GT(kept.size(), 500u);  // area 4 pi / (pi (r/2)^2) bounds it above by ~2500
  ASSERT_LT(kept.size(), 2600u);
  EXPECT_TRUE(std::is_sorted(kept.begin(), kept.end()));
  EXPECT_EQ(std::adjacent_find(kept.begin(), kept.end()), kept.end());
  for (size_t a = 0; a < kept.size(); ++a)
    for (size_t b = a + 1; b < kept.size(); ++b) {
      const Vec3d d = sub(P[kept[a]], P[kept[b]]);
      ASSERT_GE(std::sqrt(dot(d, d)), radius) << kept[a] << " " << kept[b];
    }
  std::vector<Vec3f> K;
  for (int32_t i : kept) K.push_back(P[i]);
  const KdTree tree(K);
  for (const Neighbor& n : tree.nearest_all(P)) EXPECT_LT(std::sqrt(n.squared_distance), radius);
}

TEST(PoissonDisk, DeterministicForASeed) {
  std::vector<Vec3f> P = sample_surface(cube({0, 0, 0}), 20000, 7).P;
  for (int i = 0; i < 2000; ++i) P.push_back(P[i * 3]);  // duplicates are never both kept
  auto run = [&](uint64_t seed, int threads) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
    return poisson_disk_subsample(P, 0.05f, seed);
  };
  const auto a = run(1, 1);
  EXPECT_EQ(a, run(1, 2));
  EXPECT_NE(a, run(2, 2));
  std::vector<Vec3f> K;
  for (int32_t i : a) K.push_back(P[i]);
  std::sort(K.begin(), K.end());
  EXPECT_EQ(std::adjacent_find(K.begin(), K.end()), K.end());
}

TEST(PoissonDisk, EdgeCasesAndErrors) {
  EXPECT_TRUE(poisson_disk_subsample({}, 0.1f, 0).empty());
  EXPECT_EQ(poisson_disk_subsample({{1, 2, 3}}, 0.1f, 0), std::vector<int32_t>{0});
  EXPECT_EQ(poisson_disk_subsample(std::vector<Vec3f>(5, Vec3f{1, 2, 3}), 0.1f, 0).size(), 1u);
  // Far larger radius than the cloud: a single point survives.
  EXPECT_EQ(poisson_disk_subsample({{0, 0, 0}, {1, 0, 0}, {0, 1, 0}}, 10.0f, 3).size(), 1u);
  EXPECT_THROW(poisson_disk_subsample({{0, 0, 0}}, 0.0f, 0), core::ConfigError);
  EXPECT_THROW(poisson_disk_subsample({{0, 0, 0}}, NAN, 0), core::ConfigError);
  EXPECT_THROW(poisson_disk_subsample({{0, 0, 0}, {1e9f, 0, 0}}, 1e-3f, 0), core::ConfigError);
  EXPECT_THROW(poisson_disk_subsample({{0, 0, 0}, {0, NAN, 0}}, 0.1f, 0), core::DataError);
}

}  // namespace
}  // namespace nsdf::geometry
