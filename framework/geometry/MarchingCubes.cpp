#include "geometry/MarchingCubes.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_reduce.h>
#include <tbb/parallel_sort.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "core/Error.h"
#include "geometry/MarchingCubesTables.h"

namespace nsdf::geometry {

namespace {

void check_grid(const GridSpec& grid) {
  for (int a = 0; a < 3; ++a) {
    NSDF_CHECK(grid.dims[a] >= 1, core::DataError,
               "marching cubes: grid dims[{}] = {}, must be >= 1", a, grid.dims[a]);
    NSDF_CHECK(std::isfinite(grid.spacing[a]) && grid.spacing[a] > 0, core::DataError,
               "marching cubes: spacing[{}] = {}, must be positive", a, grid.spacing[a]);
    NSDF_CHECK(std::isfinite(grid.origin[a]), core::DataError, "marching cubes: origin[{}] = {}", a,
               grid.origin[a]);
  }
}

// The crossing on the edge from point p along axis, v0 and v1 the values at its ends.
Vec3f edge_crossing(const GridSpec& grid, int64_t p, int axis, double v0, double v1, float iso) {
  const double t =
      std::clamp((double(iso) - v0) / (v1 - v0), kMinEdgeFraction, 1.0 - kMinEdgeFraction);
  const int64_t index[3] = {p % grid.dims[0], (p / grid.dims[0]) % grid.dims[1],
                            p / (grid.dims[0] * grid.dims[1])};
  Vec3f x{};
  for (int a = 0; a < 3; ++a) {
    const double u = double(index[a]) + (a == axis ? t : 0.0);
    x[a] = static_cast<float>(grid.origin[a] + grid.spacing[a] * u);
  }
  return x;
}

}  // namespace

int64_t grid_point_index(const GridSpec& grid, int64_t i, int64_t j, int64_t k) {
  return i + grid.dims[0] * (j + grid.dims[1] * k);
}

void polygonize_cell(const GridSpec& grid, const std::array<int64_t, 3>& cell,
                     const std::array<float, 8>& corner_values, float iso,
                     std::vector<int64_t>& tri_ids) {
  int mask = 0;
  for (int c = 0; c < 8; ++c) mask |= (corner_values[c] < iso ? 1 : 0) << c;
  if (mask == 0 || mask == 255) return;
  const mc::CubeTables& tables = mc::cube_tables();
  int connected = 0;
  const int ambiguous = tables.ambiguous_faces[mask];
  for (int f = 0; ambiguous != 0 && f < 6; ++f) {
    if (((ambiguous >> f) & 1) == 0) continue;
    // Asymptotic decider: the inside corners are connected through the face when the
    // bilinear saddle is inside, i.e. when the inside diagonal's product of (value - iso) beats
    // the outside one's. Products commute, so both cells sharing the face decide alike; ties
    // separate the inside corners.
    const auto& q = tables.face_corners[f];
    double d[4];
    for (int i = 0; i < 4; ++i) d[i] = double(corner_values[q[i]]) - double(iso);
    const double p02 = d[0] * d[2], p13 = d[1] * d[3];
    const bool q0_inside = (mask >> q[0]) & 1;
    const bool inside_connected = q0_inside ? p02 > p13 : p13 > p02;
    if (inside_connected) connected |= 1 << f;
  }
  const mc::CaseTriangles& tris = tables.cases[mask | (connected << 8)];
  const std::array<int64_t, 3> stride{1, grid.dims[0], grid.dims[0] * grid.dims[1]};
  const int64_t base = grid_point_index(grid, cell[0], cell[1], cell[2]);
  const int64_t points = grid.dims[0] * grid.dims[1] * grid.dims[2];
  for (int t = 0; t < tris.count; ++t) {
    for (int v = 0; v < 3; ++v) {
      const int e = tris.tris[t][v];
      if (e >= mc::kFirstCenterVertex) {
        tri_ids.push_back(3 * points + mc::kMaxCenterVertices * base +
                          (e - mc::kFirstCenterVertex));
        continue;
      }
      const int c = mc::kEdgeCorners[e][0];
      const int64_t p =
          base + (c & 1) * stride[0] + ((c >> 1) & 1) * stride[1] + ((c >> 2) & 1) * stride[2];
      tri_ids.push_back(3 * p + mc::kEdgeAxis[e]);
    }
  }
}

Mesh mesh_from_cell_triangles(const GridSpec& grid, const std::vector<int64_t>& tri_ids, float iso,
                              const std::function<float(int64_t)>& value_at) {
  NSDF_ASSERT(tri_ids.size() % 3 == 0, "{} vertex ids do not make triangles", tri_ids.size());
  // Sorting (vertex id, corner) pairs numbers the vertices in id order and fills F in one pass.
  std::vector<std::pair<int64_t, int64_t>> corners(tri_ids.size());
  tbb::parallel_for(size_t{0}, corners.size(), [&](size_t n) {
    corners[n] = {tri_ids[n], int64_t(n)};
  });
  tbb::parallel_sort(corners.begin(), corners.end());
  Mesh mesh;
  mesh.F.resize(tri_ids.size() / 3);
  std::vector<int64_t> ids;
  for (const auto& [id, corner] : corners) {
    if (ids.empty() || ids.back() != id) ids.push_back(id);
    mesh.F[corner / 3][corner % 3] = static_cast<int32_t>(ids.size() - 1);
  }
  NSDF_CHECK(ids.size() < size_t(std::numeric_limits<int32_t>::max()), core::DataError,
             "marching cubes: {} vertices do not fit 32-bit indices", ids.size());

  const std::array<int64_t, 3> stride{1, grid.dims[0], grid.dims[0] * grid.dims[1]};
  const int64_t first_center_id = 3 * grid.dims[0] * grid.dims[1] * grid.dims[2];
  const size_t edge_vertices =
      size_t(std::lower_bound(ids.begin(), ids.end(), first_center_id) - ids.begin());
  mesh.V.resize(ids.size());
  tbb::parallel_for(size_t{0}, edge_vertices, [&](size_t n) {
    const int64_t p = ids[n] / 3;
    const int axis = static_cast<int>(ids[n] % 3);
    mesh.V[n] = edge_crossing(grid, p, axis, value_at(p), value_at(p + stride[axis]), iso);
  });

  // Vertices inside cells (rare cases, see MarchingCubesTables.h) sit at the mean of the loop
  // they fan: each loop vertex appears in two of the fan's triangles, so equal weights.
  if (edge_vertices < ids.size()) {
    std::vector<std::array<double, 4>> sum(ids.size() - edge_vertices, {0, 0, 0, 0});
    for (const Tri& t : mesh.F)
      for (int v = 0; v < 3; ++v) {
        if (size_t(t[v]) < edge_vertices) continue;
        auto& s = sum[size_t(t[v]) - edge_vertices];
        for (int w = 1; w < 3; ++w) {
          const Vec3f& p = mesh.V[t[(v + w) % 3]];
          for (int a = 0; a < 3; ++a) s[a] += p[a];
          s[3] += 1;
        }
      }
    for (size_t n = edge_vertices; n < ids.size(); ++n) {
      const auto& s = sum[n - edge_vertices];
      for (int a = 0; a < 3; ++a) mesh.V[n][a] = static_cast<float>(s[a] / s[3]);
    }
  }
  return mesh;
}

Mesh marching_cubes(const std::vector<float>& values, std::array<int, 3> dims,
                    std::array<double, 3> origin, double spacing, float iso) {
  return marching_cubes(values, dims, origin, {spacing, spacing, spacing}, iso);
}

Mesh marching_cubes(const std::vector<float>& values, std::array<int, 3> dims,
                    std::array<double, 3> origin, std::array<double, 3> spacing, float iso) {
  const GridSpec grid{{dims[0], dims[1], dims[2]}, origin, spacing};
  check_grid(grid);
  const int64_t nx = grid.dims[0], ny = grid.dims[1], nz = grid.dims[2];
  NSDF_CHECK(int64_t(values.size()) == nx * ny * nz, core::DataError,
             "marching cubes: {} values for a {} x {} x {} grid (expected {})", values.size(), nx,
             ny, nz, nx * ny * nz);
  NSDF_CHECK(std::isfinite(iso), core::DataError, "marching cubes: iso value {} is not finite",
             iso);
  const size_t first_bad = tbb::parallel_reduce(
      tbb::blocked_range<size_t>(0, values.size(), 1 << 16), values.size(),
      [&](const tbb::blocked_range<size_t>& r, size_t found) {
        for (size_t n = r.begin(); n != r.end() && n < found; ++n)
          if (!std::isfinite(values[n])) return n;
        return found;
      },
      [](size_t a, size_t b) { return std::min(a, b); });
  NSDF_CHECK(first_bad == values.size(), core::DataError,
             "marching cubes: value {} at grid point ({}, {}, {}) is not finite",
             first_bad < values.size() ? values[first_bad] : 0.0f, int64_t(first_bad) % nx,
             (int64_t(first_bad) / nx) % ny, int64_t(first_bad) / (nx * ny));
  if (nx < 2 || ny < 2 || nz < 2) return {};

  // Whole rows of points on one side of iso are common (most of the grid is far from the
  // surface): a row of cells whose four point rows are uniform and alike is skipped unread.
  const int64_t sy = nx, sz = nx * ny;
  std::vector<int8_t> row_side(static_cast<size_t>(ny * nz));  // -1 inside, +1 outside, 0 mixed
  tbb::parallel_for(int64_t{0}, ny * nz, [&](int64_t row) {
    const float* p = values.data() + row * nx;
    int64_t inside = 0;
    for (int64_t i = 0; i < nx; ++i) inside += p[i] < iso;
    row_side[row] = inside == 0 ? 1 : (inside == nx ? -1 : 0);
  });
  // Bit b = y + 2 z of a point column's 4-bit mask goes to corner bit 2 b (x = 0) or 2 b + 1.
  static constexpr std::array<int, 16> kSpread{0,  1,  4,  5,  16, 17, 20, 21,
                                               64, 65, 68, 69, 80, 81, 84, 85};

  // One output per z layer of cells, concatenated in order: the result does not depend on how
  // TBB splits the work.
  std::vector<std::vector<int64_t>> layers(static_cast<size_t>(nz - 1));
  const std::array<int64_t, 8> offset{0, 1, sy, sy + 1, sz, sz + 1, sz + sy, sz + sy + 1};
  tbb::parallel_for(int64_t{0}, nz - 1, [&](int64_t k) {
    auto& out = layers[k];
    std::array<float, 8> v{};
    for (int64_t j = 0; j + 1 < ny; ++j) {
      const int64_t r = j + ny * k;
      const int side = row_side[r];
      if (side != 0 && row_side[r + 1] == side && row_side[r + ny] == side &&
          row_side[r + ny + 1] == side)
        continue;
      const float* row = values.data() + grid_point_index(grid, 0, j, k);
      const auto column = [&](int64_t i) {
        return int(row[i] < iso) | int(row[i + sy] < iso) << 1 | int(row[i + sz] < iso) << 2 |
               int(row[i + sy + sz] < iso) << 3;
      };
      int previous = column(0);
      for (int64_t i = 0; i + 1 < nx; ++i) {
        const int next = column(i + 1);
        const int mask = kSpread[previous] | kSpread[next] << 1;
        previous = next;
        if (mask == 0 || mask == 255) continue;
        for (int c = 0; c < 8; ++c) v[c] = row[i + offset[c]];
        polygonize_cell(grid, {i, j, k}, v, iso, out);
      }
    }
  });
  size_t total = 0;
  for (const auto& l : layers) total += l.size();
  std::vector<int64_t> tri_ids;
  tri_ids.reserve(total);
  for (auto& l : layers) {
    tri_ids.insert(tri_ids.end(), l.begin(), l.end());
    std::vector<int64_t>().swap(l);
  }
  return mesh_from_cell_triangles(grid, tri_ids, iso,
                                  [&](int64_t p) { return values[static_cast<size_t>(p)]; });
}

}  // namespace nsdf::geometry
