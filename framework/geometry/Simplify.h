#pragma once
// Coarser meshes for previews (report viewers, thumbnails): vertex clustering (Rossignac and
// Borrel 1993). Space is cut into a uniform grid of cubic cells; the vertices in one cell merge
// into their mean; triangles whose corners fall into fewer than three cells vanish, and
// duplicates of a triangle are dropped. Fast (linear), topology may change in thin parts: it is
// for looking at, never for metrics.

#include <cstdint>

#include "geometry/Mesh.h"

namespace nsdf::geometry {

/// `mesh` with at most about `max_faces` triangles: the cell size is chosen (by halving the
/// grid resolution from 1024 cells along the longest side) as the finest whose result has
/// <= max_faces faces. A mesh with <= max_faces faces is returned unchanged; normals are dropped
/// from a simplified mesh. Throws DataError when max_faces < 1.
Mesh simplify_by_clustering(const Mesh& mesh, int64_t max_faces);

/// One clustering pass with `cells` cells along the longest side of the bounding box.
Mesh cluster_vertices(const Mesh& mesh, int cells);

}  // namespace nsdf::geometry
