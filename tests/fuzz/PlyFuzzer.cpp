// libFuzzer target for the PLY reader (parse_ply, parse_ply_point_cloud) on arbitrary bytes.
//
// A DataError or IoError is the expected answer to a malformed file. Everything else is a
// finding: a crash, a sanitizer report, another exception type, and also a file that parses but
// breaks what callers rely on (face indices in range, finite coordinates, one normal per vertex),
// a mesh that the point-cloud reader then rejects or reads differently, or a mesh that does not
// come back unchanged through encode_ply + parse_ply in every format. Those checks abort with a
// "nsdf fuzz finding" line so that libFuzzer keeps the input.
//
// With NSDF_FUZZ_WRITE_SEEDS=<folder> set, the binary writes its seed files (ascii and binary
// files of both byte orders, polygons, extra elements and properties, a range scan) into that
// folder and exits: tests/fuzz/run_fuzzers.sh builds its seed corpus that way.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "FuzzChecks.h"
#include "core/Error.h"
#include "core/Files.h"
#include "geometry/PlyIo.h"
#include "support/Bytes.h"

namespace {

using nsdf::geometry::Mesh;
using nsdf::geometry::PlyFormat;
using nsdf::geometry::PointCloud;
using nsdf::geometry::Vec3f;

using nsdf::fuzz::check_mesh;
using nsdf::fuzz::finding;
using nsdf::test::Bytes;

bool same_bits(const std::vector<Vec3f>& a, const std::vector<Vec3f>& b) {
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(Vec3f)) == 0);
}

// Binary bodies hold the float bits; ascii ones are compared by value, so that -0 may come back
// as 0.
bool same_rows(const std::vector<Vec3f>& a, const std::vector<Vec3f>& b, PlyFormat format) {
  return format == PlyFormat::Ascii ? a == b : same_bits(a, b);
}

