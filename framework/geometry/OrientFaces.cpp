#include "geometry/OrientFaces.h"

#include <tbb/parallel_sort.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>

#include "core/Error.h"

namespace nsdf::geometry {

namespace {

// Canonical index per vertex: the lowest index with a bit-identical position (after mapping -0
// to +0, which compare equal as floats).
std::vector<int32_t> weld(const std::vector<Vec3f>& V) {
  auto key = [&](int32_t i) {
    return std::array<float, 3>{V[i][0] + 0.0f, V[i][1] + 0.0f, V[i][2] + 0.0f};
  };
  std::vector<int32_t> order(V.size());
  std::iota(order.begin(), order.end(), 0);
  tbb::parallel_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) {
    const auto ka = key(a), kb = key(b);
    return ka < kb || (ka == kb && a < b);
  });
  std::vector<int32_t> canon(V.size());
  for (size_t i = 0; i < order.size(); ++i)
    canon[order[i]] =
        (i > 0 && key(order[i]) == key(order[i - 1])) ? canon[order[i - 1]] : order[i];
  return canon;
}

struct HalfEdge {
  int64_t key;  // min * #V + max of the welded endpoints
  int32_t face;
  int8_t dir;  // +1 when the face runs min -> max, -1 otherwise
};

}  // namespace

