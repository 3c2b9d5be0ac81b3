#include "geometry/Simplify.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "core/Error.h"

namespace nsdf::geometry {

Mesh cluster_vertices(const Mesh& mesh, int cells) {
  NSDF_CHECK(cells >= 1, core::DataError, "cluster_vertices: cells must be >= 1 (got {})", cells);
  if (mesh.V.empty()) return mesh;
  Vec3f lo = mesh.V[0], hi = mesh.V[0];
  for (const auto& v : mesh.V)
    for (int a = 0; a < 3; ++a) {
      lo[a] = std::min(lo[a], v[a]);
      hi[a] = std::max(hi[a], v[a]);
    }
  const double extent = std::max({hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2], 1e-30f});
  const double cell = extent / cells;
  const auto key_of = [&](const Vec3f& v) {
    uint64_t key = 0;
    for (int a = 0; a < 3; ++a) {
      const auto c = static_cast<uint64_t>(
          std::min<double>(cells - 1, std::max(0.0, std::floor((v[a] - lo[a]) / cell))));
      key = key * 2097152u + c;  // 21 bits per axis
    }
    return key;
  };
  std::unordered_map<uint64_t, int32_t> cell_index;
  std::vector<int32_t> remap(mesh.V.size());
  std::vector<std::array<double, 4>> sums;
  for (std::size_t i = 0; i < mesh.V.size(); ++i) {
    const auto [it, fresh] =
        cell_index.emplace(key_of(mesh.V[i]), static_cast<int32_t>(sums.size()));
    if (fresh) sums.push_back({0, 0, 0, 0});
    auto& s = sums[static_cast<std::size_t>(it->second)];
    for (int a = 0; a < 3; ++a) s[a] += mesh.V[i][a];
    s[3] += 1;
    remap[i] = it->second;
  }
  Mesh out;
  out.V.reserve(sums.size());
  for (const auto& s : sums)
    out.V.push_back({static_cast<float>(s[0] / s[3]), static_cast<float>(s[1] / s[3]),
                     static_cast<float>(s[2] / s[3])});
  struct TriHash {
    std::size_t operator()(const std::array<int32_t, 3>& t) const {
      return (static_cast<std::size_t>(t[0]) * 73856093u) ^
             (static_cast<std::size_t>(t[1]) * 19349663u) ^
             (static_cast<std::size_t>(t[2]) * 83492791u);
    }
  };
  std::unordered_set<std::array<int32_t, 3>, TriHash> seen;
  for (const Tri& t : mesh.F) {
    Tri r{remap[static_cast<std::size_t>(t[0])], remap[static_cast<std::size_t>(t[1])],
          remap[static_cast<std::size_t>(t[2])]};
    if (r[0] == r[1] || r[1] == r[2] || r[0] == r[2]) continue;
    std::array<int32_t, 3> sorted = r;
    std::sort(sorted.begin(), sorted.end());
    if (seen.insert(sorted).second) out.F.push_back(r);
  }
  return out;
}

Mesh simplify_by_clustering(const Mesh& mesh, int64_t max_faces) {
  NSDF_CHECK(max_faces >= 1, core::DataError, "simplify_by_clustering: max_faces must be >= 1 (got {})",
             max_faces);
  if (static_cast<int64_t>(mesh.F.size()) <= max_faces) return mesh;
  for (int cells = 1024; cells >= 2; cells /= 2) {
    Mesh m = cluster_vertices(mesh, cells);
    if (static_cast<int64_t>(m.F.size()) <= max_faces) return m;
  }
  return cluster_vertices(mesh, 1);
}

}  // namespace nsdf::geometry
