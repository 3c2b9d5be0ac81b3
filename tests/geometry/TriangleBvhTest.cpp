#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "TestMeshes.h"
#include "core/Error.h"
#include "geometry/QueryOrder.h"
#include "geometry/TriangleBvh.h"

namespace nsdf::geometry {
namespace {

using namespace test_meshes;
using D3 = std::array<double, 3>;

D3 sub(const D3& a, const D3& b) { return {a[0] - b[0], a[1] - b[1], a[2] - b[2]}; }
double dot(const D3& a, const D3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
D3 cross(const D3& a, const D3& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}

double segment_distance2(const D3& p, const D3& a, const D3& b) {
  const D3 ab = sub(b, a);
  const double l2 = dot(ab, ab);
  const double s = l2 > 0 ? std::clamp(dot(sub(p, a), ab) / l2, 0.0, 1.0) : 0.0;
  const D3 c = {a[0] + s * ab[0], a[1] + s * ab[1], a[2] + s * ab[2]};
  const D3 d = sub(p, c);
  return dot(d, d);
}

// An independent point-triangle distance: the plane projection when it falls inside the
// triangle, else the nearest of the three edges.
double reference_distance2(const D3& p, const D3& a, const D3& b, const D3& c) {
  const D3 n = cross(sub(b, a), sub(c, a));
  const double n2 = dot(n, n);
  double best = std::min(
      {segment_distance2(p, a, b), segment_distance2(p, b, c), segment_distance2(p, c, a)});
  if (n2 > 0) {
    const double h = dot(sub(p, a), n) / n2;
    const D3 x = {p[0] - h * n[0], p[1] - h * n[1], p[2] - h * n[2]};
    // Inside when x is on the inner side of all three edges.
    const bool inside = dot(cross(sub(b, a), sub(x, a)), n) >= 0 &&
                        dot(cross(sub(c, b), sub(x, b)), n) >= 0 &&
                        dot(cross(sub(a, c), sub(x, c)), n) >= 0;
    if (inside) best = std::min(best, h * h * n2);
  }
  return best;
}

// A sphere plus a soup: random triangles of all sizes, zero-area triangles (repeated and
// collinear vertices), an exact duplicate face, a duplicated vertex and a non-manifold fan.
Mesh soup_mesh(uint64_t seed) {
  Mesh m = icosphere(0.6, 3);
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(-1.5f, 1.5f), s(0.001f, 0.4f);
  for (int i = 0; i < 300; ++i) {
    const Vec3f c = {u(rng), u(rng), u(rng)};
    const float size = s(rng);
    const int32_t base = static_cast<int32_t>(m.V.size());
    for (int k = 0; k < 3; ++k)
      m.V.push_back({c[0] + size * u(rng), c[1] + size * u(rng), c[2] + size * u(rng)});
    m.F.push_back({base, base + 1, base + 2});
  }
  const int32_t b = static_cast<int32_t>(m.V.size());
  m.V.push_back({0.9f, 0.9f, 0.9f});  // b
  m.V.push_back({1.1f, 1.0f, 0.95f});
  m.V.push_back({1.3f, 1.1f, 1.0f});
  m.V.push_back({0.9f, 0.9f, 0.9f});  // b + 3: a duplicate of b
  m.V.push_back({1.0f, 1.0f, 1.0f});  // b + 4 and b + 5: on the line through b
  m.V.push_back({1.2f, 1.2f, 1.2f});
  m.F.push_back({b, b, b + 1});          // repeated vertex: a segment
  m.F.push_back({b + 2, b + 2, b + 2});  // a point
  m.F.push_back({b, b + 4, b + 5});      // collinear: a segment
  m.F.push_back({b + 3, b + 1, b + 2});  // the same triangle through the duplicated vertex
  m.F.push_back({b, b + 1, b + 2});
  m.F.push_back({b, b + 1, b + 2});              // exact duplicate face
  m.F.push_back(m.F[0]);                         // duplicate of a sphere face
  m.F.push_back({m.F[0][0], m.F[0][1], b + 5});  // third face on a sphere edge: non-manifold
  return m;
}

std::vector<Vec3f> test_queries(const Mesh& m, uint64_t seed) {
  std::vector<Vec3f> Q = near_surface_points(m, 700, 0.01f, seed);
  const std::vector<Vec3f> far = uniform_points(300, 8.0f, seed + 1);
  const std::vector<Vec3f> mid = uniform_points(300, 1.6f, seed + 2);
  Q.insert(Q.end(), far.begin(), far.end());
  Q.insert(Q.end(), mid.begin(), mid.end());
  for (int i = 0; i < 20; ++i) Q.push_back(m.V[m.F[i][0]]);  // exactly on vertices
  return Q;
}

TEST(Bvh, ClosestPointOnTriangleMatchesIndependentReference) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  auto rnd = [&] { return D3{u(rng), u(rng), u(rng)}; };
  for (int i = 0; i < 20000; ++i) {
    D3 a = rnd(), b = rnd(), c = rnd();
    switch (i % 5) {
      case 1:
        b = a;
        break;  // repeated vertex
      case 2:
        c = {0.5 * (a[0] + b[0]), 0.5 * (a[1] + b[1]), 0.5 * (a[2] + b[2])};
        break;
      case 3:
        a = b = c;
        break;  // a point
      default:
        break;
    }
    const D3 p = {3 * u(rng), 3 * u(rng), 3 * u(rng)};
    D3 closest;
    const double d2 = closest_point_on_triangle(p, a, b, c, closest);
    ASSERT_NEAR(d2, reference_distance2(p, a, b, c), 1e-12) << "case " << i;
    const D3 diff = sub(p, closest);
    ASSERT_NEAR(dot(diff, diff), d2, 1e-12);
    // The closest point lies on the triangle: its distance to the triangle is 0.
    ASSERT_NEAR(reference_distance2(closest, a, b, c), 0.0, 1e-20);
  }
}

TEST(Bvh, ClosestPointsEqualBruteForce) {
  const Mesh m = soup_mesh(5);
  const std::vector<Vec3f> Q = test_queries(m, 6);
  for (int leaf : {1, 4, 8}) {
    const TriangleBvh bvh(m, BvhOptions{leaf, 16});
    for (size_t i = 0; i < Q.size(); ++i) {
      const auto [ref_d, ref_face] = brute_force_closest(m, Q[i]);
      const ClosestPoint got = bvh.closest_point(Q[i]);
      ASSERT_NEAR(got.distance, ref_d, 1e-6 * std::max(1.0, ref_d)) << "query " << i;
      // Ties (duplicate faces, shared edges) go to the lowest index, as brute force does.
      EXPECT_EQ(got.triangle, ref_face) << "query " << i << " leaf " << leaf;
      const Tri& t = m.F[got.triangle];
      D3 c;
      const double d2 =
          closest_point_on_triangle(d3(Q[i]), d3(m.V[t[0]]), d3(m.V[t[1]]), d3(m.V[t[2]]), c);
      for (int k = 0; k < 3; ++k) EXPECT_NEAR(got.point[k], c[k], 1e-6);
      EXPECT_NEAR(std::sqrt(d2), got.distance, 1e-6 * std::max(1.0, ref_d));
    }
  }
}

TEST(Bvh, ClosestPointsEqualBruteForceAtAnyScaleAndOffset) {
  // The float distance estimates that filter leaf triangles have an error allowance relative to
  // the coordinates' magnitude: tiny, huge and far-off-origin meshes must stay exact.
  const Mesh base = soup_mesh(21);
  const std::vector<Vec3f> Q0 = test_queries(base, 22);
  for (const auto& [scale, offset] : std::vector<std::pair<float, Vec3f>>{
           {1e-3f, {0, 0, 0}}, {1e3f, {0, 0, 0}}, {1.0f, {1000, -500, 250}}, {1e-2f, {3, 3, 3}}}) {
    Mesh m = base;
    for (Vec3f& v : m.V)
      for (int k = 0; k < 3; ++k) v[k] = v[k] * scale + offset[k];
    std::vector<Vec3f> Q = Q0;
    for (Vec3f& q : Q)
      for (int k = 0; k < 3; ++k) q[k] = q[k] * scale + offset[k];
    const TriangleBvh bvh(m);
    const std::vector<float> dist = bvh.distances(Q);
    for (size_t i = 0; i < Q.size(); ++i) {
      const auto [ref_d, ref_face] = brute_force_closest(m, Q[i]);
      const ClosestPoint got = bvh.closest_point(Q[i]);
      ASSERT_EQ(got.distance, static_cast<float>(ref_d)) << "scale " << scale << " query " << i;
      ASSERT_EQ(got.triangle, ref_face) << "scale " << scale << " query " << i;
      ASSERT_EQ(dist[i], got.distance);
    }
  }
}

TEST(Bvh, SliversAndNeedlesEqualBruteForce) {
  // Fans of ever thinner triangles (angles down to 1e-7 rad) around points near the queries:
  // their float normals are unreliable, so they must reach the exact test.
  Mesh m;
  std::mt19937_64 rng(23);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  for (int i = 0; i < 400; ++i) {
    const Vec3f a = {u(rng), u(rng), u(rng)}, d = {u(rng), u(rng), u(rng)};
    const Vec3f e = {u(rng), u(rng), u(rng)};
    const float thin = std::pow(10.0f, -1.0f - 6.0f * (i % 7) / 6.0f);
    const int32_t base = static_cast<int32_t>(m.V.size());
    m.V.push_back(a);
    m.V.push_back({a[0] + d[0], a[1] + d[1], a[2] + d[2]});
    m.V.push_back(
        {a[0] + d[0] + thin * e[0], a[1] + d[1] + thin * e[1], a[2] + d[2] + thin * e[2]});
    m.F.push_back({base, base + 1, base + 2});
    m.F.push_back({base + 1, base + 2, base});  // the same needle seen from another vertex
  }
  const TriangleBvh bvh(m);
  const std::vector<Vec3f> Q = uniform_points(2000, 1.5f, 24);
  for (size_t i = 0; i < Q.size(); ++i) {
    const auto [ref_d, ref_face] = brute_force_closest(m, Q[i]);
    const ClosestPoint got = bvh.closest_point(Q[i]);
    ASSERT_EQ(got.distance, static_cast<float>(ref_d)) << "query " << i;
    ASSERT_EQ(got.triangle, ref_face) << "query " << i;
  }
}

TEST(Bvh, MortonOrderIsAPermutationKeepingNeighboursTogether) {
  std::vector<Vec3f> P = uniform_points(20000, 1.0f, 25);
  P.push_back({std::nanf(""), 0.0f, 0.0f});  // non-finite points sort last
  const std::vector<uint32_t> order = morton_order(P);
  ASSERT_EQ(order.size(), P.size());
  std::vector<uint32_t> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = 0; i < sorted.size(); ++i) ASSERT_EQ(sorted[i], i);
  EXPECT_EQ(order.back(), P.size() - 1);
  // Consecutive points are close: the mean step is a small fraction of the mean distance
  // between random points (~0.66 * 2 in a cube of side 2).
  double step = 0;
  for (size_t i = 1; i + 1 < order.size(); ++i) {
    const Vec3f &a = P[order[i - 1]], &b = P[order[i]];
    step += std::sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) +
                      (a[2] - b[2]) * (a[2] - b[2]));
  }
  EXPECT_LT(step / (order.size() - 2), 0.1);
}

