#pragma once
// Reading and writing meshes and point clouds by file extension (case-insensitive): .ply, .obj,
// .off for meshes, .ply and .xyz for point clouds (.obj and .off also give their vertices as
// points). Every read is validated (finite coordinates, face indices in range, N empty or one
// normal per vertex) and every write goes through write_file_atomic, so a crash never leaves a
// half-written file. The format readers live in PlyIo, ObjIo, OffIo and XyzIo; they share the
// text-scanning helpers of TextScan.h.

#include <string>

#include "geometry/Mesh.h"

namespace nsdf::geometry {

/// Reads a triangle mesh from .ply, .obj or .off. Polygons are triangulated as fans.
/// Throws IoError when the file cannot be read, DataError when its contents are wrong; both
/// messages start with `path`.
Mesh read_mesh(const std::string& path);

/// Reads points from .ply (vertices, with normals when nx ny nz are present), .xyz, or the
/// vertices of an .obj or .off mesh.
PointCloud read_point_cloud(const std::string& path);

/// Writes `mesh` as .ply (binary little-endian, or ascii when !binary), .obj or .off.
/// Throws DataError when the mesh is invalid (nothing is written then).
void write_mesh(const Mesh& mesh, const std::string& path, bool binary = true);

/// Writes `cloud` as .ply (binary little-endian, or ascii when !binary) or .xyz.
void write_point_cloud(const PointCloud& cloud, const std::string& path, bool binary = true);

/// Throws DataError("<path>: ...") unless every coordinate and normal is finite, every face
/// index is in [0, #V), and N is empty or has #V rows.
void validate_mesh(const Mesh& mesh, const std::string& path);

/// Throws DataError("<path>: ...") unless every coordinate and normal is finite and N is empty
/// or has #P rows.
void validate_point_cloud(const PointCloud& cloud, const std::string& path);

}  // namespace nsdf::geometry
