#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <string>

#include "TestMeshes.h"
#include "core/Error.h"
#include "geometry/AnalyticShapes.h"
#include "geometry/Normals.h"
#include "geometry/Sampling.h"
#include "support/ErrorMessage.h"

namespace nsdf::geometry {
namespace {

using Mat3 = std::array<std::array<double, 3>, 3>;
using NormalFn = std::function<Vec3(const Vec3f&)>;

// Points of AnalyticShapes' sampler: surface points, but unevenly spread, with holes on
// flattened superquadrics.
std::vector<Vec3f> surface_points(const AnalyticShape& shape, int64_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const std::vector<float> flat = sample_surface(shape, n, rng);
  std::vector<Vec3f> P(n);
  for (int64_t i = 0; i < n; ++i) P[i] = {flat[3 * i], flat[3 * i + 1], flat[3 * i + 2]};
  return P;
}

// Uniform points on an axis-aligned ellipsoid's unit sphere, stretched by its semi-axes: no
// holes, density varying with the stretch.
std::vector<Vec3f> ellipsoid_points(const Vec3& c, const Vec3& axes, int64_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> g(0, 1);
  std::vector<Vec3f> P(n);
  for (Vec3f& p : P) {
    const Vec3 d = {g(rng), g(rng), g(rng)};
    const double len = std::sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
    for (int k = 0; k < 3; ++k) p[k] = static_cast<float>(c[k] + axes[k] * d[k] / len);
  }
  return P;
}

// Uniform points on a torus around the y axis (AnalyticShapes' convention): angles drawn
// uniformly, the tube angle thinned by rejection where the surface is narrower.
std::vector<Vec3f> torus_points(const Vec3& c, double R, double r, int64_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> angle(0, 2 * M_PI), u(0, 1);
  std::vector<Vec3f> P;
  while (static_cast<int64_t>(P.size()) < n) {
    const double a = angle(rng), b = angle(rng);
    if (u(rng) * (R + r) > R + r * std::cos(b)) continue;
    P.push_back({static_cast<float>(c[0] + (R + r * std::cos(b)) * std::cos(a)),
                 static_cast<float>(c[1] + r * std::sin(b)),
                 static_cast<float>(c[2] + (R + r * std::cos(b)) * std::sin(a))});
  }
  return P;
}

// The outward unit normal of an analytic shape: its normalized SDF gradient.
NormalFn sdf_normal(const AnalyticShape& shape) {
  return [shape](const Vec3f& p) {
    const double h = 1e-6;
    Vec3 g;
    for (int d = 0; d < 3; ++d) {
      Vec3 a = {p[0], p[1], p[2]}, b = a;
      a[d] += h;
      b[d] -= h;
      g[d] = (shape.sdf(a) - shape.sdf(b)) / (2 * h);
    }
    const double len = std::sqrt(g[0] * g[0] + g[1] * g[1] + g[2] * g[2]);
    return Vec3{g[0] / len, g[1] / len, g[2] / len};
  };
}

double dot(const Vec3f& a, const Vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }

struct Agreement {
  double outward = 0;       // fraction with dot(estimated, true) > 0
  double within = 0;        // fraction within max_degrees of the true normal
  double mean_degrees = 0;  // mean unsigned angle to the true normal
};

Agreement compare(const std::vector<Vec3f>& P, const std::vector<Vec3f>& N, const NormalFn& truth,
                  double max_degrees) {
  Agreement a;
  EXPECT_EQ(N.size(), P.size());
  for (size_t i = 0; i < P.size(); ++i) {
    const double len = std::sqrt(dot(N[i], {N[i][0], N[i][1], N[i][2]}));
    EXPECT_NEAR(len, 1.0, 1e-5) << "normal " << i;
    const double c = std::clamp(dot(N[i], truth(P[i])), -1.0, 1.0);
    const double degrees = std::acos(std::abs(c)) * 180 / M_PI;
    a.outward += c > 0;
    a.within += degrees <= max_degrees;
    a.mean_degrees += degrees;
  }
  a.outward /= P.size();
  a.within /= P.size();
  a.mean_degrees /= P.size();
  return a;
}

TEST(Normals, JacobiEigenSolverDecomposesSymmetricMatrices) {
  std::mt19937_64 rng(1);
  std::normal_distribution<double> g(0, 1);
  std::vector<Mat3> cases = {Mat3{},                                   // zero
                             Mat3{{{2, 0, 0}, {0, 2, 0}, {0, 0, 2}}},  // repeated
                             Mat3{{{1, 1, 1}, {1, 1, 1}, {1, 1, 1}}},  // rank one
                             Mat3{{{3, 0, 0}, {0, -1, 0}, {0, 0, 1e-9}}},
                             Mat3{{{1e8, 1, 0}, {1, 1e-8, 0}, {0, 0, 0}}}};
  for (int t = 0; t < 200; ++t) {
    Mat3 A;
    for (int r = 0; r < 3; ++r)
      for (int c = r; c < 3; ++c) A[r][c] = A[c][r] = g(rng) * std::pow(10.0, t % 7 - 3);
    cases.push_back(A);
  }
  for (const Mat3& A : cases) {
    const SymmetricEigen3 e = symmetric_eigen3(A);
    double norm = 0;
    for (const auto& row : A)
      for (double x : row) norm = std::max(norm, std::abs(x));
    EXPECT_LE(e.values[0], e.values[1]);
    EXPECT_LE(e.values[1], e.values[2]);
    for (int i = 0; i < 3; ++i) {
      for (int j = 0; j < 3; ++j) {
        double vij = 0;
        for (int d = 0; d < 3; ++d) vij += e.vectors[i][d] * e.vectors[j][d];
        EXPECT_NEAR(vij, i == j ? 1.0 : 0.0, 1e-12);
      }
      for (int r = 0; r < 3; ++r) {
        double av = 0;
        for (int c = 0; c < 3; ++c) av += A[r][c] * e.vectors[i][c];
        EXPECT_NEAR(av, e.values[i] * e.vectors[i][r], 1e-12 * std::max(norm, 1e-300));
      }
    }
  }
}

TEST(Normals, SphereNormalsAreAccurateAndPointOutward) {
  const AnalyticShape sphere{AnalyticShape::Kind::Sphere, {0.2, -0.1, 0.15}, {0.5, 0, 0}};
  const auto P = ellipsoid_points(sphere.center, {0.5, 0.5, 0.5}, 5000, 2);
  const auto N = estimate_normals(P, 16);
  const Agreement a = compare(P, N, sdf_normal(sphere), 3.0);
  EXPECT_EQ(a.outward, 1.0);
  EXPECT_GT(a.within, 0.99);
  EXPECT_LT(a.mean_degrees, 1.0);
}

TEST(Normals, TorusNormalsAreAccurateAndPointOutward) {
  const AnalyticShape torus{AnalyticShape::Kind::Torus, {0, 0.1, -0.1}, {0.5, 0.15, 0}};
  const auto P = torus_points(torus.center, 0.5, 0.15, 8000, 3);
  const auto N = estimate_normals(P, 16);
  const Agreement a = compare(P, N, sdf_normal(torus), 5.0);
  EXPECT_GT(a.outward, 0.99);
  EXPECT_GT(a.within, 0.97);
  EXPECT_LT(a.mean_degrees, 2.0);
}

// The exact outward normal of an axis-aligned ellipsoid: the gradient of sum ((x - c) / s)^2.
NormalFn ellipsoid_normal(const Vec3& c, const Vec3& s) {
  return [c, s](const Vec3f& p) {
    Vec3 g;
    for (int d = 0; d < 3; ++d) g[d] = (p[d] - c[d]) / (s[d] * s[d]);
    const double len = std::sqrt(g[0] * g[0] + g[1] * g[1] + g[2] * g[2]);
    return Vec3{g[0] / len, g[1] / len, g[2] / len};
  };
}

TEST(Normals, AnisotropicOffCentreEllipsoid) {
  const Vec3 c = {-0.2, 0.3, 0.1}, s = {0.6, 0.3, 0.12};
  const auto P = ellipsoid_points(c, s, 8000, 4);
  const Agreement a = compare(P, estimate_normals(P, 16), ellipsoid_normal(c, s), 5.0);
  EXPECT_EQ(a.outward, 1.0);
  EXPECT_GT(a.within, 0.95);  // the rim's radius of curvature (0.024) is near the neighbourhood's
}

TEST(Normals, PiecesCutOffBySamplingHolesAreOutward) {
  // AnalyticShapes' sampler leaves the flattened ellipsoid's two caps apart from its band: three
  // k-NN components, and the bottom cap's highest point is no top of the surface.
  const Vec3 c = {-0.2, 0.3, 0.1}, s = {0.6, 0.3, 0.12};
  const AnalyticShape ellipsoid{AnalyticShape::Kind::Superquadric, c, s};
  const auto P = surface_points(ellipsoid, 8000, 4);
  const Agreement a = compare(P, estimate_normals(P, 16), ellipsoid_normal(c, s), 10.0);
  EXPECT_EQ(a.outward, 1.0);
  // A sphere without its equatorial band: two caps, each its own component.
  std::vector<Vec3f> caps;
  for (const Vec3f& p : ellipsoid_points({0, 0, 0}, {0.5, 0.5, 0.5}, 6000, 5))
    if (std::abs(p[2]) > 0.15) caps.push_back(p);
  const Agreement b =
      compare(caps, estimate_normals(caps, 16), ellipsoid_normal({0, 0, 0}, {1, 1, 1}), 5.0);
  EXPECT_EQ(b.outward, 1.0);
  EXPECT_GT(b.within, 0.99);
}

using test_meshes::cube;

TEST(Normals, SharpBoxFacesAreExactAwayFromEdgesAndAllOutward) {
  std::vector<int32_t> faces;
  const PointCloud cloud = sample_surface(cube({0.3f, 0.1f, -0.2f}), 20000, 5, &faces);
  const auto N = estimate_normals(cloud.P, 16);
  size_t index = 0;
  const NormalFn truth = [&](const Vec3f&) {
    const Vec3f& n = cloud.N[index++];
    return Vec3{n[0], n[1], n[2]};
  };
  const Agreement a = compare(cloud.P, N, truth, 2.0);
  EXPECT_GT(a.outward, 0.99);
  EXPECT_GT(a.within, 0.75);  // a neighbourhood's width from an edge, normals blend
}

TEST(Normals, TwoSeparateSpheresAreEachOrientedOutward) {
  const AnalyticShape left{AnalyticShape::Kind::Sphere, {-0.5, 0, 0}, {0.3, 0, 0}};
  const AnalyticShape right{AnalyticShape::Kind::Sphere, {0.5, 0.2, -0.3}, {0.25, 0, 0}};
  auto P = ellipsoid_points(left.center, {0.3, 0.3, 0.3}, 3000, 6);
  const auto Q = ellipsoid_points(right.center, {0.25, 0.25, 0.25}, 2000, 7);
  P.insert(P.end(), Q.begin(), Q.end());
  const auto N = estimate_normals(P, 12);
  const auto left_normal = sdf_normal(left), right_normal = sdf_normal(right);
  const NormalFn truth = [&](const Vec3f& p) {
    return p[0] < 0 ? left_normal(p) : right_normal(p);
  };
  const Agreement a = compare(P, N, truth, 5.0);
  EXPECT_EQ(a.outward, 1.0);
  EXPECT_GT(a.within, 0.99);
}

TEST(Normals, DuplicatePointsShareTheirNormal) {
  const AnalyticShape sphere{AnalyticShape::Kind::Sphere, {0, 0, 0}, {0.5, 0, 0}};
  auto P = ellipsoid_points(sphere.center, {0.5, 0.5, 0.5}, 3000, 8);
  std::mt19937_64 rng(9);
  for (int i = 0; i < 300; ++i) P.push_back(P[rng() % 3000]);
  for (int i = 0; i < 40; ++i) P.push_back(P[17]);  // more copies than k
  P.push_back(P[P.size() - 1]);                     // a duplicate of a duplicate
  const auto N = estimate_normals(P, 16);
  const Agreement a = compare(P, N, sdf_normal(sphere), 3.0);
  EXPECT_EQ(a.outward, 1.0);
  EXPECT_GT(a.within, 0.99);
  for (size_t i = 3000; i < P.size(); ++i) {
    const size_t first = std::find(P.begin(), P.end(), P[i]) - P.begin();
    EXPECT_EQ(N[i], N[first]) << i;
  }
}

TEST(Normals, CollinearAndCoplanarNeighbourhoodsGiveFiniteUnitNormals) {
  std::vector<Vec3f> line;
  for (int i = 0; i < 30; ++i) line.push_back({0.1f * i, 0.5f, -0.25f});
  for (const Vec3f& n : estimate_normals(line, 8)) {
    EXPECT_NEAR(std::sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]), 1.0, 1e-6);
    EXPECT_NEAR(n[0], 0.0, 1e-6);  // perpendicular to the line
  }
  std::vector<Vec3f> plane;
  for (int i = 0; i < 20; ++i)
    for (int j = 0; j < 20; ++j) plane.push_back({0.05f * i, 0.05f * j, 0.3f});
  for (const Vec3f& n : estimate_normals(plane, 10)) EXPECT_NEAR(n[2], 1.0f, 1e-6f);
  // Three distinct positions only: the smallest neighbourhood there is.
  std::vector<Vec3f> three = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {0, 0, 0}, {1, 0, 0}};
  for (const Vec3f& n : estimate_normals(three, 3)) EXPECT_NEAR(n[2], 1.0f, 1e-6f);
}

