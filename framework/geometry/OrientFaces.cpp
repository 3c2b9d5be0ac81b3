#include "geometry/OrientFaces.h"

#include <tbb/parallel_sort.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <utility>

#include "core/Error.h"
#include "geometry/VecMath.h"

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

// Buckets of at most this many half-edges (a vertex's edges, usually a handful) are sorted by
// insertion; larger ones (fans of thousands of faces) by std::stable_sort.
constexpr ptrdiff_t kMaxInsertionSort = 32;
// A component is closed-ish, and its volume decides its orientation, when it has at least this
// many half-edges per boundary edge (at most 10% of its edges lie on the boundary).
constexpr int64_t kMinHalfEdgesPerBoundaryEdge = 10;
// The volume decides only when |volume| exceeds this fraction of area x bounding-box diagonal:
// a flat or needle-like piece has a volume near 0 relative to that, whose sign is noise.
constexpr double kMinRelativeVolume = 1e-6;

struct HalfEdge {
  int64_t key;  // min * #V + max of the welded endpoints
  int32_t face;
  int8_t dir;  // +1 when the face runs min -> max, -1 otherwise
};

// A neighbour across a manifold edge; `same` = both faces run the edge the same way, so exactly
// one of them must be flipped.
struct Link {
  int32_t face;
  bool same;
};

// The faces' neighbours across manifold edges, in CSR form, and each face's boundary edges.
struct FaceGraph {
  std::vector<int32_t> start;     // #F + 1: face f's links are links[start[f], start[f + 1])
  std::vector<Link> links;        // neighbours in the order of their shared edges' keys
  std::vector<int32_t> boundary;  // #F: edges of the face used by no other face
};

// The search's result: a flip bit per face, and the faces of each component in the order the
// search reached them.
struct Components {
  std::vector<int8_t> flip;    // #F: 1 when the face must be reversed to agree with its seed
  std::vector<int32_t> faces;  // #F: component c is faces[start[c], start[c + 1])
  std::vector<int64_t> start;  // #components + 1
};

/// Throws DataError unless every face index is in range and every vertex is finite.
/// @param[in] mesh V #V by 3, F #F by 3
void check_input(const Mesh& mesh) {
  const int64_t nv = static_cast<int64_t>(mesh.V.size());
  for (size_t f = 0; f < mesh.F.size(); ++f)
    for (int k = 0; k < 3; ++k)
      NSDF_CHECK(mesh.F[f][k] >= 0 && mesh.F[f][k] < nv, core::DataError,
                 "orient_faces: face {} has vertex index {} out of range (the mesh has {} "
                 "vertices, valid indices 0..{})",
                 f, mesh.F[f][k], nv, nv - 1);
  for (size_t i = 0; i < mesh.V.size(); ++i) {
    const Vec3f& p = mesh.V[i];
    NSDF_CHECK(finite(p), core::DataError, "orient_faces: vertex {} ({}, {}, {}) is not finite", i,
               p[0], p[1], p[2]);
  }
}

/// The half-edges of the faces that keep three distinct welded vertices, grouped by undirected
/// edge in the order of sorting by (edge key, face): a counting sort on the lower welded endpoint
/// (stable, so face order is kept), then each bucket (a vertex's few edges) sorted by the upper
/// endpoint. Linear time.
/// @param[in] F #F by 3 faces
/// @param[in] canon #V welded vertex of each vertex (weld)
/// @return half-edges, those of one undirected edge next to each other
std::vector<HalfEdge> sorted_half_edges(const std::vector<Tri>& F,
                                        const std::vector<int32_t>& canon) {
  const int64_t nv = static_cast<int64_t>(canon.size());
  const size_t nf = F.size();
  std::vector<int32_t> bucket(nv + 1, 0);
  auto live = [&](size_t f, int32_t w[3]) {
    for (int k = 0; k < 3; ++k) w[k] = canon[F[f][k]];
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
    if (last - first > kMaxInsertionSort) {
      std::stable_sort(first, last,
                       [](const HalfEdge& a, const HalfEdge& b) { return a.key < b.key; });
      continue;
    }
    for (auto i = first; i != last; ++i)  // insertion sort: stable, no allocation
      for (auto j = i; j != first && (j - 1)->key > j->key; --j) std::iter_swap(j - 1, j);
  }
  return edges;
}

