#pragma once
// Marching cubes: the iso surface of a scalar field sampled on a regular grid, as a welded,
// watertight, consistently oriented triangle mesh.
//
// Method: Lorensen and Cline (1987) per-cell polygonisation, with face ambiguities resolved by
// the asymptotic decider (Nielson and Hamann 1991) and no interior tunnels; see
// MarchingCubesTables.h for the case rule. Because the decider depends only on a face's four
// values, neighbouring cells agree on every shared face and the surface is closed and manifold
// wherever the level set does not reach the grid border.
//
// Conventions, the same everywhere in nsdf:
//  - Layout: point (i, j, k) is at origin + spacing * (i, j, k) and its value at
//    values[i + dims[0] * (j + dims[1] * k)] (x fastest, then y, then z).
//  - Inside is value < iso; a value exactly equal to iso counts as outside. Triangles are
//    counter-clockwise seen from outside, so for an SDF (negative inside) normals point outward.
//  - One vertex per grid edge crossed by the surface (identified by the grid edge id
//    3 * point index + axis), vertices sorted by that id, triangles in cell order (cell
//    (i, j, k) ordered like the points) and within a cell in case-table order. A few rare cases
//    also put a vertex inside their cell (at the mean of the crossings it fans, id
//    3 * #points + 4 * the cell's lowest point index + n, so after all edge vertices). The result
//    is deterministic: the same mesh for any number of threads, and the same mesh from the
//    sparse extraction in SparseExtraction.h, which runs the same per-cell code.
//  - A crossing is kept at least kMinEdgeFraction of the edge away from both grid points, so
//    values exactly at iso never collapse triangles to zero area.
//
// Cells are processed in parallel over z slabs with TBB. Mesh::N is left empty.

#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include "geometry/Mesh.h"

namespace nsdf::geometry {

/// Smallest distance of a crossing from either end of its edge, as a fraction of the edge.
inline constexpr double kMinEdgeFraction = 1e-3;

/// A regular grid of points: dims points per axis, point (i, j, k) at origin + spacing * (i,j,k).
struct GridSpec {
  std::array<int64_t, 3> dims{0, 0, 0};
  std::array<double, 3> origin{0, 0, 0};
  std::array<double, 3> spacing{1, 1, 1};
};

/// The iso surface of a dense grid of values.
/// @param[in] values  dims[0] * dims[1] * dims[2] finite values, x fastest (see above)
/// @param[in] dims    points per axis (a grid with fewer than 2 points on an axis has no cells)
/// @param[in] origin  position of point (0, 0, 0)
/// @param[in] spacing distance between neighbouring points
/// @param[in] iso     the level to extract
/// @return V, F (counter-clockwise seen from values > iso); N empty
Mesh marching_cubes(const std::vector<float>& values, std::array<int, 3> dims,
                    std::array<double, 3> origin, double spacing, float iso = 0);

/// The same with a spacing per axis (anisotropic cells).
Mesh marching_cubes(const std::vector<float>& values, std::array<int, 3> dims,
                    std::array<double, 3> origin, std::array<double, 3> spacing, float iso = 0);

// Building blocks shared with the sparse extraction, so that it produces exactly the dense mesh.

/// Linear index of point (i, j, k): i + dims[0] * (j + dims[1] * k).
int64_t grid_point_index(const GridSpec& grid, int64_t i, int64_t j, int64_t k);

/// Appends the triangles of cell (i, j, k), the cell whose lowest corner is point (i, j, k), as
/// triples of vertex ids: grid edge ids (3 * point index of the edge's lower end + axis) or,
/// rarely, ids of vertices inside the cell (see above).
/// @param[in] corner_values values at the 8 corners, corner c at offset (c & 1, (c >> 1) & 1,
///                          (c >> 2) & 1)
void polygonize_cell(const GridSpec& grid, const std::array<int64_t, 3>& cell,
                     const std::array<float, 8>& corner_values, float iso,
                     std::vector<int64_t>& tri_ids);

/// Welds triangles given as vertex id triples (from polygonize_cell) into a mesh: one vertex per
/// distinct id, in increasing id order; an edge vertex is placed by linear interpolation of the
/// edge's end values, a vertex inside a cell at the mean of its neighbours.
/// @param[in] value_at the value at a point index; called concurrently, must be thread-safe
Mesh mesh_from_cell_triangles(const GridSpec& grid, const std::vector<int64_t>& tri_ids, float iso,
                              const std::function<float(int64_t)>& value_at);

}  // namespace nsdf::geometry