TEST(Normals, ResultsDoNotDependOnTheThreadCount) {
  const AnalyticShape torus{AnalyticShape::Kind::Torus, {0, 0, 0}, {0.5, 0.2, 0}};
  const auto P = torus_points(torus.center, 0.5, 0.2, 20000, 10);
  auto run = [&](int threads) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
    return estimate_normals(P, 16);
  };
  EXPECT_EQ(run(1), run(2));
}

TEST(Normals, OrientationHelpers) {
  const AnalyticShape sphere{AnalyticShape::Kind::Sphere, {0.1, 0, 0}, {0.5, 0, 0}};
  const auto P = ellipsoid_points(sphere.center, {0.5, 0.5, 0.5}, 3000, 11);
  const auto truth = sdf_normal(sphere);
  std::vector<Vec3f> N(P.size());
  std::mt19937_64 rng(12);
  for (size_t i = 0; i < P.size(); ++i) {
    const Vec3 n = truth(P[i]);
    const float s = (rng() % 2 ? 1.0f : -1.0f) * (1.0f + i % 3);  // random signs and lengths
    N[i] = {float(n[0]) * s, float(n[1]) * s, float(n[2]) * s};
  }
  auto oriented = N;
  orient_normals_consistently(P, oriented, 10);
  for (size_t i = 0; i < P.size(); ++i) {
    EXPECT_GT(dot(oriented[i], truth(P[i])), 0) << i;
    EXPECT_EQ(std::abs(oriented[i][0]), std::abs(N[i][0]));  // lengths kept
  }
  auto away = N;
  orient_normals_away_from(P, away, {0.1f, 0, 0});
  auto towards = N;
  orient_normals_towards(P, towards, {0.1f, 0, 0});
  for (size_t i = 0; i < P.size(); ++i) {
    EXPECT_GT(dot(away[i], truth(P[i])), 0);
    EXPECT_LT(dot(towards[i], truth(P[i])), 0);
  }
  auto unoriented = estimate_unoriented_normals(P, 16);
  orient_normals_away_from(P, unoriented, {0.1f, 0, 0});
  EXPECT_EQ(unoriented, estimate_normals(P, 16));
}

