#include "geometry/KdTree.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <nanoflann.hpp>
#include <utility>

#include "core/Error.h"
#include "geometry/VecMath.h"

namespace nsdf::geometry {

namespace {

constexpr float kInfinity = std::numeric_limits<float>::infinity();

// nanoflann's view of the points.
struct CloudAdaptor {
  const std::vector<Vec3f>* points = nullptr;

  size_t kdtree_get_point_count() const { return points->size(); }
  float kdtree_get_pt(uint32_t i, size_t d) const { return (*points)[i][d]; }
  template <class BoundingBox>
  bool kdtree_get_bbox(BoundingBox&) const {
    return false;
  }
};

using Metric = nanoflann::L2_Simple_Adaptor<float, CloudAdaptor, float, uint32_t>;
using Index = nanoflann::KDTreeSingleIndexAdaptor<Metric, CloudAdaptor, 3, uint32_t>;

// nanoflann only visits points strictly nearer than worstDist() and prunes cells whose lower
// bound exceeds it. Reporting a bound a little above the true one lets points at exactly the
// current worst distance (duplicates, ties) reach addPoint, which then decides by (distance,
// index); the relative slack also absorbs the float rounding of nanoflann's incremental cell
// bounds, so no tied or nearer point can be pruned.
float admit_ties(float worst) {
  // (1 + 2e-6) exceeds one ulp for normal floats; denorm_min lifts 0 and denormals.
  return worst * (1.0f + 2e-6f) + std::numeric_limits<float>::denorm_min();
}

bool before(float da, uint32_t ia, float db, uint32_t ib) {
  return da < db || (da == db && ia < ib);
}

// The k first points in the order (squared distance, index).
class KnnSet {
 public:
  // k >= 1: the callers check it.
  KnnSet(int k, int32_t* indices, float* dists)
      : last_(k > 0 ? k - 1 : 0), indices_(indices), dists_(dists) {}

  bool full() const { return count_ > last_; }
  float worstDist() const { return worst_; }

  bool addPoint(float dist, uint32_t index) {
    if (full() && !before(dist, index, dists_[last_], static_cast<uint32_t>(indices_[last_])))
      return true;
    int i = full() ? last_ : count_++;
    for (; i > 0 && before(dist, index, dists_[i - 1], static_cast<uint32_t>(indices_[i - 1]));
         --i) {
      dists_[i] = dists_[i - 1];
      indices_[i] = indices_[i - 1];
    }
    dists_[i] = dist;
    indices_[i] = static_cast<int32_t>(index);
    if (full()) worst_ = admit_ties(dists_[last_]);
    return true;  // keep searching
  }

  int count() const { return count_; }

 private:
  int last_;
  int count_ = 0;
  float worst_ = kInfinity;
  int32_t* indices_;
  float* dists_;
};

// The first point in the order (squared distance, index).
class NearestSet {
 public:
  bool full() const { return best_.index >= 0; }
  float worstDist() const { return worst_; }
  bool addPoint(float dist, uint32_t index) {
    if (!full() ||
        before(dist, index, best_.squared_distance, static_cast<uint32_t>(best_.index))) {
      best_ = {static_cast<int32_t>(index), dist};
      worst_ = admit_ties(dist);
    }
    return true;
  }
  const Neighbor& best() const { return best_; }

 private:
  Neighbor best_;
  float worst_ = kInfinity;
};

// Every point with squared distance <= r2.
class RadiusSet {
 public:
  RadiusSet(float r2, std::vector<Neighbor>& out) : r2_(r2), bound_(admit_ties(r2)), out_(out) {
    out_.clear();
  }

  bool full() const { return true; }
  float worstDist() const { return bound_; }
  bool addPoint(float dist, uint32_t index) {
    if (dist <= r2_) out_.push_back({static_cast<int32_t>(index), dist});
    return true;
  }