/// The adjacency of faces across manifold edges (used by exactly two different faces), and the
/// boundary edges (used by one face) of each face.
/// @param[in] edges half-edges grouped by undirected edge (sorted_half_edges)
/// @param[in] nf #F
FaceGraph manifold_face_graph(const std::vector<HalfEdge>& edges, size_t nf) {
  FaceGraph graph;
  std::vector<int32_t> degree(nf + 1, 0);
  graph.boundary.assign(nf, 0);
  std::vector<std::pair<size_t, size_t>> manifold;  // index pairs into edges
  for (size_t i = 0; i < edges.size();) {
    size_t j = i + 1;
    while (j < edges.size() && edges[j].key == edges[i].key) ++j;
    if (j - i == 2 && edges[i].face != edges[i + 1].face) {
      manifold.emplace_back(i, i + 1);
      ++degree[edges[i].face];
      ++degree[edges[i + 1].face];
    } else if (j - i == 1) {
      ++graph.boundary[edges[i].face];
    }
    i = j;
  }
  graph.start.assign(nf + 1, 0);
  for (size_t f = 0; f < nf; ++f) graph.start[f + 1] = graph.start[f] + degree[f];
  graph.links.resize(graph.start[nf]);
  std::vector<int32_t> fill(graph.start.begin(), graph.start.end() - 1);
  for (const auto& [a, b] : manifold) {
    const bool same = edges[a].dir == edges[b].dir;
    graph.links[fill[edges[a].face]++] = {edges[b].face, same};
    graph.links[fill[edges[b].face]++] = {edges[a].face, same};
  }
  return graph;
}

/// Consistent orientation of each connected component of the face graph (libigl's bfs_orient):
/// a breadth-first search per component, seeded at its lowest face (which keeps its vertex
/// order), flips each newly reached face so that it traverses the shared edge opposite to its
/// neighbour. Edges that no choice of flips can make consistent (a Moebius-like component) are
/// counted, once each, from their lower face.
/// @param[in] graph manifold adjacency (manifold_face_graph)
/// @param[in,out] report components, non_orientable_components and inconsistent_edges are added
/// @return the flips and each component's faces in search order
Components bfs_orient(const FaceGraph& graph, OrientationReport& report) {
  const size_t nf = graph.boundary.size();
  Components out;
  out.flip.assign(nf, 0);
  out.faces.reserve(nf);
  out.start.push_back(0);
  std::vector<int32_t> component(nf, -1);
  for (size_t seed = 0; seed < nf; ++seed) {
    if (component[seed] >= 0) continue;
    const int32_t id = static_cast<int32_t>(report.components++);
    out.faces.push_back(static_cast<int32_t>(seed));
    component[seed] = id;
    int64_t inconsistent = 0;
    for (size_t head = static_cast<size_t>(out.start.back()); head < out.faces.size(); ++head) {
      const int32_t f = out.faces[head];
      for (int32_t l = graph.start[f]; l < graph.start[f + 1]; ++l) {
        const int32_t g = graph.links[l].face;
        const int8_t want = static_cast<int8_t>(out.flip[f] ^ (graph.links[l].same ? 1 : 0));
        if (component[g] < 0) {
          component[g] = id;
          out.flip[g] = want;
          out.faces.push_back(g);
        } else if (out.flip[g] != want && f < g) {
          ++inconsistent;  // counted once per edge: from its lower face
        }
      }
    }
    out.start.push_back(static_cast<int64_t>(out.faces.size()));
    if (inconsistent > 0) {
      ++report.non_orientable_components;
      report.inconsistent_edges += inconsistent;
    }
  }
  return out;
}

