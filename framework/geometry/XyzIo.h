#pragma once
// Plain-text point clouds: one point a row, `x y z` or `x y z nx ny nz`, whitespace-separated,
// every row the same width. `#` comments and blank lines are skipped. Six values are read as
// a position and a normal (files holding `x y z r g b` need converting first).

#include <string>
#include <string_view>

#include "geometry/Mesh.h"

namespace nsdf::geometry {

/// Parses XYZ text held in memory. `path` only names the file in messages.
/// Throws DataError("<path>: line <n>: ...") for malformed contents.
PointCloud parse_xyz(std::string_view data, const std::string& path);

PointCloud read_xyz(const std::string& path);

/// The text of an XYZ file holding `cloud` (normals when it has them), floats with round-trip
/// digits.
std::string encode_xyz(const PointCloud& cloud);

/// Validates and writes atomically; throws DataError for an invalid cloud, IoError on failure.
void write_xyz(const PointCloud& cloud, const std::string& path);

}  // namespace nsdf::geometry