 private:
  float r2_;
  float bound_;
  std::vector<Neighbor>& out_;
};

void check_query(const Vec3f& q, const char* what) {
  NSDF_CHECK(finite(q), core::DataError, "KdTree::{}: query ({}, {}, {}) is not finite", what, q[0],
             q[1], q[2]);
}

void check_queries(const std::vector<Vec3f>& queries, const char* what) {
  for (size_t i = 0; i < queries.size(); ++i)
    NSDF_CHECK(finite(queries[i]), core::DataError,
               "KdTree::{}: query {} ({}, {}, {}) is not finite", what, i, queries[i][0],
               queries[i][1], queries[i][2]);
}

}  // namespace

struct KdTree::Impl {
  std::vector<Vec3f> points;
  CloudAdaptor adaptor;
  Index index;

  explicit Impl(std::vector<Vec3f> pts)
      : points(std::move(pts)),
        adaptor{&points},
        index(3, adaptor, nanoflann::KDTreeSingleIndexAdaptorParams(10)) {}

  int64_t size() const { return static_cast<int64_t>(points.size()); }

  void check_k(int k, const char* what) const {
    NSDF_CHECK(k >= 1, core::ConfigError, "KdTree::{}: k = {} must be >= 1", what, k);
    NSDF_CHECK(k <= size(), core::DataError, "KdTree::{}: k = {} but the cloud has only {} points",
               what, k, size());
  }

  // Neighbour number k counted from 0 must exist.
  void check_kth(int k, const char* what) const {
    NSDF_CHECK(k >= 0, core::ConfigError,
               "KdTree::{}: k = {} must be >= 0 (0 is the nearest point)", what, k);
    NSDF_CHECK(k < size(), core::DataError,
               "KdTree::{}: k = {} but the cloud has only {} points (neighbour k, counted from 0, "
               "needs more than k points)",
               what, k, size());
  }

  Neighbor nearest(const Vec3f& q) const {
    NearestSet set;
    index.findNeighbors(set, q.data(), nanoflann::SearchParams());
    NSDF_ASSERT(set.full(), "kd-tree found no nearest point");
    return set.best();
  }

