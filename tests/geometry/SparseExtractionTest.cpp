#include <gtest/gtest.h>
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>

#include "core/Error.h"
#include "geometry/AnalyticShapes.h"
#include "geometry/MeshTopology.h"
#include "geometry/SparseExtraction.h"

namespace nsdf::geometry {
namespace {

// A batched field from a point function, evaluated in parallel like a real network would be.
template <class F>
FieldFn batched(F f) {
  return [f](const float* xyz, int64_t n, float* out) {
    tbb::parallel_for(tbb::blocked_range<int64_t>(0, n, 1024),
                      [&](const tbb::blocked_range<int64_t>& r) {
                        for (int64_t i = r.begin(); i != r.end(); ++i)
                          out[i] = f(xyz[3 * i], xyz[3 * i + 1], xyz[3 * i + 2]);
                      });
  };
}

FieldFn field_of(const AnalyticShape& s) {
  return batched([s](float x, float y, float z) { return static_cast<float>(s.sdf({x, y, z})); });
}

// A small random MLP 3 -> 32 -> 32 -> 1, bent around a sphere so its zero set is one closed
// blob inside [-1, 1]^3: f(p) = |p| - 0.5 + 0.25 tanh(mlp(2 p)). Hidden layers use softsign
// x / (1 + |x|), a tanh look-alike that is much cheaper to evaluate. Not an SDF: its Lipschitz
// constant is above 1, hence safety > 1.
class TinyMlp {
 public:
  explicit TinyMlp(uint64_t seed) {
    std::mt19937_64 rng(seed);
    const auto fill = [&](std::vector<float>& w, size_t n, double fan_in) {
      std::normal_distribution<double> d(0.0, 1.0 / std::sqrt(fan_in));
      w.resize(n);
      for (float& x : w) x = static_cast<float>(d(rng));
    };
    fill(w1_, kWidth * 3, 3);
    fill(b1_, kWidth, 3);
    fill(w2_, kWidth * kWidth, kWidth);
    fill(b2_, kWidth, kWidth);
    fill(w3_, kWidth, kWidth);
  }

  float operator()(float x, float y, float z) const {
    float h1[kWidth], h2[kWidth];
    for (size_t o = 0; o < kWidth; ++o)
      h1[o] = softsign(b1_[o] + 2 * (w1_[3 * o] * x + w1_[3 * o + 1] * y + w1_[3 * o + 2] * z));
    float out = 0;
    for (size_t o = 0; o < kWidth; ++o) {
      float s = b2_[o];
      for (size_t i = 0; i < kWidth; ++i) s += w2_[kWidth * o + i] * h1[i];
      h2[o] = softsign(s);
      out += w3_[o] * h2[o];
    }
    return std::sqrt(x * x + y * y + z * z) - 0.5f + 0.25f * std::tanh(out);
  }

 private:
  static constexpr size_t kWidth = 32;

  static float softsign(float x) { return x / (1 + std::abs(x)); }

