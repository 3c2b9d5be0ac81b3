#pragma once
// Exact nearest-neighbour queries on a 3-D point cloud: nearest point, k nearest, all within a
// radius, and batches of queries run in parallel (TBB), for Chamfer distances, IGR's per-point
// sigma, normal estimation and point-to-cloud distances.
//
// Method: a kd-tree over float coordinates (nanoflann, kept out of this header behind a pimpl),
// leaves of up to 10 points, exact search (no approximation). Ties are broken canonically: the
// neighbours of a query are the first ones in the order (squared distance, index), so results
// never depend on how the tree was traversed, on the batch they are part of, or on the number of
// threads, and duplicated points come back lowest index first. Squared distances are computed in
// float as dx*dx + dy*dy + dz*dz (relative error ~1e-7); take std::sqrt for distances.

#include <cstdint>
#include <memory>
#include <vector>

#include "geometry/Mesh.h"

namespace nsdf::geometry {

/// One neighbour of a query: its index in the tree's points and its squared distance.
struct Neighbor {
  int32_t index = -1;
  float squared_distance = 0.0f;

  bool operator==(const Neighbor& o) const {
    return index == o.index && squared_distance == o.squared_distance;
  }
  bool operator!=(const Neighbor& o) const { return !(*this == o); }
};

class KdTree {
 public:
  /// Builds the tree over a copy of `points` (moved in when passed as an rvalue), so the tree
  /// owns its data and stays valid whatever happens to the caller's vector.
  /// @param[in] points #P by 3, 1 <= #P < 2^31, finite. Throws DataError when the cloud is empty,
  ///   too large or holds a non-finite coordinate (naming the point).
  explicit KdTree(std::vector<Vec3f> points);
  ~KdTree();
  KdTree(KdTree&&) noexcept;
  KdTree& operator=(KdTree&&) noexcept;
  KdTree(const KdTree&) = delete;
  KdTree& operator=(const KdTree&) = delete;

  /// Number of points in the tree.
  int64_t size() const;
  /// The tree's own copy of the points, in the order they were given (indices refer to it).
  const std::vector<Vec3f>& points() const;

  /// The nearest point to q (the lowest index among equally near ones).
  /// Throws DataError when q is not finite.
  Neighbor nearest(const Vec3f& q) const;

  /// The k nearest points to q, sorted by (squared distance, index).
  /// Throws ConfigError when k < 1, DataError when k > size() or q is not finite.
  std::vector<Neighbor> knn(const Vec3f& q, int k) const;

  /// Every point at distance <= r from q (inclusive: squared distance <= r * r, both in float),
  /// sorted by (squared distance, index).
  /// Throws ConfigError unless r is finite and >= 0; DataError when q is not finite.
  std::vector<Neighbor> radius(const Vec3f& q, float r) const;

  /// Distance (not squared) from q to its neighbour number k, counted from 0 over all points of
  /// the tree: k = 0 is the nearest point, which is q itself when q is one of the tree's points.
  /// IGR's local sigma (distance to the 50th other point, scipy `query(P, 50 + 1)[0][:, -1]`) is
  /// therefore kth_neighbor_distance(P[i], 50) on a tree built from P.
  /// Throws ConfigError when k < 0, DataError when k >= size() or q is not finite.
  float kth_neighbor_distance(const Vec3f& q, int k) const;

  /// nearest() of every query, in parallel; equal to calling nearest() one by one.
  /// @param[in] queries #Q by 3
  /// @return #Q neighbours
  std::vector<Neighbor> nearest_all(const std::vector<Vec3f>& queries) const;

  /// knn() of every query, in parallel, as flat row-major arrays.
  /// @param[in] queries #Q by 3
  /// @param[in] k neighbours per query, 1 <= k <= size()
  /// @param[out] indices #Q by k point indices, each row sorted by (squared distance, index)
  /// @param[out] sq_dists #Q by k squared distances matching `indices`
  void knn_all(const std::vector<Vec3f>& queries, int k, std::vector<int32_t>& indices,
               std::vector<float>& sq_dists) const;

  /// kth_neighbor_distance() of every query, in parallel (k counted from 0, see above).
  /// @param[in] queries #Q by 3
  /// @return #Q distances (not squared)
  std::vector<float> kth_neighbor_distances(const std::vector<Vec3f>& queries, int k) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// IGR's per-point sigma for off-surface samples (Gropp et al. 2020): the distance from each
/// point of P to its k-th nearest other point of P (k = 50 in IGR), i.e. neighbour number k
/// counting the point itself as neighbour 0. Duplicates of a point count as other points.
/// @param[in] P #P by 3, #P > k
/// @return #P distances
std::vector<float> local_sigmas(const std::vector<Vec3f>& P, int k = 50);

}  // namespace nsdf::geometry
