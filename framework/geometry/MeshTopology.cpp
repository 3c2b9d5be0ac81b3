#include "geometry/MeshTopology.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_reduce.h>
#include <tbb/parallel_sort.h>

#include <algorithm>
#include <numeric>
#include <utility>

#include "core/Error.h"
#include "geometry/UnionFind.h"

namespace nsdf::geometry {

namespace {

void check_indices(const Mesh& mesh) {
  const int64_t nv = static_cast<int64_t>(mesh.V.size());
  for (size_t f = 0; f < mesh.F.size(); ++f)
    for (int32_t v : mesh.F[f])
      NSDF_CHECK(v >= 0 && v < nv, core::DataError,
                 "mesh face {} has vertex index {}, mesh has {} vertices", f, v, nv);
}

bool degenerate(const Tri& t) { return t[0] == t[1] || t[1] == t[2] || t[2] == t[0]; }

// Number of vertices whose link (the edges opposite them in their faces) is not connected.
int64_t count_non_manifold_vertices(const Mesh& mesh) {
  const size_t nv = mesh.V.size();
  std::vector<int64_t> start(nv + 1, 0);
  for (const Tri& t : mesh.F)
    if (!degenerate(t))
      for (int32_t v : t) ++start[v + 1];
  std::partial_sum(start.begin(), start.end(), start.begin());
  std::vector<std::pair<int32_t, int32_t>> link(static_cast<size_t>(start[nv]));
  std::vector<int64_t> fill(start.begin(), start.end() - 1);
  for (const Tri& t : mesh.F) {
    if (degenerate(t)) continue;
    for (int c = 0; c < 3; ++c) link[fill[t[c]]++] = {t[(c + 1) % 3], t[(c + 2) % 3]};
  }
  return tbb::parallel_reduce(
      tbb::blocked_range<size_t>(0, nv, 1024), int64_t{0},
      [&](const tbb::blocked_range<size_t>& r, int64_t count) {
        std::vector<int32_t> nodes;
        UnionFind<int64_t> uf;
        for (size_t v = r.begin(); v != r.end(); ++v) {
          const int64_t b = start[v], e = start[v + 1];
          if (e - b <= 1) continue;
          nodes.clear();
          for (int64_t n = b; n < e; ++n) {
            nodes.push_back(link[n].first);
            nodes.push_back(link[n].second);
          }
          std::sort(nodes.begin(), nodes.end());
          nodes.erase(std::unique(nodes.begin(), nodes.end()), nodes.end());
          const auto local = [&](int32_t x) {
            return std::lower_bound(nodes.begin(), nodes.end(), x) - nodes.begin();
          };
          uf.reset(nodes.size());
          int64_t pieces = static_cast<int64_t>(nodes.size());
          for (int64_t n = b; n < e; ++n) {
            const int64_t x = uf.find(local(link[n].first)), y = uf.find(local(link[n].second));
            if (x != y) {
              uf.unite(x, y);
              --pieces;
            }
          }
          count += pieces > 1;
        }
        return count;
      },
      [](int64_t a, int64_t b) { return a + b; });
}

}  // namespace

std::vector<int> connected_components(const Mesh& mesh) {
  check_indices(mesh);
  UnionFind<int64_t> uf(mesh.V.size());
  for (const Tri& t : mesh.F) {
    uf.unite(t[0], t[1]);
    uf.unite(t[1], t[2]);
  }
  std::vector<int> root_id(mesh.V.size(), -1);
  std::vector<int> face_id(mesh.F.size());
  int next = 0;
  for (size_t f = 0; f < mesh.F.size(); ++f) {
    int& id = root_id[uf.find(mesh.F[f][0])];
    if (id < 0) id = next++;
    face_id[f] = id;
  }
  return face_id;
}

TopologyReport analyze_topology(const Mesh& mesh) {
  check_indices(mesh);
  TopologyReport report;
  const int64_t nv = static_cast<int64_t>(mesh.V.size());

  // Half-edges as (undirected key, direction); sorting groups the faces of each edge.
  std::vector<std::pair<int64_t, bool>> half_edges;
  half_edges.reserve(mesh.F.size() * 3);
  std::vector<char> referenced(mesh.V.size(), 0);
  for (const Tri& t : mesh.F) {
    for (int32_t v : t) referenced[v] = 1;
    if (degenerate(t)) {
      ++report.degenerate_faces;
      continue;
    }
    for (int c = 0; c < 3; ++c) {
      const int64_t a = t[c], b = t[(c + 1) % 3];
      half_edges.emplace_back(std::min(a, b) * nv + std::max(a, b), a < b);
    }
  }
  tbb::parallel_sort(half_edges.begin(), half_edges.end());
  int64_t edges = 0;
  bool oriented = true;
  for (size_t n = 0; n < half_edges.size();) {
    size_t m = n;
    int forward = 0;
    while (m < half_edges.size() && half_edges[m].first == half_edges[n].first)
      forward += half_edges[m++].second;
    const int64_t faces = static_cast<int64_t>(m - n);
    ++edges;
    if (faces == 1) ++report.boundary_edges;
    if (faces > 2) ++report.non_manifold_edges;
    if (forward > 1 || faces - forward > 1) oriented = false;
    n = m;
  }
  const int64_t vertices = std::count(referenced.begin(), referenced.end(), 1);
  report.euler = vertices - edges + static_cast<int64_t>(mesh.F.size());
  report.watertight = report.boundary_edges == 0 && report.non_manifold_edges == 0;
  report.consistently_oriented = oriented;
  report.non_manifold_vertices = count_non_manifold_vertices(mesh);
  const std::vector<int> ids = connected_components(mesh);
  report.components = ids.empty() ? 0 : *std::max_element(ids.begin(), ids.end()) + 1;
  return report;
}

Mesh largest_component(const Mesh& mesh) {
  const std::vector<int> ids = connected_components(mesh);
  if (ids.empty()) return {};
  std::vector<int64_t> size(static_cast<size_t>(*std::max_element(ids.begin(), ids.end()) + 1));
  for (int id : ids) ++size[id];
  const int keep = static_cast<int>(std::max_element(size.begin(), size.end()) - size.begin());

  std::vector<int32_t> new_index(mesh.V.size(), -1);
  for (size_t f = 0; f < mesh.F.size(); ++f)
    if (ids[f] == keep)
      for (int32_t v : mesh.F[f]) new_index[v] = 0;
  Mesh out;
  const bool normals = mesh.N.size() == mesh.V.size();
  for (size_t v = 0; v < mesh.V.size(); ++v) {
    if (new_index[v] < 0) continue;
    new_index[v] = static_cast<int32_t>(out.V.size());
    out.V.push_back(mesh.V[v]);
    if (normals) out.N.push_back(mesh.N[v]);
  }
  for (size_t f = 0; f < mesh.F.size(); ++f)
    if (ids[f] == keep)
      out.F.push_back({new_index[mesh.F[f][0]], new_index[mesh.F[f][1]], new_index[mesh.F[f][2]]});
  return out;
}

}  // namespace nsdf::geometry
