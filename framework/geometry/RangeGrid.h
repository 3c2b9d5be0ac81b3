#pragma once
// Meshing of range images: a grid of samples as a range scanner records them (a Stanford scan's
// `range_grid`, read by PlyIo) turned into a triangle mesh the way Stanford's tools do it
// (zipper; trimesh2's triangulate_grid), so that a scan reads as a surface, not loose points.
//  - The grid is rows x cols cells in row-major order; row r + 1 lies above row r and column
//    c + 1 right of column c as the scanner sees them. A cell holds one vertex index or none.
//  - Each 2 x 2 block of cells (r, c) (r, c+1) (r+1, c) (r+1, c+1) with all four present gives
//    two triangles split along the shorter 3D diagonal (a tie takes the (r, c+1)-(r+1, c) one);
//    with exactly three present, the one triangle they make; with fewer, nothing. Triangles
//    that repeat a vertex are dropped.
//  - Depth discontinuities are not bridged: a triangle with an edge longer than 4 x the median
//    length of the grid edges (the 3D distances between horizontally or vertically adjacent
//    present cells, the lower median for an even count) is dropped. That is zipper's rule,
//    MAX_EDGE_LENGTH = 4 x the scan spacing, with the spacing measured from the data instead of
//    a configured resolution.
//  - Faces wind counter-clockwise in (column, row) grid space, so they face the scanner: for the
//    Stanford scans (scanner looking along -z of the scan's frame) the normals point to +z.

#include <cstdint>
#include <vector>

#include "geometry/Mesh.h"

namespace nsdf::geometry {

/// Triangulates a range grid as described at the top of this file. Linear in the number of
/// cells.
/// @param[in] V #V by 3 vertex positions
/// @param[in] grid rows * cols cells in row-major order, each a vertex index in [0, #V) or -1
///   for a cell without a sample (indices are not checked)
/// @param[in] rows, cols the grid's shape
/// @return #F by 3 faces indexing V
std::vector<Tri> triangulate_range_grid(const std::vector<Vec3f>& V,
                                        const std::vector<int32_t>& grid, int64_t rows,
                                        int64_t cols);

}  // namespace nsdf::geometry