TEST(Bvh, BatchesEqualSingleQueriesWithAnyThreadCount) {
  const Mesh m = soup_mesh(7);
  std::vector<Vec3f> Q = test_queries(m, 8);
  // Enough queries for the Morton-ordered path.
  for (int rep = 0; rep < 5; ++rep) {
    const std::vector<Vec3f> more = uniform_points(1000, 2.0f, 100 + rep);
    Q.insert(Q.end(), more.begin(), more.end());
  }
  const TriangleBvh bvh(m);
  std::vector<ClosestPoint> single(Q.size());
  for (size_t i = 0; i < Q.size(); ++i) single[i] = bvh.closest_point(Q[i]);
  for (int threads : {1, 2}) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
    const std::vector<ClosestPoint> batch = bvh.closest_points(Q);
    std::vector<int32_t> faces;
    const std::vector<float> dist = bvh.distances(Q, &faces);
    ASSERT_EQ(batch.size(), Q.size());
    for (size_t i = 0; i < Q.size(); ++i) {
      EXPECT_EQ(batch[i].distance, single[i].distance);
      EXPECT_EQ(batch[i].triangle, single[i].triangle);
      EXPECT_EQ(batch[i].point, single[i].point);
      EXPECT_EQ(dist[i], single[i].distance);
      EXPECT_EQ(faces[i], single[i].triangle);
    }
  }
}

