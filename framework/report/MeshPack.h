#pragma once
// Meshes for the report's 3D viewers, small and loadable from file:// (browsers refuse fetch()
// of local files, but run <script src>): a binary form, base64 inside one JavaScript call
// `nsdfMesh("NAME", "BASE64");` per file, decoded by tools/report/viewer.js.
//
// Binary form "NSM1", little-endian:
//   bytes 0..3     "NSM1"
//   uint32         V (vertices), F (triangles; 0: a point cloud)
//   float32 x 6    bounding box lo[3], hi[3]
//   uint16 x 3V    positions quantized to the box: q = round((p - lo) / (hi - lo) * 65535)
//                  (an axis with hi == lo is all 0)
//   zero padding to a multiple of 4 bytes
//   uint16 x 3F    triangle corners when V <= 65536, else uint32 x 3F
// Quantization error is at most (hi - lo) / 131070 per axis: invisible at any screen size.
// 6 bytes per vertex + 6 or 12 per triangle, against 12 + 12 for float PLY.

#include <string>
#include <string_view>

#include "geometry/Mesh.h"

namespace nsdf::report {

/// The binary form of `mesh` (faces kept; without faces, its vertices as points). Throws
/// DataError for non-finite vertices or face indices out of range.
std::string pack_mesh(const geometry::Mesh& mesh);

/// Decodes pack_mesh's bytes (positions dequantized); DataError naming `what` when they are
/// not a well-formed NSM1 block.
geometry::Mesh unpack_mesh(std::string_view bytes, const std::string& what);

/// Standard base64 (RFC 4648, with padding).
std::string base64_encode(std::string_view bytes);
std::string base64_decode(std::string_view text);

/// The JavaScript file a viewer loads: `nsdfMesh("name", "base64");` (name JSON-escaped).
std::string mesh_script(const std::string& name, const geometry::Mesh& mesh);

}  // namespace nsdf::report
