#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>

#include "core/Error.h"
#include "geometry/KdTree.h"
#include "support/ErrorMessage.h"

namespace nsdf::geometry {
namespace {

// Random points in [-1, 1]^3 with some exact duplicates (a few repeated many times) and a grid
// of points with many exactly tied distances.
std::vector<Vec3f> test_points(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<Vec3f> P(n);
  for (Vec3f& p : P) p = {u(rng), u(rng), u(rng)};
  for (size_t i = 0; i < n / 10; ++i) P.push_back(P[rng() % n]);
  for (int i = 0; i < 30; ++i) P.push_back(P[3]);
  for (int x = 0; x < 5; ++x)
    for (int y = 0; y < 5; ++y) P.push_back({0.25f * x, 0.25f * y, 0.5f});
  return P;
}

std::vector<Vec3f> test_queries(const std::vector<Vec3f>& P, size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(-1.2f, 1.2f);
  std::vector<Vec3f> Q(n);
  for (Vec3f& q : Q) q = {u(rng), u(rng), u(rng)};
  for (size_t i = 0; i < 50; ++i) Q.push_back(P[rng() % P.size()]);  // exactly on points
  Q.push_back(P[3]);                                                 // a much duplicated point
  Q.push_back({0.125f, 0.125f, 0.5f});  // equidistant from four grid points
  Q.push_back({0.5f, 0.5f, 0.75f});     // on a grid point, ties all around
  return Q;
}

float sq(const Vec3f& a, const Vec3f& b) {
  const float dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
  return dx * dx + dy * dy + dz * dz;
}

// Every point sorted by (squared distance, index): the canonical order the tree promises.
std::vector<Neighbor> brute_force(const std::vector<Vec3f>& P, const Vec3f& q) {
  std::vector<Neighbor> all(P.size());
  for (size_t i = 0; i < P.size(); ++i) all[i] = {static_cast<int32_t>(i), sq(P[i], q)};
  std::sort(all.begin(), all.end(), [](const Neighbor& a, const Neighbor& b) {
    return a.squared_distance < b.squared_distance ||
           (a.squared_distance == b.squared_distance && a.index < b.index);
  });
  return all;
}

TEST(KdTree, NearestKnnAndRadiusEqualBruteForce) {
  const std::vector<Vec3f> P = test_points(2000, 1);
  const std::vector<Vec3f> Q = test_queries(P, 300, 2);
  const KdTree tree(P);
  ASSERT_EQ(tree.size(), static_cast<int64_t>(P.size()));
  for (size_t qi = 0; qi < Q.size(); ++qi) {
    const std::vector<Neighbor> ref = brute_force(P, Q[qi]);
    EXPECT_EQ(tree.nearest(Q[qi]), ref[0]) << "query " << qi;
    for (int k : {1, 2, 7, 40}) {
      const std::vector<Neighbor> got = tree.knn(Q[qi], k);
      ASSERT_EQ(got.size(), static_cast<size_t>(k));
      for (int j = 0; j < k; ++j)
        EXPECT_EQ(got[j], ref[j]) << "query " << qi << " k " << k << " rank " << j;
    }
    for (float r : {0.0f, 0.05f, 0.25f}) {
      std::vector<Neighbor> expected;
      for (const Neighbor& n : ref)
        if (n.squared_distance <= r * r) expected.push_back(n);
      EXPECT_EQ(tree.radius(Q[qi], r), expected) << "query " << qi << " r " << r;
    }
  }
}

TEST(KdTree, DuplicatesComeBackLowestIndexFirst) {
  std::vector<Vec3f> P(10, Vec3f{0.5f, 0.5f, 0.5f});
  P.push_back({0, 0, 0});
  const KdTree tree(P);
  const auto knn = tree.knn({0.5f, 0.5f, 0.5f}, 4);
  for (int j = 0; j < 4; ++j) EXPECT_EQ(knn[j].index, j);
  EXPECT_EQ(tree.radius({0.5f, 0.5f, 0.5f}, 0.0f).size(), 10u);
  EXPECT_EQ(tree.nearest({0.4f, 0.5f, 0.5f}).index, 0);
  const auto all = tree.knn({0, 0, 0}, 11);
  EXPECT_EQ(all[0].index, 10);
  EXPECT_EQ(all[1].index, 0);
}

TEST(KdTree, KnnOfTheWholeCloudAndASinglePoint) {
  const std::vector<Vec3f> P = test_points(100, 3);
  const KdTree tree(P);
  const Vec3f q = {0.1f, 0.2f, 0.3f};
  const auto all = tree.knn(q, static_cast<int>(P.size()));
  EXPECT_EQ(all, brute_force(P, q));
  const KdTree one({{1, 2, 3}});
  EXPECT_EQ(one.nearest({0, 0, 0}).index, 0);
  EXPECT_FLOAT_EQ(one.nearest({0, 0, 0}).squared_distance, 14.0f);
}

TEST(KdTree, BatchQueriesEqualSingleQueries) {
  const std::vector<Vec3f> P = test_points(5000, 4);
  const std::vector<Vec3f> Q = test_queries(P, 3000, 5);
  const KdTree tree(P);
  const std::vector<Neighbor> nearest = tree.nearest_all(Q);
  ASSERT_EQ(nearest.size(), Q.size());
  const int k = 9;
  std::vector<int32_t> indices;
  std::vector<float> dists;
  tree.knn_all(Q, k, indices, dists);
  ASSERT_EQ(indices.size(), Q.size() * k);
  ASSERT_EQ(dists.size(), Q.size() * k);
  const std::vector<float> kth = tree.kth_neighbor_distances(Q, 5);
  for (size_t i = 0; i < Q.size(); ++i) {
    EXPECT_EQ(nearest[i], tree.nearest(Q[i]));
    const auto knn = tree.knn(Q[i], k);
    for (int j = 0; j < k; ++j) {
      EXPECT_EQ(indices[i * k + j], knn[j].index);
      EXPECT_EQ(dists[i * k + j], knn[j].squared_distance);
    }
    EXPECT_EQ(kth[i], tree.kth_neighbor_distance(Q[i], 5));
    EXPECT_EQ(kth[i], std::sqrt(knn[5].squared_distance));
  }
  tree.knn_all({}, k, indices, dists);
  EXPECT_TRUE(indices.empty());
  EXPECT_TRUE(tree.nearest_all({}).empty());
}

TEST(KdTree, BatchResultsDoNotDependOnTheThreadCount) {
  const std::vector<Vec3f> P = test_points(20000, 6);
  const std::vector<Vec3f> Q = test_queries(P, 20000, 7);
  const KdTree tree(P);
  auto run = [&](int threads) {
    tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
    std::vector<int32_t> indices;
    std::vector<float> dists;
    tree.knn_all(Q, 16, indices, dists);
    return std::make_tuple(tree.nearest_all(Q), indices, dists, tree.kth_neighbor_distances(Q, 3));
  };
  EXPECT_TRUE(run(1) == run(2));
}

TEST(KdTree, KthNeighborDistanceCountsThePointItselfAsNeighborZero) {
  const std::vector<Vec3f> P = test_points(500, 8);
  const KdTree tree(P);
  // IGR: scipy cKDTree(P).query(P, 50 + 1)[0][:, -1].
  const std::vector<float> sigma = local_sigmas(P, 50);
  ASSERT_EQ(sigma.size(), P.size());
  for (size_t i = 0; i < P.size(); ++i) {
    const auto ref = brute_force(P, P[i]);
    EXPECT_EQ(ref[0].squared_distance, 0.0f);
    EXPECT_EQ(sigma[i], std::sqrt(ref[50].squared_distance));
    EXPECT_EQ(tree.kth_neighbor_distance(P[i], 0), 0.0f);
  }
}

TEST(KdTree, OwnsACopyOfItsPointsAndMoves) {
  std::vector<Vec3f> P = test_points(300, 9);
  const std::vector<Vec3f> original = P;
  KdTree tree(P);
  for (Vec3f& p : P) p = {9, 9, 9};  // the tree does not see the caller's vector
  EXPECT_EQ(tree.points(), original);
  KdTree moved(std::move(tree));
  EXPECT_EQ(moved.nearest(original[7]).index, brute_force(original, original[7])[0].index);
  KdTree assigned({{0, 0, 0}});
  assigned = std::move(moved);
  EXPECT_EQ(assigned.size(), static_cast<int64_t>(original.size()));
  EXPECT_EQ(assigned.nearest(original[8]).index, brute_force(original, original[8])[0].index);
}

using test::message_of;

TEST(KdTree, UserErrorsNameTheValueAndTheLimit) {
  EXPECT_THROW(KdTree(std::vector<Vec3f>{}), core::DataError);
  const std::vector<Vec3f> with_nan = {{0, 0, 0}, {1, NAN, 0}};
  EXPECT_NE(message_of<core::DataError>([&] { KdTree t(with_nan); }).find("point 1"),
            std::string::npos);

  const KdTree tree(test_points(10, 10));  // 10 + 1 + 30 + 25 points
  const int64_t n = tree.size();
  EXPECT_NE(message_of<core::DataError>([&] {
              tree.knn({0, 0, 0}, 100);
            }).find("k = 100 but the cloud has only " + std::to_string(n) + " points"),
            std::string::npos);
  EXPECT_THROW(tree.knn({0, 0, 0}, 0), core::ConfigError);
  std::vector<int32_t> i;
  std::vector<float> d;
  EXPECT_THROW(tree.knn_all({{0, 0, 0}}, static_cast<int>(n) + 1, i, d), core::DataError);
  EXPECT_THROW(tree.kth_neighbor_distance({0, 0, 0}, static_cast<int>(n)), core::DataError);
  EXPECT_THROW(tree.kth_neighbor_distance({0, 0, 0}, -1), core::ConfigError);
  EXPECT_THROW(tree.radius({0, 0, 0}, -1.0f), core::ConfigError);
  EXPECT_THROW(tree.radius({0, 0, 0}, NAN), core::ConfigError);
  EXPECT_THROW(tree.nearest({NAN, 0, 0}), core::DataError);
  EXPECT_NE(message_of<core::DataError>([&] {
              tree.nearest_all({{0, 0, 0}, {0, INFINITY, 0}});
            }).find("query 1"),
            std::string::npos);
  EXPECT_THROW(local_sigmas(std::vector<Vec3f>(50, Vec3f{0, 0, 0}), 50), core::DataError);
}

}  // namespace
}  // namespace nsdf::geometry
