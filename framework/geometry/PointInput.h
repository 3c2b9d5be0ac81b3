#pragma once
// The input of a single-shape fit: points (with normals when the file has them) read from any
// format nsdf knows, or sampled from a mesh.
//
// .xyz, .npy ([N, 3] or [N, 6]: x y z [nx ny nz]), .npz (one such array, or a member named
// "points"), and .ply / .obj / .off: a file with faces is a mesh and gives `mesh_samples`
// area-weighted surface points with face normals; a file without faces gives its vertices (and
// normals). Scans often hold NaN rows (missing returns): rows with a non-finite coordinate or
// normal are dropped and counted, not rejected, so the caller can warn.

#include <cstdint>
#include <string>

#include "geometry/Mesh.h"

namespace nsdf::geometry {

struct InputPoints {
  PointCloud cloud;          ///< finite points; normals when the file (or the mesh) has them
  int64_t dropped_rows = 0;  ///< rows dropped for a non-finite coordinate or normal
  bool from_mesh = false;    ///< sampled from a mesh's faces
  Mesh mesh;                 ///< the mesh, when from_mesh
};

/// Reads the points of `path` (see above).
/// @param[in] mesh_samples surface points drawn from a mesh (> 0)
/// @param[in] seed sampling seed (the same seed gives the same points)
/// Throws IoError when the file cannot be read and DataError when its contents are wrong or
/// no finite point is left; messages start with `path`.
InputPoints read_input_points(const std::string& path, int64_t mesh_samples, uint64_t seed);

/// Removes the rows of `cloud` whose position or normal has a non-finite value.
/// @return the number of rows removed
int64_t drop_non_finite_rows(PointCloud& cloud);

}  // namespace nsdf::geometry