using test::message_of;

TEST(Normals, UserErrorsAreClear) {
  std::vector<Vec3f> twelve;
  for (int i = 0; i < 12; ++i) twelve.push_back({float(i), float(i * i % 5), float(i % 3)});
  EXPECT_EQ(message_of<core::DataError>([&] { estimate_normals(twelve, 50); }),
            "normal estimation: k = 50 but the cloud has only 12 points");
  EXPECT_NE(message_of<core::DataError>([&] {
              estimate_normals(std::vector<Vec3f>(20, Vec3f{1, 2, 3}), 16);
            }).find("only 1 distinct points"),
            std::string::npos);
  EXPECT_THROW(estimate_normals(twelve, 2), core::ConfigError);
  EXPECT_THROW(estimate_normals({}, 16), core::DataError);
  twelve[5][1] = NAN;
  EXPECT_NE(message_of<core::DataError>([&] { estimate_normals(twelve, 4); }).find("point 5"),
            std::string::npos);
  std::vector<Vec3f> N(3);
  EXPECT_THROW(orient_normals_consistently({{0, 0, 0}, {1, 0, 0}}, N, 2), core::DataError);
  EXPECT_THROW(orient_normals_towards({{0, 0, 0}, {1, 0, 0}}, N, {0, 0, 0}), core::DataError);
}

}  // namespace
}  // namespace nsdf::geometry