  // Writes the k first neighbours of q into indices[0, k) and dists[0, k).
  void knn(const Vec3f& q, int k, int32_t* indices, float* dists) const {
    KnnSet set(k, indices, dists);
    index.findNeighbors(set, q.data(), nanoflann::SearchParams());
    NSDF_ASSERT(set.count() == k, "kd-tree found {} of {} neighbours", set.count(), k);
  }
};

KdTree::KdTree(std::vector<Vec3f> points) {
  NSDF_CHECK(!points.empty(), core::DataError, "KdTree: the point cloud is empty");
  NSDF_CHECK(points.size() < static_cast<size_t>(std::numeric_limits<int32_t>::max()),
             core::DataError, "KdTree: the cloud has {} points, at most {} are supported",
             points.size(), std::numeric_limits<int32_t>::max() - 1);
  for (size_t i = 0; i < points.size(); ++i)
    NSDF_CHECK(finite(points[i]), core::DataError, "KdTree: point {} ({}, {}, {}) is not finite", i,
               points[i][0], points[i][1], points[i][2]);
  impl_ = std::make_unique<Impl>(std::move(points));
}

KdTree::~KdTree() = default;
KdTree::KdTree(KdTree&&) noexcept = default;
KdTree& KdTree::operator=(KdTree&&) noexcept = default;

int64_t KdTree::size() const { return impl_->size(); }

const std::vector<Vec3f>& KdTree::points() const { return impl_->points; }

Neighbor KdTree::nearest(const Vec3f& q) const {
  check_query(q, "nearest");
  return impl_->nearest(q);
}

std::vector<Neighbor> KdTree::knn(const Vec3f& q, int k) const {
  impl_->check_k(k, "knn");
  check_query(q, "knn");
  std::vector<int32_t> indices(k);
  std::vector<float> dists(k);
  impl_->knn(q, k, indices.data(), dists.data());
  std::vector<Neighbor> out(k);
  for (int i = 0; i < k; ++i) out[i] = {indices[i], dists[i]};
  return out;
}

std::vector<Neighbor> KdTree::radius(const Vec3f& q, float r) const {
  NSDF_CHECK(std::isfinite(r) && r >= 0, core::ConfigError,
             "KdTree::radius: radius = {} must be finite and >= 0", r);
  check_query(q, "radius");
  std::vector<Neighbor> out;
  RadiusSet set(r * r, out);
  impl_->index.findNeighbors(set, q.data(), nanoflann::SearchParams());
  std::sort(out.begin(), out.end(), [](const Neighbor& a, const Neighbor& b) {
    return before(a.squared_distance, static_cast<uint32_t>(a.index), b.squared_distance,
                  static_cast<uint32_t>(b.index));
  });
  return out;
}

float KdTree::kth_neighbor_distance(const Vec3f& q, int k) const {
  impl_->check_kth(k, "kth_neighbor_distance");
  check_query(q, "kth_neighbor_distance");
  std::vector<int32_t> indices(k + 1);
  std::vector<float> dists(k + 1);
  impl_->knn(q, k + 1, indices.data(), dists.data());
  return std::sqrt(dists[k]);
}

std::vector<Neighbor> KdTree::nearest_all(const std::vector<Vec3f>& queries) const {
  check_queries(queries, "nearest_all");
  std::vector<Neighbor> out(queries.size());
  tbb::parallel_for(tbb::blocked_range<size_t>(0, queries.size(), 256),
                    [&](const tbb::blocked_range<size_t>& range) {
                      for (size_t i = range.begin(); i != range.end(); ++i)
                        out[i] = impl_->nearest(queries[i]);
                    });
  return out;
}

void KdTree::knn_all(const std::vector<Vec3f>& queries, int k, std::vector<int32_t>& indices,
                     std::vector<float>& sq_dists) const {
  impl_->check_k(k, "knn_all");
  check_queries(queries, "knn_all");
  const size_t kk = static_cast<size_t>(k);
  indices.assign(queries.size() * kk, -1);
  sq_dists.assign(queries.size() * kk, 0.0f);
  tbb::parallel_for(tbb::blocked_range<size_t>(0, queries.size(), 64),
                    [&](const tbb::blocked_range<size_t>& range) {
                      for (size_t i = range.begin(); i != range.end(); ++i)
                        impl_->knn(queries[i], k, &indices[i * kk], &sq_dists[i * kk]);
                    });
}

std::vector<float> KdTree::kth_neighbor_distances(const std::vector<Vec3f>& queries, int k) const {
  impl_->check_kth(k, "kth_neighbor_distances");
  check_queries(queries, "kth_neighbor_distances");
  std::vector<float> out(queries.size());
  tbb::parallel_for(tbb::blocked_range<size_t>(0, queries.size(), 64),
                    [&](const tbb::blocked_range<size_t>& range) {
                      std::vector<int32_t> indices(k + 1);
                      std::vector<float> dists(k + 1);
                      for (size_t i = range.begin(); i != range.end(); ++i) {
                        impl_->knn(queries[i], k + 1, indices.data(), dists.data());
                        out[i] = std::sqrt(dists[k]);
                      }
                    });
  return out;
}

std::vector<float> local_sigmas(const std::vector<Vec3f>& P, int k) {
  NSDF_CHECK(k >= 1, core::ConfigError, "local_sigmas: k = {} must be >= 1", k);
  NSDF_CHECK(static_cast<int64_t>(P.size()) > k, core::DataError,
             "local_sigmas: k = {} but the cloud has only {} points (need more than k)", k,
             P.size());
  const KdTree tree(P);
  return tree.kth_neighbor_distances(P, k);
}

}  // namespace nsdf::geometry