TEST(Bvh, MaxDistanceLimitsTheSearch) {
  const Mesh m = icosphere(0.5, 3);
  const TriangleBvh bvh(m);
  const std::vector<Vec3f> Q = uniform_points(500, 1.5f, 9);
  for (float r : {0.0f, 0.05f, 0.3f}) {
    for (const Vec3f& q : Q) {
      const ClosestPoint all = bvh.closest_point(q);
      const ClosestPoint near = bvh.closest_point(q, r);
      if (all.distance <= r) {
        EXPECT_EQ(near.distance, all.distance);
        EXPECT_EQ(near.triangle, all.triangle);
      } else {
        EXPECT_EQ(near.triangle, -1);
        EXPECT_TRUE(std::isinf(near.distance));
      }
    }
  }
  // Inclusive: a query exactly max_distance away still finds its face.
  const ClosestPoint at = bvh.closest_point({0.0f, 0.0f, 2.0f});
  EXPECT_EQ(bvh.closest_point({0.0f, 0.0f, 2.0f}, at.distance).triangle, at.triangle);
}

// Exhaustive first hit: smallest t, then lowest face index.
RayHit brute_force_ray(const Mesh& m, const Vec3f& o, const Vec3f& d, float t_min, float t_max) {
  RayHit best;
  double best_t = 0;
  for (size_t f = 0; f < m.F.size(); ++f) {
    double t, u, v;
    if (!intersect_ray_triangle(o, d, m.V[m.F[f][0]], m.V[m.F[f][1]], m.V[m.F[f][2]], t_min, t_max,
                                t, u, v) ||
        (best.triangle >= 0 && t >= best_t))
      continue;
    best_t = t;
    best.t = static_cast<float>(t);
    best.triangle = static_cast<int32_t>(f);
    best.u = static_cast<float>(u);
    best.v = static_cast<float>(v);
  }
  return best;
}