void round_trip(const Mesh& mesh, const PointCloud& cloud) {
  for (const PlyFormat format :
       {PlyFormat::Ascii, PlyFormat::BinaryLittleEndian, PlyFormat::BinaryBigEndian}) {
    try {
      const Mesh back = nsdf::geometry::parse_ply(encode_ply(mesh, format), "round-trip.ply");
      if (!same_rows(back.V, mesh.V, format) || !same_rows(back.N, mesh.N, format) ||
          back.F != mesh.F) {
        finding("mesh changed in an encode_ply/parse_ply round trip");
      }
      const PointCloud cloud_back =
          nsdf::geometry::parse_ply_point_cloud(encode_ply(cloud, format), "round-trip.ply");
      if (!same_rows(cloud_back.P, cloud.P, format) || !same_rows(cloud_back.N, cloud.N, format)) {
        finding("point cloud changed in an encode_ply/parse_ply round trip");
      }
    } catch (const nsdf::core::Error& e) {
      finding("the reader rejects what encode_ply wrote:", e.what());
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Seeds

void write_seeds(const nsdf::fuzz::SeedFolder& seed) {
  // A quad and a triangle, a comment, an extra vertex property and an extra element.
  seed("ascii_polygons.ply",
       "ply\nformat ascii 1.0\ncomment hand written\nobj_info seed\nelement vertex 5\n"
       "property float x\nproperty float y\nproperty float z\nproperty uchar red\n"
       "element face 2\nproperty list uchar int vertex_indices\nelement material 1\n"
       "property float shininess\nend_header\n0 0 0 1\n1 0 0 2\n1 1 0 3\n0 1 0 4\n"
       "0.5 0.5 1e-3 5\n4 0 1 2 3\n3 0 1 4\n0.5\n");
  seed("ascii_normals_crlf.ply",
       "ply\r\nformat ascii 1.0\r\nelement vertex 3\r\nproperty double x\r\nproperty double y\r\n"
       "property double z\r\nproperty float nx\r\nproperty float ny\r\nproperty float nz\r\n"
       "element face 1\r\nproperty list uint8 int32 vertex_index\r\nend_header\r\n"
       "-1.5 2e10 +3 0 0 1\r\n1 1 1 0 1 0\r\n0 -0 0 1 0 0\r\n3 2 1 0\r\n");
  Mesh tet;
  tet.V = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
  tet.F = {{0, 2, 1}, {0, 1, 3}, {0, 3, 2}, {1, 2, 3}};
  seed("tet_le.ply", encode_ply(tet, PlyFormat::BinaryLittleEndian));
  tet.N = {{0, 0, 1}, {1, 0, 0}, {0, 1, 0}, {0, 0, -1}};
  seed("tet_normals_be.ply", encode_ply(tet, PlyFormat::BinaryBigEndian));
  PointCloud cloud{tet.V, tet.N};
  seed("cloud_ascii.ply", encode_ply(cloud, PlyFormat::Ascii));

  // A Stanford range scan in big-endian: a range_grid list element after the vertices.
  Bytes scan(true);
  scan.text(
      "ply\nformat binary_big_endian 1.0\nobj_info num_cols 2\nobj_info num_rows 2\n"
      "element vertex 2\nproperty float x\nproperty float y\nproperty float z\n"
      "element range_grid 4\nproperty list uchar int vertex_indices\nend_header\n");
  scan.put(0.0f).put(0.5f).put(-1.0f).put(1.0f).put(2.0f).put(3.0f);
  scan.put<uint8_t>(1).put<int32_t>(0).put<uint8_t>(0).put<uint8_t>(0).put<uint8_t>(1).put<int32_t>(
      1);
  seed("range_scan_be.ply", scan.str());

  // Every scalar type, sized names, a ushort-counted uint list, and an edge element.
  Bytes mixed(false);
  mixed.text(
      "ply\nformat binary_little_endian 1.0\nelement vertex 3\nproperty int8 a\n"
      "property float64 x\nproperty int16 b\nproperty float32 y\nproperty uint16 c\n"
      "property int32 z\nproperty uint32 d\nproperty uchar e\nelement face 1\n"
      "property uchar flags\nproperty list ushort uint vertex_indices\nelement edge 1\n"
      "property int vertex1\nproperty int vertex2\nend_header\n");
  for (int i = 0; i < 3; ++i) {
    mixed.put<int8_t>(-1).put<double>(i).put<int16_t>(-2).put<float>(0.25f * i);
    mixed.put<uint16_t>(3).put<int32_t>(i % 2).put<uint32_t>(4).put<uint8_t>(5);
  }
  mixed.put<uint8_t>(7).put<uint16_t>(3).put<uint32_t>(0).put<uint32_t>(1).put<uint32_t>(2);
  mixed.put<int32_t>(0).put<int32_t>(1);
  seed("mixed_types_le.ply", mixed.str());
}

void test_one_input(std::string_view bytes) {
  Mesh mesh;
  try {
    mesh = nsdf::geometry::parse_ply(bytes, "fuzz.ply");
  } catch (const nsdf::core::Error&) {
    // Not a valid mesh. The point-cloud reader skips faces, so it may still accept the file.
    try {
      const PointCloud cloud = nsdf::geometry::parse_ply_point_cloud(bytes, "fuzz.ply");
      check_mesh(Mesh{cloud.P, {}, cloud.N});
    } catch (const nsdf::core::Error&) {
    }
    return;
  }
  check_mesh(mesh);
  PointCloud cloud;
  try {
    cloud = nsdf::geometry::parse_ply_point_cloud(bytes, "fuzz.ply");
  } catch (const nsdf::core::Error& e) {
    finding("the point-cloud reader rejects a file the mesh reader accepts:", e.what());
  }
  if (!same_bits(cloud.P, mesh.V) || !same_bits(cloud.N, mesh.N)) {
    finding("the point-cloud reader reads other vertices than the mesh reader");
  }
  round_trip(mesh, cloud);
}

}  // namespace

NSDF_FUZZ_TARGET(write_seeds, test_one_input)
