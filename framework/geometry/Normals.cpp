#include "geometry/Normals.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_sort.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <deque>
#include <numeric>

#include "core/Error.h"
#include "geometry/KdTree.h"
#include "geometry/UnionFind.h"
#include "geometry/VecMath.h"

namespace nsdf::geometry {

namespace {

using Mat3 = std::array<std::array<double, 3>, 3>;

// The outward flux decides a component's sign when it exceeds this fraction of its absolute
// value: a closed surface scores near 1 (a sphere exactly 1), a flat open patch near 0.
constexpr double kDecisiveFlux = 0.05;

void check_cloud(const std::vector<Vec3f>& P, const char* what) {
  NSDF_CHECK(!P.empty(), core::DataError, "{}: the point cloud is empty", what);
  NSDF_CHECK(P.size() < static_cast<size_t>(INT32_MAX), core::DataError,
             "{}: the cloud has {} points, at most {} are supported", what, P.size(),
             INT32_MAX - 1);
  for (size_t i = 0; i < P.size(); ++i)
    NSDF_CHECK(finite(P[i]), core::DataError, "{}: point {} ({}, {}, {}) is not finite", what, i,
               P[i][0], P[i][1], P[i][2]);
}

// The distinct positions of a cloud, numbered in order of first occurrence.
struct Distinct {
  std::vector<Vec3f> points;   // #U
  std::vector<int32_t> first;  // #U: index in P of the first occurrence
  std::vector<int32_t> of;     // #P: which distinct point each input point is
};

Distinct merge_duplicates(const std::vector<Vec3f>& P) {
  const int32_t n = static_cast<int32_t>(P.size());
  std::vector<int32_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  // (position, index) is a total order, so the parallel sort is deterministic.
  tbb::parallel_sort(order.begin(), order.end(),
                     [&](int32_t a, int32_t b) { return P[a] < P[b] || (P[a] == P[b] && a < b); });
  std::vector<int32_t> rep(n);  // first occurrence of each point's position
  for (int32_t s = 0; s < n; ++s)
    rep[order[s]] = (s > 0 && P[order[s]] == P[order[s - 1]]) ? rep[order[s - 1]] : order[s];
  Distinct d;
  d.of.resize(n);
  for (int32_t i = 0; i < n; ++i) {
    if (rep[i] == i) {
      d.of[i] = static_cast<int32_t>(d.points.size());
      d.points.push_back(P[i]);
      d.first.push_back(i);
    } else {
      d.of[i] = d.of[rep[i]];
    }
  }
  return d;
}

void check_k(int k, int min_k, const std::vector<Vec3f>& P, const Distinct& d, const char* what) {
  NSDF_CHECK(k >= min_k, core::ConfigError, "{}: k = {} must be at least {}", what, k, min_k);
  NSDF_CHECK(static_cast<size_t>(k) <= P.size(), core::DataError,
             "{}: k = {} but the cloud has only {} points", what, k, P.size());
  NSDF_CHECK(static_cast<size_t>(k) <= d.points.size(), core::DataError,
             "{}: k = {} but the cloud has only {} distinct points ({} with duplicates)", what, k,
             d.points.size(), P.size());
}

// Smallest-eigenvalue eigenvector of the covariance of each point's k neighbours.
std::vector<Vec3f> pca_normals(const std::vector<Vec3f>& U, const std::vector<int32_t>& knn,
                               int k) {
  std::vector<Vec3f> N(U.size());
  tbb::parallel_for(tbb::blocked_range<size_t>(0, U.size(), 256), [&](const tbb::blocked_range<
                                                                      size_t>& range) {
    for (size_t i = range.begin(); i != range.end(); ++i) {
      const int32_t* nb = &knn[i * k];
      // Two passes (mean, then centred products) keep the covariance accurate
      // far from the origin.
      double mean[3] = {0, 0, 0};
      for (int j = 0; j < k; ++j)
        for (int c = 0; c < 3; ++c) mean[c] += U[nb[j]][c];
      for (double& m : mean) m /= k;
      Mat3 C{};
      for (int j = 0; j < k; ++j) {
        const double d[3] = {U[nb[j]][0] - mean[0], U[nb[j]][1] - mean[1], U[nb[j]][2] - mean[2]};
        for (int r = 0; r < 3; ++r)
          for (int c = r; c < 3; ++c) C[r][c] += d[r] * d[c];
      }
      const SymmetricEigen3 eigen = symmetric_eigen3(C);
      const auto& v = eigen.vectors[0];
      const double len = length(v);
      N[i] = {static_cast<float>(v[0] / len), static_cast<float>(v[1] / len),
              static_cast<float>(v[2] / len)};
    }
  });
  return N;
}

struct Edge {
  float weight;
  int32_t a;  // a < b
  int32_t b;
};

void flip(Vec3f& n) { n = {-n[0], -n[1], -n[2]}; }

// Hoppe's orientation of the distinct points' normals N, given their k-NN rows.
void orient_along_mst(const std::vector<Vec3f>& U, std::vector<Vec3f>& N,
                      const std::vector<int32_t>& knn, int k) {
  const size_t n = U.size();
  std::vector<Edge> edges(n * k);
  tbb::parallel_for(tbb::blocked_range<size_t>(0, n, 256),
                    [&](const tbb::blocked_range<size_t>& range) {
                      for (size_t i = range.begin(); i != range.end(); ++i)
                        for (int j = 0; j < k; ++j) {
                          const int32_t a = std::min<int32_t>(i, knn[i * k + j]);
                          const int32_t b = std::max<int32_t>(i, knn[i * k + j]);
                          const double len = std::sqrt(dot(N[a], N[a]) * dot(N[b], N[b]));
                          // A zero normal carries no orientation: make its edges the last resort.
                          const double c = len > 0 ? std::abs(dot(N[a], N[b])) / len : 0.0;
                          edges[i * k + j] = {static_cast<float>(1.0 - std::min(c, 1.0)), a, b};
                        }
                    });
  // (weight, a, b) is a total order up to exact repeats, which are interchangeable, so the tree
  // does not depend on the sort's thread count.
  tbb::parallel_sort(edges.begin(), edges.end(), [](const Edge& x, const Edge& y) {
    if (x.weight != y.weight) return x.weight < y.weight;
    if (x.a != y.a) return x.a < y.a;
    return x.b < y.b;
  });

  // Kruskal: the minimum spanning forest, as adjacency lists in CSR form.
  UnionFind<int32_t> uf(n);
  std::vector<std::pair<int32_t, int32_t>> tree;
  tree.reserve(n);
  for (const Edge& e : edges)
    if (e.a != e.b && uf.unite(e.a, e.b)) tree.emplace_back(e.a, e.b);
  std::vector<int32_t> start(n + 1, 0);
  for (const auto& [a, b] : tree) {
    ++start[a + 1];
    ++start[b + 1];
  }
  std::partial_sum(start.begin(), start.end(), start.begin());
  std::vector<int32_t> adjacent(start.back());
  std::vector<int32_t> fill(start.begin(), start.end() - 1);
  for (const auto& [a, b] : tree) {
    adjacent[fill[a]++] = b;
    adjacent[fill[b]++] = a;
  }

  // One seed per component: its highest point (lowest index on ties), normal to +z.
  std::vector<int32_t> seed(n, -1);
  for (size_t i = 0; i < n; ++i) {
    const int32_t r = uf.find(static_cast<int32_t>(i));
    if (seed[r] < 0 || U[i][2] > U[seed[r]][2]) seed[r] = static_cast<int32_t>(i);
  }
  std::vector<char> visited(n, 0);
  std::deque<int32_t> queue;
  for (size_t r = 0; r < n; ++r) {
    if (seed[r] < 0) continue;
    const int32_t s = seed[r];
    if (N[s][2] < 0) flip(N[s]);
    visited[s] = 1;
    queue.push_back(s);
    while (!queue.empty()) {
      const int32_t p = queue.front();
      queue.pop_front();
      for (int32_t e = start[p]; e < start[p + 1]; ++e) {
        const int32_t c = adjacent[e];
        if (visited[c]) continue;
        visited[c] = 1;
        if (dot(N[p], N[c]) < 0) flip(N[c]);
        queue.push_back(c);
      }
    }
  }

  // The flux check: sum_i n_i . (p_i - c), c the component's centroid, estimates
  // 3 * volume * density > 0 for outward normals of a closed surface whatever its shape
  // (divergence theorem), and is positive for outward normals of a convex patch; it uses every
  // point, so it overrides a seed whose normal is wrong (a patch cut off by a sampling hole,
  // whose top is not a top of the surface; a noisy tip). When it is indecisive (a nearly flat
  // open patch), the seed's +z stays.
  std::vector<std::array<double, 4>> centroid(n, {0, 0, 0, 0});  // sum x, y, z, count per root
  std::vector<int32_t> root(n);
  for (size_t i = 0; i < n; ++i) {
    root[i] = uf.find(static_cast<int32_t>(i));
    for (int d = 0; d < 3; ++d) centroid[root[i]][d] += U[i][d];
    centroid[root[i]][3] += 1;
  }
  std::vector<double> flux(n, 0), magnitude(n, 0);
  for (size_t i = 0; i < n; ++i) {
    const auto& c = centroid[root[i]];
    const double f = (U[i][0] - c[0] / c[3]) * N[i][0] + (U[i][1] - c[1] / c[3]) * N[i][1] +
                     (U[i][2] - c[2] / c[3]) * N[i][2];
    flux[root[i]] += f;
    magnitude[root[i]] += std::abs(f);
  }
  for (size_t i = 0; i < n; ++i)
    if (flux[root[i]] < -kDecisiveFlux * magnitude[root[i]]) flip(N[i]);
}

// The distinct points of a cloud and the k nearest distinct points of each (k-NN rows).
struct Neighbourhoods {
  Distinct distinct;
  std::vector<int32_t> knn;  // #U * k
};

// Merges P's duplicates, checks k against what remains (at least min_k) and finds the
// neighbours; `what` starts error messages.
Neighbourhoods distinct_neighbourhoods(const std::vector<Vec3f>& P, int k, int min_k,
                                       const char* what) {
  Neighbourhoods n{merge_duplicates(P), {}};
  check_k(k, min_k, P, n.distinct, what);
  std::vector<float> sq;
  KdTree(n.distinct.points).knn_all(n.distinct.points, k, n.knn, sq);
  return n;
}

// PCA normals of P's distinct points, oriented along the spanning tree when `orient`, handed
// back to every input point (duplicates get the same normal).
std::vector<Vec3f> estimate(const std::vector<Vec3f>& P, int k, bool orient) {
  check_cloud(P, "normal estimation");
  const Neighbourhoods n = distinct_neighbourhoods(P, k, 3, "normal estimation");
  std::vector<Vec3f> UN = pca_normals(n.distinct.points, n.knn, k);
  if (orient) orient_along_mst(n.distinct.points, UN, n.knn, k);
  std::vector<Vec3f> N(P.size());
  for (size_t i = 0; i < P.size(); ++i) N[i] = UN[n.distinct.of[i]];
  return N;
}

void check_normal_count(const std::vector<Vec3f>& P, const std::vector<Vec3f>& N) {
  NSDF_CHECK(N.size() == P.size(), core::DataError,
             "normal orientation: {} normals for {} points (need one per point)", N.size(),
             P.size());
}

// Flips N[i] for every i where wrong(i).
template <class Wrong>
void flip_where(std::vector<Vec3f>& N, Wrong&& wrong) {
  for (size_t i = 0; i < N.size(); ++i)
    if (wrong(i)) flip(N[i]);
}

}  // namespace

SymmetricEigen3 symmetric_eigen3(const std::array<std::array<double, 3>, 3>& A) {
  Mat3 a{};
  for (int r = 0; r < 3; ++r)
    for (int c = r; c < 3; ++c) a[r][c] = a[c][r] = A[r][c];
  Mat3 v{{{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}};  // columns are the eigenvectors
  double frobenius2 = 0;
  for (const auto& row : a)
    for (double x : row) frobenius2 += x * x;

  constexpr int kPairs[3][2] = {{0, 1}, {0, 2}, {1, 2}};
  // Cyclic Jacobi converges quadratically; a 3x3 matrix reaches machine precision in a handful
  // of sweeps, so the cap only guards against pathological input.
  for (int sweep = 0; sweep < 50; ++sweep) {
    const double off2 = a[0][1] * a[0][1] + a[0][2] * a[0][2] + a[1][2] * a[1][2];
    if (off2 <= 1e-32 * frobenius2 || off2 == 0) break;
    for (const auto& pq : kPairs) {
      const int p = pq[0], q = pq[1];
      if (a[p][q] == 0) continue;
      // Rotation annihilating a[p][q] (Numerical Recipes 11.1), the smaller angle for stability.
      const double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
      const double t =
          std::abs(theta) > 1e150
              ? 1 / (2 * theta)
              : (theta >= 0 ? 1 : -1) / (std::abs(theta) + std::sqrt(theta * theta + 1));
      const double c = 1 / std::sqrt(t * t + 1);
      const double s = t * c;
      // a <- J^T a J, v <- v J with J the identity except J[p][p] = J[q][q] = c, J[p][q] = s,
      // J[q][p] = -s.
      for (int k = 0; k < 3; ++k) {
        const double akp = a[k][p], akq = a[k][q];
        a[k][p] = c * akp - s * akq;
        a[k][q] = s * akp + c * akq;
      }
      for (int k = 0; k < 3; ++k) {
        const double apk = a[p][k], aqk = a[q][k];
        a[p][k] = c * apk - s * aqk;
        a[q][k] = s * apk + c * aqk;
      }
      a[p][q] = a[q][p] = 0;
      for (int k = 0; k < 3; ++k) {
        const double vkp = v[k][p], vkq = v[k][q];
        v[k][p] = c * vkp - s * vkq;
        v[k][q] = s * vkp + c * vkq;
      }
    }
  }

  int order[3] = {0, 1, 2};
  std::sort(order, order + 3, [&](int x, int y) { return a[x][x] < a[y][y]; });
  SymmetricEigen3 out;
  for (int i = 0; i < 3; ++i) {
    out.values[i] = a[order[i]][order[i]];
    for (int r = 0; r < 3; ++r) out.vectors[i][r] = v[r][order[i]];
  }
  return out;
}

std::vector<Vec3f> estimate_unoriented_normals(const std::vector<Vec3f>& P, int k) {
  return estimate(P, k, false);
}

std::vector<Vec3f> estimate_normals(const std::vector<Vec3f>& P, int k) {
  return estimate(P, k, true);
}

void orient_normals_consistently(const std::vector<Vec3f>& P, std::vector<Vec3f>& N, int k) {
  check_cloud(P, "normal orientation");
  check_normal_count(P, N);
  for (size_t i = 0; i < N.size(); ++i)
    NSDF_CHECK(finite(N[i]), core::DataError,
               "normal orientation: normal {} ({}, {}, {}) is not finite", i, N[i][0], N[i][1],
               N[i][2]);
  const Neighbourhoods n = distinct_neighbourhoods(P, k, 2, "normal orientation");
  std::vector<Vec3f> UN(n.distinct.points.size());
  for (size_t u = 0; u < UN.size(); ++u) UN[u] = N[n.distinct.first[u]];
  orient_along_mst(n.distinct.points, UN, n.knn, k);
  flip_where(N, [&](size_t i) { return dot(N[i], UN[n.distinct.of[i]]) < 0; });
}

void orient_normals_towards(const std::vector<Vec3f>& P, std::vector<Vec3f>& N,
                            const Vec3f& viewpoint) {
  check_normal_count(P, N);
  flip_where(N, [&](size_t i) {
    const Vec3f to_view = {viewpoint[0] - P[i][0], viewpoint[1] - P[i][1], viewpoint[2] - P[i][2]};
    return dot(N[i], to_view) < 0;
  });
}

void orient_normals_away_from(const std::vector<Vec3f>& P, std::vector<Vec3f>& N,
                              const Vec3f& center) {
  check_normal_count(P, N);
  flip_where(N, [&](size_t i) {
    const Vec3f outward = {P[i][0] - center[0], P[i][1] - center[1], P[i][2] - center[2]};
    return dot(N[i], outward) < 0;
  });
}

}  // namespace nsdf::geometry