TEST(Bvh, RayHitsEqualBruteForce) {
  const Mesh soup = soup_mesh(11);
  const Mesh box = box_mesh({0.5f, 0.5f, 0.5f}, 4);
  std::mt19937_64 rng(12);
  std::uniform_real_distribution<float> u(-2.0f, 2.0f);
  std::uniform_int_distribution<int> axis(0, 2);
  for (const Mesh* m : {&soup, &box}) {
    const TriangleBvh bvh(*m);
    std::vector<Vec3f> origins, dirs;
    for (int i = 0; i < 3000; ++i) {
      Vec3f o = {u(rng), u(rng), u(rng)}, d = {u(rng), u(rng), u(rng)};
      if (i % 4 == 1) {
        d = {0.0f, 0.0f, 0.0f};  // axis-aligned: zero components in the slab test
        d[axis(rng)] = u(rng) < 0 ? -1.0f : 1.0f;
      }
      if (i % 4 == 2) {
        // Aimed at a vertex-grid line or a face's plane of the box: origins on slab planes.
        o[axis(rng)] = 0.5f;
        d = {0.0f, u(rng), u(rng)};
      }
      if (d == Vec3f{0.0f, 0.0f, 0.0f}) d = {1.0f, 0.0f, 0.0f};
      origins.push_back(o);
      dirs.push_back(d);
    }
    const std::vector<RayHit> batch = bvh.intersect_all(origins, dirs);
    for (size_t i = 0; i < origins.size(); ++i) {
      for (float t_max : {std::numeric_limits<float>::infinity(), 1.0f}) {
        const RayHit ref = brute_force_ray(*m, origins[i], dirs[i], 0.0f, t_max);
        const RayHit got = bvh.intersect(origins[i], dirs[i], 0.0f, t_max);
        ASSERT_EQ(got.triangle, ref.triangle) << "ray " << i;
        if (ref.triangle < 0) continue;
        EXPECT_EQ(got.t, ref.t);
        EXPECT_EQ(got.u, ref.u);
        EXPECT_EQ(got.v, ref.v);
      }
      EXPECT_EQ(batch[i].triangle, bvh.intersect(origins[i], dirs[i]).triangle);
    }
  }
}

