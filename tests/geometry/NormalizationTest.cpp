#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "core/Error.h"
#include "geometry/Normalization.h"

namespace nsdf::geometry {
namespace {

using Vec3d = std::array<double, 3>;

std::vector<Vec3f> random_points(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> x(0.2f, 3.5f), y(-1.5f, -0.5f), z(-0.3f, 0.4f);
  std::vector<Vec3f> V(n);
  for (Vec3f& v : V) v = {x(rng), y(rng), z(rng)};
  return V;
}

Vec3d to_double(const Vec3f& p) { return {p[0], p[1], p[2]}; }
double norm(const Vec3d& p) { return std::sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]); }

TEST(Normalization, DeepSdfUnitSphere) {
  const std::vector<Vec3f> V = random_points(1000, 1);
  const Normalization s = unit_sphere_normalization(V);  // buffer 1.03
  Vec3d lo = {1e9, 1e9, 1e9}, hi = {-1e9, -1e9, -1e9};
  double farthest = 0;
  for (const Vec3f& v : V) {
    const Vec3d p = normalize_point(s, to_double(v));  // DeepSdfFiles.h: the same convention
    farthest = std::max(farthest, norm(p));
    for (int d = 0; d < 3; ++d) {
      lo[d] = std::min(lo[d], p[d]);
      hi[d] = std::max(hi[d], p[d]);
    }
  }
  EXPECT_NEAR(farthest, 1 / 1.03, 1e-12);
  for (int d = 0; d < 3; ++d) EXPECT_NEAR(lo[d] + hi[d], 0.0, 1e-12) << "bbox centre " << d;
  // The float version agrees to float precision.
  double farthest_f = 0;
  for (const Vec3f& p : normalize_points(s, V))
    farthest_f = std::max(farthest_f, norm(to_double(p)));
  EXPECT_NEAR(farthest_f, 1 / 1.03, 1e-6);
  EXPECT_NEAR(unit_sphere_normalization(V, 1.0).scale, s.scale * 1.03, 1e-12);
}

TEST(Normalization, MeshVersionIgnoresUnusedVertices) {
  Mesh mesh;
  mesh.V = random_points(100, 2);
  for (int i = 0; i < 98; ++i) mesh.F.push_back({i, i + 1, i + 2});
  const Normalization expected = unit_sphere_normalization(mesh.V);
  mesh.V.push_back({100, 100, 100});  // a stray vertex no face uses
  const Normalization s = unit_sphere_normalization(mesh);
  EXPECT_EQ(s.offset, expected.offset);
  EXPECT_EQ(s.scale, expected.scale);
  mesh.F.push_back({0, 1, 101});
  EXPECT_THROW(unit_sphere_normalization(mesh), core::DataError);
}

TEST(Normalization, RoundTripRestoresOriginalCoordinates) {
  const std::vector<Vec3f> V = random_points(2000, 3);
  for (const Normalization& s :
       {unit_sphere_normalization(V), bounding_box_normalization(V),
        mean_centering_normalization(V, true), mean_centering_normalization(V)}) {
    const std::vector<Vec3f> back = denormalize_points(s, normalize_points(s, V));
    for (size_t i = 0; i < V.size(); ++i)
      for (int d = 0; d < 3; ++d)
        EXPECT_NEAR(back[i][d], V[i][d], 1e-6 * std::max(1.0f, std::abs(V[i][d])));
    // In double the round trip is exact to rounding.
    for (const Vec3f& v : V) {
      const Vec3d b = denormalize_point(s, normalize_point(s, to_double(v)));
      for (int d = 0; d < 3; ++d) EXPECT_NEAR(b[d], v[d], 1e-12);
    }
    // The inverse transform is a Normalization too.
    const Normalization inv = inverse(s);
    const std::vector<Vec3f> via_inverse = normalize_points(inv, normalize_points(s, V));
    for (size_t i = 0; i < V.size(); ++i)
      for (int d = 0; d < 3; ++d)
        EXPECT_NEAR(via_inverse[i][d], V[i][d], 1e-6 * std::max(1.0f, std::abs(V[i][d])));
    const Normalization twice = inverse(inv);
    EXPECT_NEAR(twice.scale, s.scale, 1e-12 * s.scale);
    for (int d = 0; d < 3; ++d) EXPECT_NEAR(twice.offset[d], s.offset[d], 1e-12);
  }
}

TEST(Normalization, InPlaceAndMeshVersionsAgree) {
  Mesh mesh;
  mesh.V = random_points(50, 4);
  mesh.F = {{0, 1, 2}, {2, 3, 4}};
  mesh.N = std::vector<Vec3f>(50, Vec3f{0, 0, 1});
  const Normalization s = unit_sphere_normalization(mesh.V);
  std::vector<Vec3f> in_place = mesh.V;
  normalize_points_in_place(s, in_place);
  const Mesh normalized = normalize_mesh(s, mesh);
  EXPECT_EQ(normalized.V, in_place);
  EXPECT_EQ(normalized.F, mesh.F);
  EXPECT_EQ(normalized.N, mesh.N);
  const Mesh back = denormalize_mesh(s, normalized);
  denormalize_points_in_place(s, in_place);
  EXPECT_EQ(back.V, in_place);
}

