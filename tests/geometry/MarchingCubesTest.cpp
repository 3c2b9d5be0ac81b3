#include <gtest/gtest.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <random>
#include <string>

#include "core/Error.h"
#include "geometry/AnalyticShapes.h"
#include "geometry/MarchingCubes.h"
#include "geometry/MarchingCubesTables.h"
#include "geometry/MeshTopology.h"

namespace nsdf::geometry {
namespace {

constexpr double kPi = 3.14159265358979323846;

using Field = std::function<double(const Vec3&)>;

// n + 1 points per axis over [-1, 1]^3 (n cells), x fastest.
std::vector<float> sample(const Field& f, int n) {
  std::vector<float> values;
  values.reserve(size_t(n + 1) * (n + 1) * (n + 1));
  const double h = 2.0 / n;
  for (int k = 0; k <= n; ++k)
    for (int j = 0; j <= n; ++j)
      for (int i = 0; i <= n; ++i)
        values.push_back(static_cast<float>(f({-1 + h * i, -1 + h * j, -1 + h * k})));
  return values;
}

Mesh extract(const Field& f, int n) {
  return marching_cubes(sample(f, n), {n + 1, n + 1, n + 1}, {-1, -1, -1}, 2.0 / n);
}

Field sdf_of(const AnalyticShape& s) {
  return [s](const Vec3& p) { return s.sdf(p); };
}

double signed_volume(const Mesh& m) {
  double v = 0;
  for (const Tri& t : m.F) {
    const Vec3f &a = m.V[t[0]], &b = m.V[t[1]], &c = m.V[t[2]];
    v += (double(a[0]) * (double(b[1]) * c[2] - double(b[2]) * c[1]) -
          double(a[1]) * (double(b[0]) * c[2] - double(b[2]) * c[0]) +
          double(a[2]) * (double(b[0]) * c[1] - double(b[1]) * c[0])) /
         6.0;
  }
  return v;
}

std::array<double, 3> face_normal(const Mesh& m, const Tri& t) {
  const Vec3f &a = m.V[t[0]], &b = m.V[t[1]], &c = m.V[t[2]];
  const double u[3] = {double(b[0]) - a[0], double(b[1]) - a[1], double(b[2]) - a[2]};
  const double w[3] = {double(c[0]) - a[0], double(c[1]) - a[1], double(c[2]) - a[2]};
  return {u[1] * w[2] - u[2] * w[1], u[2] * w[0] - u[0] * w[2], u[0] * w[1] - u[1] * w[0]};
}

// Faces with a repeated index or zero area (computed from the float vertices, in double).
int64_t degenerate_faces(const Mesh& m) {
  int64_t bad = 0;
  for (const Tri& t : m.F) {
    const auto n = face_normal(m, t);
    const bool repeated = t[0] == t[1] || t[1] == t[2] || t[0] == t[2];
    bad += repeated || (n[0] == 0 && n[1] == 0 && n[2] == 0);
  }
  return bad;
}

// Checks a closed, manifold, consistently oriented, welded mesh without degenerate faces.
TopologyReport expect_closed_oriented(const Mesh& m, const std::string& what) {
  EXPECT_FALSE(m.F.empty()) << what;
  const TopologyReport r = analyze_topology(m);
  EXPECT_EQ(r.boundary_edges, 0) << what;
  EXPECT_EQ(r.non_manifold_edges, 0) << what;
  EXPECT_EQ(r.non_manifold_vertices, 0) << what;
  EXPECT_EQ(r.degenerate_faces, 0) << what;
  EXPECT_TRUE(r.watertight) << what;
  EXPECT_TRUE(r.consistently_oriented) << what;
  EXPECT_EQ(degenerate_faces(m), 0) << what;
  // Vertices are welded: every vertex is used.
  std::vector<char> used(m.V.size(), 0);
  for (const Tri& t : m.F)
    for (int32_t v : t) used[v] = 1;
  EXPECT_EQ(std::count(used.begin(), used.end(), 0), 0) << what;
  return r;
}

TEST(MarchingCubes, SphereIsClosedGenusZeroAndFacesOutward) {
  AnalyticShape s{AnalyticShape::Kind::Sphere, {0.03, -0.02, 0.01}, {0.5, 0, 0}};
  const int n = 64;
  const std::vector<float> values = sample(sdf_of(s), n);
  const Mesh m = marching_cubes(values, {n + 1, n + 1, n + 1}, {-1, -1, -1}, 2.0 / n);
  const TopologyReport r = expect_closed_oriented(m, "sphere");
  // Welded: exactly one vertex per grid edge with a sign change.
  size_t crossings = 0;
  const auto at = [&](int i, int j, int k) { return values[i + (n + 1) * (j + (n + 1) * k)]; };
  for (int k = 0; k <= n; ++k)
    for (int j = 0; j <= n; ++j)
      for (int i = 0; i <= n; ++i) {
        const bool in = at(i, j, k) < 0;
        crossings += (i < n && in != (at(i + 1, j, k) < 0)) +
                     (j < n && in != (at(i, j + 1, k) < 0)) +
                     (k < n && in != (at(i, j, k + 1) < 0));
      }
  EXPECT_EQ(m.V.size(), crossings);
  EXPECT_EQ(r.euler, 2);
  EXPECT_EQ(r.components, 1);
  EXPECT_NEAR(signed_volume(m), 4.0 / 3.0 * kPi * 0.125, 0.01 * 4.0 / 3.0 * kPi * 0.125);
  for (const Tri& t : m.F) {
    const auto normal = face_normal(m, t);
    const Vec3f& a = m.V[t[0]];
    const double out = normal[0] * (a[0] - s.center[0]) + normal[1] * (a[1] - s.center[1]) +
                       normal[2] * (a[2] - s.center[2]);
    ASSERT_GT(out, 0) << "a face points inward";
  }
}

TEST(MarchingCubes, RoundedBoxIsClosedWithItsVolume) {
  AnalyticShape s{AnalyticShape::Kind::Box, {0.01, 0.02, -0.03}, {0.5, 0.35, 0.3}};
  s.round = 0.1;
  const Mesh m = extract(sdf_of(s), 64);
  const TopologyReport r = expect_closed_oriented(m, "box");
  EXPECT_EQ(r.euler, 2);
  EXPECT_EQ(r.components, 1);
  const double a = 2 * 0.4, b = 2 * 0.25, c = 2 * 0.2, rr = 0.1;  // inner box edges, rounding
  const double volume = a * b * c + 2 * rr * (a * b + b * c + a * c) + kPi * rr * rr * (a + b + c) +
                        4.0 / 3.0 * kPi * rr * rr * rr;
  EXPECT_NEAR(signed_volume(m), volume, 0.01 * volume);
}

TEST(MarchingCubes, TorusHasEulerCharacteristicZero) {
  AnalyticShape s{AnalyticShape::Kind::Torus, {0.02, 0.01, -0.01}, {0.55, 0.2, 0}};
  const Mesh m = extract(sdf_of(s), 64);
  const TopologyReport r = expect_closed_oriented(m, "torus");
  EXPECT_EQ(r.euler, 0);
  EXPECT_EQ(r.components, 1);
  const double volume = 2 * kPi * kPi * 0.55 * 0.2 * 0.2;
  EXPECT_NEAR(signed_volume(m), volume, 0.02 * volume);
}

TEST(MarchingCubes, SuperquadricIsClosedGenusZero) {
  AnalyticShape s{AnalyticShape::Kind::Superquadric, {0, 0.01, 0.02}, {0.6, 0.5, 0.4}};
  s.e1 = 0.4;
  s.e2 = 1.5;
  const Mesh m = extract(sdf_of(s), 64);
  const TopologyReport r = expect_closed_oriented(m, "superquadric");
  EXPECT_EQ(r.euler, 2);
  EXPECT_EQ(r.components, 1);
  EXPECT_GT(signed_volume(m), 0);
}

TEST(MarchingCubes, TwoSeparatedSpheresGiveTwoComponents) {
  AnalyticShape a{AnalyticShape::Kind::Sphere, {-0.45, 0, 0}, {0.3, 0, 0}};
  AnalyticShape b{AnalyticShape::Kind::Sphere, {0.5, 0.1, 0}, {0.25, 0, 0}};
  const Mesh m = extract([&](const Vec3& p) { return std::min(a.sdf(p), b.sdf(p)); }, 48);
  const TopologyReport r = expect_closed_oriented(m, "two spheres");
  EXPECT_EQ(r.components, 2);
  EXPECT_EQ(r.euler, 4);
  const double volume = 4.0 / 3.0 * kPi * (0.3 * 0.3 * 0.3 + 0.25 * 0.25 * 0.25);
  EXPECT_NEAR(signed_volume(m), volume, 0.02 * volume);
}

// Uniform noise is full of ambiguous faces and cells: a face triangulated differently from its
// two sides shows up as boundary or non-manifold edges.
TEST(MarchingCubes, RandomFieldsAreWatertightAndManifold) {
  const int n = 16;
  for (int seed = 0; seed < 100; ++seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<float> u(-1.0f, 1.0f);
    std::vector<float> values(size_t(n) * n * n);
    for (int k = 0; k < n; ++k)
      for (int j = 0; j < n; ++j)
        for (int i = 0; i < n; ++i) {
          const bool border = i == 0 || j == 0 || k == 0 || i == n - 1 || j == n - 1 || k == n - 1;
          values[i + n * (j + n * k)] = border ? 1.0f : u(rng);
        }
    const Mesh m = marching_cubes(values, {n, n, n}, {0, 0, 0}, 1.0);
    const TopologyReport r = expect_closed_oriented(m, "seed " + std::to_string(seed));
    EXPECT_EQ(r.euler % 2, 0) << "seed " << seed;  // closed orientable surfaces
    EXPECT_GT(signed_volume(m), 0) << "seed " << seed;
    if (HasFailure()) break;
  }
}

// Every case-table entry that values can produce: each inside mask of one cell, padded by
// outside values, with random magnitudes until every reachable combination of asymptotic
// decisions on its ambiguous faces has been seen (plus equal magnitudes, where the decider ties).
TEST(MarchingCubes, AllCubeConfigurationsAreClosed) {
  const mc::CubeTables& tables = mc::cube_tables();
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> log_magnitude(std::log(0.01), 0.0);
  int tested = 0;
  for (int mask = 1; mask < 256; ++mask) {
    std::vector<char> seen(64, 0);
    for (int trial = 0; trial < 2000; ++trial) {
      std::array<float, 8> corner{};
      for (int c = 0; c < 8; ++c) {
        const float m = trial == 0 ? 1.0f : float(std::exp(log_magnitude(rng)));
        corner[c] = ((mask >> c) & 1) ? -m : m;
      }
      // The face decisions these values lead to, as in polygonize_cell; test each once.
      int connected = 0;
      for (int f = 0; f < 6; ++f) {
        if (((tables.ambiguous_faces[mask] >> f) & 1) == 0) continue;
        const auto& q = tables.face_corners[f];
        const double p02 = double(corner[q[0]]) * corner[q[2]];
        const double p13 = double(corner[q[1]]) * corner[q[3]];
        if (((mask >> q[0]) & 1) ? p02 > p13 : p13 > p02) connected |= 1 << f;
      }
      if (seen[connected] && trial > 0) continue;
      seen[connected] = 1;
      ++tested;
      std::vector<float> values(64, 1.0f);
      for (int c = 0; c < 8; ++c)
        values[(1 + (c & 1)) + 4 * ((1 + ((c >> 1) & 1)) + 4 * (1 + ((c >> 2) & 1)))] = corner[c];
      const Mesh m = marching_cubes(values, {4, 4, 4}, {0, 0, 0}, 1.0);
      const std::string what = "mask " + std::to_string(mask) + " connected faces " +
                               std::to_string(connected) + " trial " + std::to_string(trial);
      const TopologyReport r = expect_closed_oriented(m, what);
      EXPECT_EQ(r.euler, 2 * r.components) << what;  // spheres only: no tunnels are made
      EXPECT_GT(signed_volume(m), 0) << what;
      if (HasFailure()) return;
    }
  }
  // Masks 1-255 have 655 table entries; the 36 never reached belong to the two checkerboard
  // masks and ask for face decisions that trilinear values seem unable to give (400k random
  // samples per mask found none).
  EXPECT_GE(tested, 619);
}

TEST(MarchingCubes, ErrorShrinksWithCellSize) {
  AnalyticShape s{AnalyticShape::Kind::Sphere, {0.031, -0.017, 0.009}, {0.6, 0, 0}};
  double previous_max = 1e9, previous_mean = 1e9;
  for (int n : {16, 32, 64, 128}) {
    const Mesh m = extract(sdf_of(s), n);
    double max_error = 0, mean_error = 0;
    for (const Vec3f& v : m.V) {
      const double e = std::abs(s.sdf({v[0], v[1], v[2]}));
      max_error = std::max(max_error, e);
      mean_error += e;
    }
    mean_error /= double(m.V.size());
    const double h = 2.0 / n;
    EXPECT_LT(max_error, 0.1 * h) << n;
    EXPECT_LT(max_error, previous_max) << n;
    // Linear interpolation of a smooth distance is second order; ask for at least first.
    EXPECT_LT(mean_error, 0.5 * previous_mean) << n;
    previous_max = max_error;
    previous_mean = mean_error;
  }
}

TEST(MarchingCubes, ValuesExactlyAtIsoGiveNoDegenerateTriangles) {
  // A sphere quantized to half cells: many grid values are exactly 0.
  AnalyticShape s{AnalyticShape::Kind::Sphere, {0, 0, 0}, {0.5, 0, 0}};
  const int n = 32;
  const double q = 1.0 / n;
  const Mesh a = extract([&](const Vec3& p) { return std::round(s.sdf(p) / q) * q; }, n);
  expect_closed_oriented(a, "quantized sphere");
  EXPECT_EQ(analyze_topology(a).euler, 2);

  // An L-infinity ball on integer points: whole faces of grid points at exactly 0.
  const int c = 6;
  std::vector<float> values;
  for (int k = 0; k <= 2 * c; ++k)
    for (int j = 0; j <= 2 * c; ++j)
      for (int i = 0; i <= 2 * c; ++i)
        values.push_back(float(std::max({std::abs(i - c), std::abs(j - c), std::abs(k - c)}) - 3));
  const Mesh b = marching_cubes(values, {2 * c + 1, 2 * c + 1, 2 * c + 1}, {0, 0, 0}, 1.0);
  expect_closed_oriented(b, "integer box");
  EXPECT_EQ(analyze_topology(b).euler, 2);

  // Random -1 / 0 / +1 values inside a positive border.
  const int m = 10;
  for (int seed = 0; seed < 100; ++seed) {
    std::mt19937_64 rng(seed);
    std::uniform_int_distribution<int> u(-1, 1);
    std::vector<float> v(size_t(m) * m * m, 1.0f);
    for (int k = 1; k + 1 < m; ++k)
      for (int j = 1; j + 1 < m; ++j)
        for (int i = 1; i + 1 < m; ++i) v[i + m * (j + m * k)] = float(u(rng));
    const Mesh r = marching_cubes(v, {m, m, m}, {0, 0, 0}, 1.0);
    expect_closed_oriented(r, "ternary seed " + std::to_string(seed));
    if (HasFailure()) break;
  }
}

TEST(MarchingCubes, SameMeshForAnyThreadCount) {
  AnalyticShape s{AnalyticShape::Kind::Torus, {0.02, 0.01, -0.01}, {0.5, 0.2, 0}};
  const std::vector<float> values = sample(sdf_of(s), 96);
  const auto run = [&](int threads) {
    tbb::task_arena arena(threads);
    Mesh m;
    arena.execute([&] { m = marching_cubes(values, {97, 97, 97}, {-1, -1, -1}, 2.0 / 96); });
    return m;
  };
  const Mesh one = run(1), two = run(2);
  EXPECT_EQ(one.V, two.V);
  EXPECT_EQ(one.F, two.F);
}

TEST(MarchingCubes, LayoutIsXFastestAndSpacingPerAxis) {
  // f = x - 1.3 on a 5 x 3 x 4 grid with spacing (0.5, 2, 3): a plane crossing the x edges.
  const std::array<int, 3> dims{5, 3, 4};
  const std::array<double, 3> spacing{0.5, 2.0, 3.0};
  std::vector<float> values;
  for (int k = 0; k < dims[2]; ++k)
    for (int j = 0; j < dims[1]; ++j)
      for (int i = 0; i < dims[0]; ++i) values.push_back(float(0.5 * i - 1.3));
  const Mesh m = marching_cubes(values, dims, {10, 0, 0}, spacing);
  ASSERT_EQ(m.V.size(), size_t(dims[1] * dims[2]));  // one crossing per x row
  ASSERT_EQ(m.F.size(), size_t(2 * (dims[1] - 1) * (dims[2] - 1)));
  for (const Vec3f& v : m.V) {
    EXPECT_NEAR(v[0], 11.3, 1e-5);
    EXPECT_NEAR(std::fmod(v[1], 2.0), 0.0, 1e-6);
    EXPECT_NEAR(std::fmod(v[2], 3.0), 0.0, 1e-6);
  }
  for (const Tri& t : m.F) EXPECT_GT(face_normal(m, t)[0], 0);  // towards +x, the outside
}

TEST(MarchingCubes, RejectsBadInput) {
  std::vector<float> values(27, 1.0f);
  EXPECT_THROW(marching_cubes(values, {3, 3, 2}, {0, 0, 0}, 1.0), core::DataError);
  EXPECT_THROW(marching_cubes(values, {3, 3, 3}, {0, 0, 0}, 0.0), core::DataError);
  values[13] = std::nanf("");
  try {
    marching_cubes(values, {3, 3, 3}, {0, 0, 0}, 1.0);
    FAIL() << "a NaN value was accepted";
  } catch (const core::DataError& e) {
    EXPECT_NE(std::string(e.what()).find("(1, 1, 1)"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(marching_cubes(std::vector<float>(9, -1.0f), {3, 3, 1}, {0, 0, 0}, 1.0).F.empty());
}

// ---------------------------------------------------------------------------------------------

Mesh tetrahedron(int32_t offset = 0) {
  Mesh m;
  m.V = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
  m.F = {{0, 2, 1}, {0, 1, 3}, {0, 3, 2}, {1, 2, 3}};
  for (Tri& t : m.F)
    for (int32_t& v : t) v += offset;
  return m;
}

TEST(MeshTopology, TetrahedronIsClosedAndOriented) {
  const TopologyReport r = analyze_topology(tetrahedron());
  EXPECT_EQ(r.boundary_edges, 0);
  EXPECT_EQ(r.non_manifold_edges, 0);
  EXPECT_EQ(r.non_manifold_vertices, 0);
  EXPECT_EQ(r.components, 1);
  EXPECT_EQ(r.euler, 2);
  EXPECT_TRUE(r.watertight);
  EXPECT_TRUE(r.consistently_oriented);
  EXPECT_GT(signed_volume(tetrahedron()), 0);
}

TEST(MeshTopology, FindsBoundaryFlipsAndNonManifoldElements) {
  Mesh open = tetrahedron();
  open.F.pop_back();
  TopologyReport r = analyze_topology(open);
  EXPECT_EQ(r.boundary_edges, 3);
  EXPECT_FALSE(r.watertight);
  EXPECT_TRUE(r.consistently_oriented);

  Mesh flipped = tetrahedron();
  std::swap(flipped.F[0][1], flipped.F[0][2]);
  EXPECT_FALSE(analyze_topology(flipped).consistently_oriented);

  Mesh fin;  // three triangles on one edge
  fin.V = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}};
  fin.F = {{0, 1, 2}, {1, 0, 3}, {0, 1, 4}};
  EXPECT_EQ(analyze_topology(fin).non_manifold_edges, 1);

  Mesh bowtie = tetrahedron();  // two tetrahedra sharing vertex 3
  Mesh other = tetrahedron(4);
  bowtie.V.insert(bowtie.V.end(), other.V.begin(), other.V.end());
  for (Tri t : other.F) {
    for (int32_t& v : t)
      if (v == 4) v = 3;
    bowtie.F.push_back(t);
  }
  r = analyze_topology(bowtie);
  EXPECT_EQ(r.non_manifold_vertices, 1);
  EXPECT_EQ(r.non_manifold_edges, 0);
  EXPECT_EQ(r.components, 1);
}

TEST(MeshTopology, LargestComponentKeepsTheBiggerSphere) {
  AnalyticShape big{AnalyticShape::Kind::Sphere, {-0.4, 0, 0}, {0.4, 0, 0}};
  AnalyticShape small{AnalyticShape::Kind::Sphere, {0.55, 0, 0}, {0.2, 0, 0}};
  const Mesh both = extract([&](const Vec3& p) { return std::min(small.sdf(p), big.sdf(p)); }, 48);
  const std::vector<int> ids = connected_components(both);
  ASSERT_EQ(ids.size(), both.F.size());
  EXPECT_EQ(*std::max_element(ids.begin(), ids.end()), 1);

  const Mesh kept = largest_component(both);
  const TopologyReport r = analyze_topology(kept);
  EXPECT_EQ(r.components, 1);
  EXPECT_TRUE(r.watertight);
  EXPECT_EQ(r.euler, 2);
  EXPECT_LT(kept.V.size(), both.V.size());
  for (const Vec3f& v : kept.V) ASSERT_LT(std::abs(big.sdf({v[0], v[1], v[2]})), 0.01);
  EXPECT_NEAR(signed_volume(kept), 4.0 / 3.0 * kPi * 0.064, 0.02 * 4.0 / 3.0 * kPi * 0.064);
}

}  // namespace
}  // namespace nsdf::geometry