std::vector<Tri> orient_faces(const Mesh& mesh, OrientationReport* report) {
  const int64_t nv = static_cast<int64_t>(mesh.V.size());
  const size_t nf = mesh.F.size();
  for (size_t f = 0; f < nf; ++f)
    for (int k = 0; k < 3; ++k)
      NSDF_CHECK(mesh.F[f][k] >= 0 && mesh.F[f][k] < nv, core::DataError,
                 "orient_faces: face {} has vertex index {} out of range (the mesh has {} "
                 "vertices, valid indices 0..{})",
                 f, mesh.F[f][k], nv, nv - 1);
  for (size_t i = 0; i < mesh.V.size(); ++i) {
    const Vec3f& p = mesh.V[i];
    NSDF_CHECK(std::isfinite(p[0]) && std::isfinite(p[1]) && std::isfinite(p[2]), core::DataError,
               "orient_faces: vertex {} ({}, {}, {}) is not finite", i, p[0], p[1], p[2]);
  }
  const std::vector<int32_t> canon = weld(mesh.V);

  // Half-edges grouped by undirected edge: a counting sort on the lower welded endpoint
  // (stable, so face order is kept), then each bucket (a vertex's few edges) sorted by the
  // upper endpoint. Linear time, and the same order as sorting by (edge, face).
  std::vector<int32_t> bucket(nv + 1, 0);
  auto live = [&](size_t f, int32_t w[3]) {
    for (int k = 0; k < 3; ++k) w[k] = canon[mesh.F[f][k]];
    return w[0] != w[1] && w[1] != w[2] && w[2] != w[0];  // else no edges to orient by
  };
  for (size_t f = 0; f < nf; ++f) {
    int32_t w[3];
    if (!live(f, w)) continue;
    for (int k = 0; k < 3; ++k) ++bucket[std::min(w[k], w[(k + 1) % 3]) + 1];
  }
  for (int64_t v = 0; v < nv; ++v) bucket[v + 1] += bucket[v];
  std::vector<HalfEdge> edges(bucket[nv]);
  {
    std::vector<int32_t> fill(bucket.begin(), bucket.end() - 1);
    for (size_t f = 0; f < nf; ++f) {
      int32_t w[3];
      if (!live(f, w)) continue;
      for (int k = 0; k < 3; ++k) {
        const int32_t u = w[k], v = w[(k + 1) % 3];
        edges[fill[std::min(u, v)]++] = {std::min(u, v) * nv + std::max(u, v),
                                         static_cast<int32_t>(f),
                                         static_cast<int8_t>(u < v ? 1 : -1)};
      }
    }
  }
  for (int64_t v = 0; v < nv; ++v) {
    auto first = edges.begin() + bucket[v], last = edges.begin() + bucket[v + 1];
    if (last - first > 32) {
      std::stable_sort(first, last,
                       [](const HalfEdge& a, const HalfEdge& b) { return a.key < b.key; });
      continue;
    }
    for (auto i = first; i != last; ++i)  // insertion sort: stable, no allocation
      for (auto j = i; j != first && (j - 1)->key > j->key; --j) std::iter_swap(j - 1, j);
  }

  // Adjacency across manifold edges (CSR); `same` = both faces run the edge the same way, so
  // exactly one of them must be flipped. Boundary edges are counted per face for closedness.
  struct Link {
    int32_t face;
    bool same;
  };
  std::vector<int32_t> degree(nf + 1, 0), boundary(nf, 0);
  std::vector<std::pair<size_t, size_t>> manifold;  // index pairs into edges
  for (size_t i = 0; i < edges.size();) {
    size_t j = i + 1;
    while (j < edges.size() && edges[j].key == edges[i].key) ++j;
    if (j - i == 2 && edges[i].face != edges[i + 1].face) {
      manifold.emplace_back(i, i + 1);
      ++degree[edges[i].face];
      ++degree[edges[i + 1].face];
    } else if (j - i == 1) {
      ++boundary[edges[i].face];
    }
    i = j;
  }
  std::vector<int32_t> start(nf + 1, 0);
  for (size_t f = 0; f < nf; ++f) start[f + 1] = start[f] + degree[f];
  std::vector<Link> links(start[nf]);
  std::vector<int32_t> fill(start.begin(), start.end() - 1);
  for (const auto& [a, b] : manifold) {
    const bool same = edges[a].dir == edges[b].dir;
    links[fill[edges[a].face]++] = {edges[b].face, same};
    links[fill[edges[b].face]++] = {edges[a].face, same};
  }

  OrientationReport rep;
  std::vector<int8_t> flip(nf, 0);
  std::vector<int32_t> component(nf, -1);
  std::vector<int32_t> queue;
  queue.reserve(nf);
  for (size_t seed = 0; seed < nf; ++seed) {
    if (component[seed] >= 0) continue;
    const int32_t id = static_cast<int32_t>(rep.components++);
    queue.clear();
    queue.push_back(static_cast<int32_t>(seed));
    component[seed] = id;
    int64_t inconsistent = 0;
    for (size_t head = 0; head < queue.size(); ++head) {
      const int32_t f = queue[head];
      for (int32_t l = start[f]; l < start[f + 1]; ++l) {
        const int32_t g = links[l].face;
        const int8_t want = static_cast<int8_t>(flip[f] ^ (links[l].same ? 1 : 0));
        if (component[g] < 0) {
          component[g] = id;
          flip[g] = want;
          queue.push_back(g);
        } else if (flip[g] != want && f < g) {
          ++inconsistent;  // counted once per edge: from its lower face
        }
      }
    }
    if (inconsistent > 0) {
      ++rep.non_orientable_components;
      rep.inconsistent_edges += inconsistent;
    }

    // Outward test on the component as the search oriented it.
    double area = 0, centre[3] = {0, 0, 0}, flipped_area = 0;
    int64_t boundary_edges = 0, half_edges = 0;
    constexpr double kInf = std::numeric_limits<double>::infinity();
    double lo[3] = {kInf, kInf, kInf}, hi[3] = {-kInf, -kInf, -kInf};
    auto vertex = [&](int32_t f, int k) {
      const Vec3f& p = mesh.V[mesh.F[f][k]];
      return std::array<double, 3>{p[0], p[1], p[2]};
    };
    for (const int32_t f : queue) {
      const auto a = vertex(f, 0), b = vertex(f, 1), c = vertex(f, 2);
      const double e1[3] = {b[0] - a[0], b[1] - a[1], b[2] - a[2]};
      const double e2[3] = {c[0] - a[0], c[1] - a[1], c[2] - a[2]};
      const double n[3] = {e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2],
                           e1[0] * e2[1] - e1[1] * e2[0]};
      const double fa = 0.5 * std::sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
      area += fa;
      if (flip[f]) flipped_area += fa;
      for (int k = 0; k < 3; ++k) {
        centre[k] += fa * (a[k] + b[k] + c[k]) / 3.0;
        lo[k] = std::min({lo[k], a[k], b[k], c[k]});
        hi[k] = std::max({hi[k], a[k], b[k], c[k]});
      }
      boundary_edges += boundary[f];
      half_edges += 3;
    }
    for (int k = 0; k < 3; ++k) centre[k] = area > 0 ? centre[k] / area : 0.5 * (lo[k] + hi[k]);
    double volume = 0;
    for (const int32_t f : queue) {
      auto a = vertex(f, 0), b = vertex(f, 1), c = vertex(f, 2);
      for (int k = 0; k < 3; ++k) a[k] -= centre[k], b[k] -= centre[k], c[k] -= centre[k];
      const double det = a[0] * (b[1] * c[2] - b[2] * c[1]) + a[1] * (b[2] * c[0] - b[0] * c[2]) +
                         a[2] * (b[0] * c[1] - b[1] * c[0]);
      volume += (flip[f] ? -det : det) / 6.0;
    }
    const double diag =
        std::sqrt((hi[0] - lo[0]) * (hi[0] - lo[0]) + (hi[1] - lo[1]) * (hi[1] - lo[1]) +
                  (hi[2] - lo[2]) * (hi[2] - lo[2]));
    // Closed-ish: few boundary edges. Clearly non-zero volume: a flat or needle-like piece has
    // |volume| near 0 relative to area * extent, and its sign is then noise.
    const bool closed_ish = boundary_edges * 10 <= half_edges;
    const bool has_volume = std::abs(volume) > 1e-6 * area * diag;
    const bool invert = closed_ish && has_volume ? volume < 0 : flipped_area > area - flipped_area;
    if (invert) {
      ++rep.inverted_components;
      for (const int32_t f : queue) flip[f] ^= 1;
    }
  }

  std::vector<Tri> F = mesh.F;
  for (size_t f = 0; f < nf; ++f)
    if (flip[f]) {
      std::swap(F[f][1], F[f][2]);
      ++rep.flipped_faces;
    }
  if (report) *report = rep;
  return F;
}

}  // namespace nsdf::geometry