TEST(Normalization, DistancesScaleWithTheTransform) {
  const std::vector<Vec3f> V = random_points(100, 5);
  const Normalization s = unit_sphere_normalization(V);
  const std::vector<Vec3f> W = normalize_points(s, V);
  for (size_t i = 1; i < V.size(); ++i) {
    const Vec3d a = to_double(V[i]), b = to_double(V[i - 1]);
    const Vec3d na = normalize_point(s, a), nb = normalize_point(s, b);
    const double original = norm({a[0] - b[0], a[1] - b[1], a[2] - b[2]});
    const double normalized = norm({na[0] - nb[0], na[1] - nb[1], na[2] - nb[2]});
    EXPECT_NEAR(normalized, normalize_distance(s, original), 1e-12);
    EXPECT_NEAR(denormalize_distance(s, normalized), original, 1e-12);
  }
  // A Chamfer distance of squared distances scales by scale^2.
  EXPECT_NEAR(denormalize_distance(s, denormalize_distance(s, 0.01)), 0.01 / (s.scale * s.scale),
              1e-15);
}

TEST(Normalization, BoundingBoxLongestSideSpansMinusOneToOne) {
  const std::vector<Vec3f> V = random_points(500, 6);  // x is the longest side
  const Normalization s = bounding_box_normalization(V);
  Vec3d lo = {1e9, 1e9, 1e9}, hi = {-1e9, -1e9, -1e9};
  for (const Vec3f& v : V) {
    const Vec3d p = normalize_point(s, to_double(v));
    for (int d = 0; d < 3; ++d) {
      lo[d] = std::min(lo[d], p[d]);
      hi[d] = std::max(hi[d], p[d]);
    }
  }
  EXPECT_NEAR(lo[0], -1, 1e-12);
  EXPECT_NEAR(hi[0], 1, 1e-12);
  for (int d = 1; d < 3; ++d) {
    EXPECT_NEAR(lo[d] + hi[d], 0, 1e-12);
    EXPECT_LT(hi[d], 1);
  }
}

TEST(Normalization, MeanCentering) {
  const std::vector<Vec3f> V = random_points(500, 7);
  const Normalization plain = mean_centering_normalization(V);
  EXPECT_EQ(plain.scale, 1.0);
  const Normalization unit = mean_centering_normalization(V, true);
  Vec3d mean = {0, 0, 0};
  double farthest = 0;
  for (const Vec3f& v : V) {
    const Vec3d p = normalize_point(unit, to_double(v));
    farthest = std::max(farthest, norm(p));
    for (int d = 0; d < 3; ++d) mean[d] += p[d] / V.size();
  }
  for (int d = 0; d < 3; ++d) {
    EXPECT_NEAR(mean[d], 0, 1e-12);
    EXPECT_EQ(unit.offset[d], plain.offset[d]);
  }
  EXPECT_NEAR(farthest, 1, 1e-12);
}

TEST(Normalization, UserErrorsAreClear) {
  EXPECT_THROW(unit_sphere_normalization(std::vector<Vec3f>{}), core::DataError);
  EXPECT_THROW(unit_sphere_normalization(std::vector<Vec3f>(3, Vec3f{1, 2, 3})), core::DataError);
  EXPECT_THROW(bounding_box_normalization(std::vector<Vec3f>(3, Vec3f{1, 2, 3})), core::DataError);
  EXPECT_THROW(mean_centering_normalization(std::vector<Vec3f>(3, Vec3f{1, 2, 3}), true),
               core::DataError);
  EXPECT_EQ(mean_centering_normalization(std::vector<Vec3f>(3, Vec3f{1, 2, 3})).offset[2], -3.0);
  EXPECT_THROW(unit_sphere_normalization({{0, 0, 0}, {1, 1, 1}}, 0.0), core::ConfigError);
  EXPECT_THROW(unit_sphere_normalization({{0, 0, 0}, {1, NAN, 1}}), core::DataError);
  EXPECT_THROW(unit_sphere_normalization(Mesh{}), core::DataError);
  std::vector<Vec3f> P = {{1, 2, 3}};
  EXPECT_THROW(normalize_points_in_place(Normalization{{0, 0, 0}, 0.0}, P), core::DataError);
  EXPECT_THROW(denormalize_distance(Normalization{{0, 0, 0}, -1.0}, 1.0), core::DataError);
  EXPECT_THROW(inverse(Normalization{{NAN, 0, 0}, 1.0}), core::DataError);
}

}  // namespace
}  // namespace nsdf::geometry