  std::vector<float> w1_, b1_, w2_, b2_, w3_;
};

// Exact equality of triangle sets (each triangle rotated to start at its smallest index, then
// sorted) and vertices equal up to float noise.
void expect_same_mesh(const Mesh& a, const Mesh& b, const std::string& what) {
  ASSERT_EQ(a.V.size(), b.V.size()) << what;
  ASSERT_EQ(a.F.size(), b.F.size()) << what;
  for (size_t v = 0; v < a.V.size(); ++v)
    for (int c = 0; c < 3; ++c) ASSERT_NEAR(a.V[v][c], b.V[v][c], 1e-6) << what << " vertex " << v;
  const auto canonical = [](std::vector<Tri> f) {
    for (Tri& t : f) std::rotate(t.begin(), std::min_element(t.begin(), t.end()), t.end());
    std::sort(f.begin(), f.end());
    return f;
  };
  EXPECT_TRUE(canonical(a.F) == canonical(b.F)) << what << ": triangle sets differ";
}

void expect_closed(const Mesh& m, const std::string& what) {
  const TopologyReport r = analyze_topology(m);
  EXPECT_TRUE(r.watertight) << what;
  EXPECT_TRUE(r.consistently_oriented) << what;
  EXPECT_EQ(r.non_manifold_vertices, 0) << what;
}

TEST(SparseExtraction, MatchesDenseOnAnalyticShapes) {
  struct Case {
    std::string name;
    AnalyticShape shape;
    int resolution, coarse;
    double safety;
  };
  AnalyticShape superquadric{AnalyticShape::Kind::Superquadric, {0, 0.01, 0.02}, {0.6, 0.5, 0.4}};
  superquadric.e1 = 0.4;
  superquadric.e2 = 1.5;
  const std::vector<Case> cases{
      {"sphere", {AnalyticShape::Kind::Sphere, {0.03, -0.02, 0.01}, {0.5, 0, 0}}, 128, 32, 1.0},
      {"torus", {AnalyticShape::Kind::Torus, {0.02, 0.01, -0.01}, {0.55, 0.2, 0}}, 128, 16, 1.0},
      {"box", {AnalyticShape::Kind::Box, {0.01, 0.02, -0.03}, {0.5, 0.35, 0.3}, 0.1}, 64, 8, 1.0},
      // Its "distance" overestimates the true one, so it needs a safety margin.
      {"superquadric", superquadric, 64, 8, 2.0},
  };
  for (const Case& c : cases) {
    ExtractionOptions o;
    o.resolution = c.resolution;
    o.coarse_resolution = c.coarse;
    o.safety = c.safety;
    const ExtractionResult sparse = extract_sparse(field_of(c.shape), o);
    const ExtractionResult dense = extract_dense(field_of(c.shape), o);
    expect_same_mesh(sparse.mesh, dense.mesh, c.name);
    expect_closed(sparse.mesh, c.name);
    EXPECT_EQ(dense.queries, dense.dense_queries) << c.name;
    EXPECT_EQ(sparse.dense_queries, dense.dense_queries) << c.name;
    EXPECT_LT(sparse.queries, dense.queries / 4) << c.name;
    std::printf("%-12s %d^3 from %d^3: sparse %lld queries, dense %lld (%.1fx)\n", c.name.c_str(),
                c.resolution, c.coarse, static_cast<long long>(sparse.queries),
                static_cast<long long>(dense.queries), double(dense.queries) / sparse.queries);
  }
}

TEST(SparseExtraction, SphereAt256QueriesTenTimesFewerPoints) {
  const AnalyticShape sphere{AnalyticShape::Kind::Sphere, {0.03, -0.02, 0.01}, {0.5, 0, 0}};
  ExtractionOptions o;  // 256^3 from 32^3
  const auto t0 = std::chrono::steady_clock::now();
  const ExtractionResult sparse = extract_sparse(field_of(sphere), o);
  const auto t1 = std::chrono::steady_clock::now();
  const ExtractionResult dense = extract_dense(field_of(sphere), o);
  const auto t2 = std::chrono::steady_clock::now();
  const double ratio = double(sparse.dense_queries) / double(sparse.queries);
  std::printf("sphere 256^3 from 32^3: sparse %lld queries (%.2f s), dense %lld (%.2f s), %.1fx\n",
              static_cast<long long>(sparse.queries),
              std::chrono::duration<double>(t1 - t0).count(), static_cast<long long>(dense.queries),
              std::chrono::duration<double>(t2 - t1).count(), ratio);
  EXPECT_GE(ratio, 10.0);
  EXPECT_EQ(sparse.dense_queries, 257LL * 257 * 257);
  expect_same_mesh(sparse.mesh, dense.mesh, "sphere 256");
  expect_closed(sparse.mesh, "sphere 256");
}

TEST(SparseExtraction, MatchesDenseOnRandomMlpField) {
  for (uint64_t seed : {1, 2, 3}) {
    const TinyMlp mlp(seed);
    ExtractionOptions o;
    o.resolution = 64;
    o.coarse_resolution = 16;
    o.safety = 3.0;
    const ExtractionResult sparse = extract_sparse(batched(mlp), o);
    const ExtractionResult dense = extract_dense(batched(mlp), o);
    const std::string what = "mlp seed " + std::to_string(seed);
    expect_same_mesh(sparse.mesh, dense.mesh, what);
    expect_closed(sparse.mesh, what);
    EXPECT_LT(sparse.queries, dense.queries / 2) << what;
    std::printf("%s 64^3 from 16^3: sparse %lld queries, dense %lld (%.1fx)\n", what.c_str(),
                static_cast<long long>(sparse.queries), static_cast<long long>(dense.queries),
                double(dense.queries) / sparse.queries);
  }
}

TEST(SparseExtraction, MatchesDenseOnRandomMlpFieldAt128) {
  const TinyMlp mlp(1);
  ExtractionOptions o;
  o.resolution = 128;
  o.coarse_resolution = 32;
  o.safety = 3.0;
  const ExtractionResult sparse = extract_sparse(batched(mlp), o);
  const ExtractionResult dense = extract_dense(batched(mlp), o);
  expect_same_mesh(sparse.mesh, dense.mesh, "mlp 128");
  std::printf("mlp 128^3 from 32^3: sparse %lld queries, dense %lld (%.1fx)\n",
              static_cast<long long>(sparse.queries), static_cast<long long>(dense.queries),
              double(dense.queries) / sparse.queries);
  EXPECT_LT(sparse.queries, dense.queries / 4);
}

TEST(SparseExtraction, QueriesComeInBatchesAndAreCounted) {
  const AnalyticShape sphere{AnalyticShape::Kind::Sphere, {0, 0, 0}, {0.5, 0, 0}};
  const FieldFn inner = field_of(sphere);
  std::atomic<int64_t> calls{0}, points{0}, largest{0};
  const FieldFn counted = [&](const float* xyz, int64_t n, float* out) {
    ++calls;
    points += n;
    largest = std::max<int64_t>(largest, n);
    inner(xyz, n, out);
  };
  ExtractionOptions o;
  o.resolution = 64;
  o.coarse_resolution = 16;
  o.batch_size = 1000;
  const ExtractionResult r = extract_sparse(counted, o);
  EXPECT_EQ(points.load(), r.queries);
  EXPECT_LE(largest.load(), 1000);
  EXPECT_GT(calls.load(), 3);
  points = 0;
  largest = 0;
  const ExtractionResult d = extract_dense(counted, o);
  EXPECT_EQ(points.load(), 65LL * 65 * 65);
  EXPECT_EQ(d.queries, 65LL * 65 * 65);
  EXPECT_LE(largest.load(), 1000);
}

TEST(SparseExtraction, SingleLevelQueriesTheWholeGrid) {
  const AnalyticShape sphere{AnalyticShape::Kind::Sphere, {0, 0, 0}, {0.5, 0, 0}};
  ExtractionOptions o;
  o.resolution = o.coarse_resolution = 24;
  const ExtractionResult sparse = extract_sparse(field_of(sphere), o);
  EXPECT_EQ(sparse.queries, 25LL * 25 * 25);
  expect_same_mesh(sparse.mesh, extract_dense(field_of(sphere), o).mesh, "single level");
}

TEST(SparseExtraction, LargestComponentOnlyKeepsTheBiggerSphere) {
  const AnalyticShape big{AnalyticShape::Kind::Sphere, {-0.4, 0, 0}, {0.4, 0, 0}};
  const AnalyticShape small{AnalyticShape::Kind::Sphere, {0.55, 0, 0}, {0.2, 0, 0}};
  const FieldFn both = batched([&](float x, float y, float z) {
    return static_cast<float>(std::min(big.sdf({x, y, z}), small.sdf({x, y, z})));
  });
  ExtractionOptions o;
  o.resolution = 64;
  o.coarse_resolution = 16;
  EXPECT_EQ(analyze_topology(extract_sparse(both, o).mesh).components, 2);
  o.largest_component_only = true;
  const Mesh m = extract_sparse(both, o).mesh;
  EXPECT_EQ(analyze_topology(m).components, 1);
  for (const Vec3f& v : m.V) ASSERT_LT(std::abs(big.sdf({v[0], v[1], v[2]})), 0.01);
}

TEST(SparseExtraction, RejectsBadOptionsAndFieldValues) {
  const AnalyticShape sphere{AnalyticShape::Kind::Sphere, {0, 0, 0}, {0.5, 0, 0}};
  ExtractionOptions o;
  o.resolution = 100;
  o.coarse_resolution = 32;
  try {
    extract_sparse(field_of(sphere), o);
    FAIL() << "resolution 100 from 32 was accepted";
  } catch (const core::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("power of 2"), std::string::npos) << e.what();
  }
  o.resolution = 64;
  o.max = {1, -1, 1};
  EXPECT_THROW(extract_sparse(field_of(sphere), o), core::ConfigError);
  o.max = {1, 1, 1};
  o.safety = 0;
  EXPECT_THROW(extract_sparse(field_of(sphere), o), core::ConfigError);
  o.safety = 1;
  const FieldFn broken = [](const float*, int64_t n, float* out) {
    std::fill(out, out + n, std::nanf(""));
  };
  EXPECT_THROW(extract_sparse(broken, o), core::DataError);
  EXPECT_THROW(extract_dense(broken, o), core::DataError);
}

}  // namespace
}  // namespace nsdf::geometry