/// Whether a component, as bfs_orient oriented it, must be turned over to face outward
/// (libigl's orient_outward, per component). A closed-ish component whose signed volume
/// sum_t det(a - o, b - o, c - o) / 6 about its area-weighted centroid o is clearly non-zero
/// faces inward when that volume is negative; any other (open patches, single triangles, flat
/// pieces) when the search flipped most of its area, so that turning it over keeps the
/// orientation most of its original faces share.
/// @param[in] mesh V #V by 3, F #F by 3
/// @param[in] faces, count the component's faces, in search order (the sums run in that order)
/// @param[in] flip #F flips from bfs_orient
/// @param[in] boundary #F boundary edges per face
bool faces_inward(const Mesh& mesh, const int32_t* faces, size_t count,
                  const std::vector<int8_t>& flip, const std::vector<int32_t>& boundary) {
  double area = 0, centre[3] = {0, 0, 0}, flipped_area = 0;
  int64_t boundary_edges = 0, half_edges = 0;
  constexpr double kInf = std::numeric_limits<double>::infinity();
  double lo[3] = {kInf, kInf, kInf}, hi[3] = {-kInf, -kInf, -kInf};
  auto vertex = [&](int32_t f, int k) { return to_double(mesh.V[mesh.F[f][k]]); };
  for (size_t i = 0; i < count; ++i) {
    const int32_t f = faces[i];
    const auto a = vertex(f, 0), b = vertex(f, 1), c = vertex(f, 2);
    const double fa = 0.5 * length(cross(sub(b, a), sub(c, a)));
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
  for (size_t i = 0; i < count; ++i) {
    const int32_t f = faces[i];
    auto a = vertex(f, 0), b = vertex(f, 1), c = vertex(f, 2);
    for (int k = 0; k < 3; ++k) a[k] -= centre[k], b[k] -= centre[k], c[k] -= centre[k];
    const double det = a[0] * (b[1] * c[2] - b[2] * c[1]) + a[1] * (b[2] * c[0] - b[0] * c[2]) +
                       a[2] * (b[0] * c[1] - b[1] * c[0]);
    volume += (flip[f] ? -det : det) / 6.0;
  }
  const double diag =
      std::sqrt((hi[0] - lo[0]) * (hi[0] - lo[0]) + (hi[1] - lo[1]) * (hi[1] - lo[1]) +
                (hi[2] - lo[2]) * (hi[2] - lo[2]));
  const bool closed_ish = boundary_edges * kMinHalfEdgesPerBoundaryEdge <= half_edges;
  const bool has_volume = std::abs(volume) > kMinRelativeVolume * area * diag;
  return closed_ish && has_volume ? volume < 0 : flipped_area > area - flipped_area;
}

}  // namespace

std::vector<Tri> orient_faces(const Mesh& mesh, OrientationReport* report) {
  check_input(mesh);
  const std::vector<int32_t> canon = weld(mesh.V);
  const FaceGraph graph = manifold_face_graph(sorted_half_edges(mesh.F, canon), mesh.F.size());
  OrientationReport rep;
  Components components = bfs_orient(graph, rep);
  std::vector<int8_t>& flip = components.flip;
  for (size_t c = 0; c + 1 < components.start.size(); ++c) {
    const int32_t* faces = components.faces.data() + components.start[c];
    const size_t count = static_cast<size_t>(components.start[c + 1] - components.start[c]);
    if (faces_inward(mesh, faces, count, flip, graph.boundary)) {
      ++rep.inverted_components;
      for (size_t i = 0; i < count; ++i) flip[faces[i]] ^= 1;
    }
  }

  std::vector<Tri> F = mesh.F;
  for (size_t f = 0; f < F.size(); ++f)
    if (flip[f]) {
      std::swap(F[f][1], F[f][2]);
      ++rep.flipped_faces;
    }
  if (report) *report = rep;
  return F;
}

}  // namespace nsdf::geometry
