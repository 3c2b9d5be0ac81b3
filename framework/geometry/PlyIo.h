#pragma once
// PLY (Stanford polygon file) reading and writing: ascii, binary_little_endian and
// binary_big_endian bodies, every scalar type of the format. Reading takes x y z (any scalar
// type, converted to float), nx ny nz when all three are present, and the `vertex_indices` (or
// `vertex_index`) list of the `face` element, triangulating polygons as fans. Everything else —
// colours, confidence, edges, materials — is walked over and dropped. Files come from anywhere,
// so every count the header declares is checked against the bytes that follow before anything
// is reserved: a lying header gives a DataError, never a huge allocation. Writing gives binary
// little-endian by default (float32 x y z [nx ny nz], uchar count + int32 indices), ascii or
// big-endian on request.
//
// Range scans. A Stanford range image (bun000.ply: `obj_info num_cols 512`, `obj_info num_rows
// 400`, `element range_grid 204800` with a `vertex_indices` list, no `face` element) is meshed
// by triangulate_range_grid (RangeGrid.h: zipper's rule, no edge longer than 4 x the median
// grid spacing), so that the mesh reader gives a surface rather than loose points:
//  - The grid is num_rows x num_cols cells in row-major order. Each cell holds 0 or 1 vertex
//    index; more than one is a DataError naming the cell (taking the first would silently drop
//    samples), so is an index outside [0, #V).
//  - num_cols and num_rows come from the obj_info lines and must be positive integers (a repeat
//    must agree). When one is missing it is count / the other (which must divide exactly); when
//    both are missing the grid's shape is unknown and the file reads as vertices only, as it did
//    before range grids were meshed. A shape that does not match the range_grid count is a
//    DataError naming the file and both numbers.
//  - A file with a `face` element uses its faces and ignores the range_grid; the point-cloud
//    readers never look at it.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "geometry/Mesh.h"

namespace nsdf::geometry {

enum class PlyFormat { Ascii, BinaryLittleEndian, BinaryBigEndian };

/// The scalar types of PLY; both spellings are accepted ("uchar" and "uint8", ...).
enum class PlyType { Int8, UInt8, Int16, UInt16, Int32, UInt32, Float32, Float64 };

struct PlyProperty {
  std::string name;
  /// The value type; for a list, the type of its items.
  PlyType type = PlyType::Float32;
  bool is_list = false;
  /// For a list: the type of its leading count (always an integer type).
  PlyType count_type = PlyType::UInt8;
};

struct PlyElement {
  std::string name;
  uint64_t count = 0;
  std::vector<PlyProperty> properties;
};

/// What a PLY header declares, for reading and for tools that show what a file holds.
struct PlyHeader {
  PlyFormat format = PlyFormat::Ascii;
  std::string version;
  std::vector<std::string> comments;
  std::vector<std::string> obj_info;
  std::vector<PlyElement> elements;
  /// Offset of the first body byte (just after the "end_header" line).
  size_t body_offset = 0;
  /// 1-based line number of the first body line (for messages about ascii bodies).
  int64_t body_first_line = 1;
};

/// "ascii", "binary_little_endian", "binary_big_endian".
std::string_view ply_format_name(PlyFormat format);
/// The canonical name ("uchar", "float", ...).
std::string_view ply_type_name(PlyType type);
/// Size in bytes of one value in a binary body.
size_t ply_type_size(PlyType type);

/// Parses the header at the start of `data`. `path` only names the file in messages.
/// Throws DataError for a bad magic line, unknown format, unsupported type, missing
/// end_header, ...
PlyHeader parse_ply_header(std::string_view data, const std::string& path);

/// Reads only the header of a PLY file (stops at end_header; never reads the whole body).
PlyHeader read_ply_header(const std::string& path);

/// Parses a whole PLY file held in memory into a mesh (V, F, and N when nx ny nz exist).
/// A file without a `face` element gives an empty F, unless it is a range scan whose
/// `range_grid` is then triangulated (see the top of this file).
Mesh parse_ply(std::string_view data, const std::string& path);

/// Parses the vertices of a PLY file as points (normals when present); faces are walked over
/// but not read.
PointCloud parse_ply_point_cloud(std::string_view data, const std::string& path);

Mesh read_ply(const std::string& path);
PointCloud read_ply_point_cloud(const std::string& path);

/// The bytes of a PLY file holding `mesh` (a `face` element is always written, maybe empty).
/// Floats are written exactly in binary and with shortest round-trip digits in ascii.
std::string encode_ply(const Mesh& mesh, PlyFormat format = PlyFormat::BinaryLittleEndian);
/// The bytes of a PLY file holding `cloud` (a `vertex` element only).
std::string encode_ply(const PointCloud& cloud, PlyFormat format = PlyFormat::BinaryLittleEndian);

/// Validates and writes atomically; throws DataError for an invalid mesh, IoError on failure.
void write_ply(const Mesh& mesh, const std::string& path,
               PlyFormat format = PlyFormat::BinaryLittleEndian);
void write_ply(const PointCloud& cloud, const std::string& path,
               PlyFormat format = PlyFormat::BinaryLittleEndian);

}  // namespace nsdf::geometry
