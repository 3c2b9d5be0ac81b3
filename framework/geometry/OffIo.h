#pragma once
// Geomview OFF reading and writing. Reading accepts OFF, COFF (vertex colours ignored), NOFF
// (per-vertex normals), CNOFF/NCOFF and STOFF (texture coordinates ignored), `#` comments,
// counts on their own line or on the keyword line ("OFF 8 6 0", or "OFF8 6 0" as some
// ModelNet files have it), and faces `k i1 ... ik [colour]` with k >= 3, triangulated as fans.
// Writing gives OFF, or NOFF when the mesh has normals.

#include <string>
#include <string_view>

#include "geometry/Mesh.h"

namespace nsdf::geometry {

/// Parses OFF text held in memory. `path` only names the file in messages.
/// Throws DataError("<path>: line <n>: ...") for malformed contents.
Mesh parse_off(std::string_view data, const std::string& path);

Mesh read_off(const std::string& path);

/// The text of an OFF (or NOFF) file holding `mesh`, floats with round-trip digits.
std::string encode_off(const Mesh& mesh);

/// Validates and writes atomically; throws DataError for an invalid mesh, IoError on failure.
void write_off(const Mesh& mesh, const std::string& path);

}  // namespace nsdf::geometry
