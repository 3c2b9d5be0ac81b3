#pragma once
// Wavefront OBJ reading and writing, the geometry part only. Reading takes `v` (extra w or
// colour values ignored), `vn`, and `f` with corners written `v`, `v/vt`, `v//vn` or
// `v/vt/vn`, 1-based or negative (relative to the end so far) indices; polygons become
// triangle fans. Texture coordinates, groups, objects, smoothing, materials and lines are
// skipped. When faces reference `vn` entries, each vertex gets the normal its corners name
// (the normalised mean where corners disagree, as at a crease; zero for a vertex no corner
// gives a normal); otherwise N stays empty. Writing gives `v`, `vn` (when N is set) and `f`.

#include <string>
#include <string_view>

#include "geometry/Mesh.h"

namespace nsdf::geometry {

/// Parses OBJ text held in memory. `path` only names the file in messages.
/// Throws DataError("<path>: line <n>: ...") for malformed contents.
Mesh parse_obj(std::string_view data, const std::string& path);

/// The vertices of an OBJ file as points. Normals come from the faces as in parse_obj or,
/// when no face names a normal and there are as many `vn` as `v` lines (the way point clouds
/// are saved as OBJ), from the `vn` lines in order.
PointCloud parse_obj_point_cloud(std::string_view data, const std::string& path);

Mesh read_obj(const std::string& path);
PointCloud read_obj_point_cloud(const std::string& path);

/// The text of an OBJ file holding `mesh`; floats use the shortest digits that read back
/// exactly.
std::string encode_obj(const Mesh& mesh);

/// Validates and writes atomically; throws DataError for an invalid mesh, IoError on failure.
void write_obj(const Mesh& mesh, const std::string& path);

}  // namespace nsdf::geometry