TEST(Bvh, HitBarycentricsReproduceThePoint) {
  const Mesh m = icosphere(1.0, 2);
  const TriangleBvh bvh(m);
  const std::vector<Vec3f> dirs = uniform_points(200, 1.0f, 13);
  for (const Vec3f& d : dirs) {
    const RayHit hit = bvh.intersect({0.0f, 0.0f, 0.0f}, d);
    ASSERT_GE(hit.triangle, 0);
    const Tri& t = m.F[hit.triangle];
    for (int k = 0; k < 3; ++k) {
      const float p =
          (1 - hit.u - hit.v) * m.V[t[0]][k] + hit.u * m.V[t[1]][k] + hit.v * m.V[t[2]][k];
      EXPECT_NEAR(p, hit.t * d[k], 1e-5);
    }
  }
}

TEST(Bvh, CrossingsEqualBruteForceAndGiveParity) {
  const Mesh m = torus_mesh(0.6, 0.25, 48, 24);
  const TriangleBvh bvh(m);
  const std::vector<Vec3f> O = uniform_points(400, 1.2f, 14);
  const std::vector<Vec3f> D = uniform_points(400, 1.0f, 15);
  for (size_t i = 0; i < O.size(); ++i) {
    int ref = 0;
    for (const Tri& t : m.F) {
      double tt, uu, vv;
      if (intersect_ray_triangle(O[i], D[i], m.V[t[0]], m.V[t[1]], m.V[t[2]], 0.0f,
                                 std::numeric_limits<float>::infinity(), tt, uu, vv) &&
          tt > 0)
        ++ref;
    }
    EXPECT_EQ(bvh.count_crossings(O[i], D[i]), ref) << "ray " << i;
  }
}

TEST(Bvh, NegativeZeroDirectionComponentsKeepTheirHits) {
  // A ray from a box's slab plane with a -0 component used to lose every box (0 * -inf = NaN).
  const Mesh sphere = test_meshes::icosphere(0.5, 5);
  const TriangleBvh bvh(sphere);
  for (const float zero : {0.0f, -0.0f}) {
    const RayHit hit = bvh.intersect({2.5f, 0, 0}, {-1, zero, 0.043f});
    EXPECT_NEAR(hit.t, 2.00751f, 1e-4f) << "zero " << zero;
    EXPECT_EQ(bvh.count_crossings({2.5f, 0, 0}, {-1, zero, 0.043f}), 4) << "zero " << zero;
  }
}

TEST(Bvh, TreeIsConsistent) {
  const Mesh m = soup_mesh(17);
  const BvhOptions options{3, 8};
  const TriangleBvh bvh(m, options);
  const auto& nodes = bvh.nodes();
  ASSERT_EQ(bvh.size(), static_cast<int64_t>(m.F.size()));
  std::vector<int> seen(m.F.size(), 0);
  for (int32_t id : bvh.triangle_ids()) ++seen[id];
  EXPECT_TRUE(std::all_of(seen.begin(), seen.end(), [](int c) { return c == 1; }));
  for (size_t i = 0; i < nodes.size(); ++i) {
    const BvhNode& n = nodes[i];
    auto contains = [&](const Vec3f& lo, const Vec3f& hi) {
      for (int k = 0; k < 3; ++k)
        if (lo[k] < n.lo[k] || hi[k] > n.hi[k]) return false;
      return true;
    };
    if (n.is_leaf()) {
      EXPECT_LE(n.count, options.max_leaf_size);
      for (int32_t s = n.offset; s < n.offset + n.count; ++s)
        for (const Vec3f& v : bvh.triangles()[s]) EXPECT_TRUE(contains(v, v));
    } else {
      ASSERT_GT(n.offset, static_cast<int32_t>(i) + 1);
      EXPECT_TRUE(contains(nodes[i + 1].lo, nodes[i + 1].hi));
      EXPECT_TRUE(contains(nodes[n.offset].lo, nodes[n.offset].hi));
    }
  }
  // Triangles keep their vertex order.
  for (size_t s = 0; s < bvh.triangles().size(); ++s) {
    const Tri& t = m.F[bvh.triangle_ids()[s]];
    for (int k = 0; k < 3; ++k) EXPECT_EQ(bvh.triangles()[s][k], m.V[t[k]]);
  }
}

TEST(Bvh, ManyCoincidentTrianglesKeepTheTreeShallow) {
  // 5000 copies of one triangle: centroids coincide, no SAH split exists; halving keeps the
  // depth logarithmic, and the lowest index wins every tie.
  Mesh m;
  m.V = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}};
  m.F.assign(5000, Tri{0, 1, 2});
  const TriangleBvh bvh(m);
  EXPECT_LE(bvh.depth(), 20);
  const ClosestPoint c = bvh.closest_point({0.2f, 0.2f, 1.0f});
  EXPECT_EQ(c.triangle, 0);
  EXPECT_FLOAT_EQ(c.distance, 1.0f);
  EXPECT_EQ(bvh.intersect({0.2f, 0.2f, 1.0f}, {0, 0, -1}).triangle, 0);
  EXPECT_EQ(bvh.count_crossings({0.2f, 0.2f, 1.0f}, {0, 0, -1}), 5000);
}

TEST(Bvh, DegenerateTrianglesAreSegmentsAndPoints) {
  Mesh m;
  m.V = {{0, 0, 0}, {1, 0, 0}, {2, 0, 0}, {5, 5, 5}};
  m.F = {{0, 1, 2}, {3, 3, 3}};  // a segment from 0 to 2 on x, a point
  const TriangleBvh bvh(m);
  ClosestPoint c = bvh.closest_point({1.5f, 1.0f, 0.0f});
  EXPECT_EQ(c.triangle, 0);
  EXPECT_FLOAT_EQ(c.distance, 1.0f);
  EXPECT_EQ(c.point, (Vec3f{1.5f, 0.0f, 0.0f}));
  c = bvh.closest_point({5.0f, 5.0f, 6.0f});
  EXPECT_EQ(c.triangle, 1);
  EXPECT_FLOAT_EQ(c.distance, 1.0f);
  // Rays never hit zero-area triangles.
  EXPECT_EQ(bvh.intersect({1.0f, 0.0f, 1.0f}, {0, 0, -1}).triangle, -1);
}

template <class Fn>
void expect_error(Fn&& fn, const std::string& part) {
  try {
    fn();
    ADD_FAILURE() << "no DataError, expected one mentioning: " << part;
  } catch (const core::DataError& e) {
    EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
  }
}

TEST(Bvh, BadInputGivesClearErrors) {
  expect_error([] { TriangleBvh bvh(Mesh{}); }, "the mesh has no faces");
  Mesh m;
  m.V = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}};
  m.F = {{0, 1, 2}, {0, 7, 2}};
  expect_error([&] { TriangleBvh bvh(m); },
               "face 1 has vertex index 7 out of range (the mesh has 3 vertices");
  m.F = {{0, 1, -1}};
  expect_error([&] { TriangleBvh bvh(m); }, "face 0 has vertex index -1 out of range");
  m.F = {{0, 1, 2}};
  m.V[1][2] = std::numeric_limits<float>::quiet_NaN();
  expect_error([&] { TriangleBvh bvh(m); }, "vertex 1 (1, 0, nan) of face 0 is not finite");
  m.V[1][2] = 0;
  const TriangleBvh bvh(m);
  expect_error(
      [&] {
        bvh.closest_point({0, std::numeric_limits<float>::infinity(), 0});
      },
      "not finite");
  expect_error([&] { bvh.distances({{0, 0, 0}, {0, 0, std::nanf("")}}); }, "query 1");
  expect_error([&] { bvh.intersect({0, 0, 1}, {0, 0, 0}); }, "must be finite and not zero");
  EXPECT_THROW(TriangleBvh(m, BvhOptions{0, 16}), core::ConfigError);
  EXPECT_THROW(TriangleBvh(m, BvhOptions{4, 1}), core::ConfigError);
  EXPECT_THROW(bvh.closest_point({0, 0, 0}, -1.0f), core::ConfigError);
}

}  // namespace
}  // namespace nsdf::geometry
