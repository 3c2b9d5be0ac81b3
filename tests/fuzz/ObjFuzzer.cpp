// libFuzzer target for the OBJ reader (parse_obj, parse_obj_point_cloud) on arbitrary bytes.
//
// A DataError or IoError is the expected answer to a malformed file. Everything else is a
// finding: a crash, a sanitizer report, another exception type, and also a file that parses but
// breaks what callers rely on (face indices in range, finite coordinates, one normal per vertex
// or none), a file the point-cloud reader reads differently from the mesh reader, or a mesh that
// does not come back unchanged through encode_obj + parse_obj. Those checks abort with a
// "nsdf fuzz finding" line so that libFuzzer keeps the input.
//
// With NSDF_FUZZ_WRITE_SEEDS=<folder> set, the binary writes its seed files (every face corner
// form, negative and forward indices, creases, CRLF, a point cloud) into that folder and exits:
// tests/fuzz/run_fuzzers.sh builds its seed corpus that way.

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/Error.h"
#include "core/Files.h"
#include "FuzzChecks.h"
#include "geometry/ObjIo.h"

namespace {

using nsdf::geometry::Mesh;
using nsdf::geometry::PointCloud;

using nsdf::fuzz::check_mesh;
using nsdf::fuzz::finding;

void write_seeds(const nsdf::fuzz::SeedFolder& seed) {
  // Every corner form, a quad, negative indices, and the lines that carry no geometry.
  seed("corner_forms.obj",
       "# corner forms\nmtllib x.mtl\no cube\ng side\ns 1\nusemtl red\n"
       "v 0 0 0\nv 1 0 0\nv 1 1 0 1.0\nv 0 1 0 0.5 0.5 0.5\nv 0.5 0.5 1e-2\n"
       "vt 0 0\nvt 1 0\nvt 1 1\nvn 0 0 1\nvn 0 0 -1\nvn 1 0 0\n"
       "f 1 2 3\nf 1/1 2/2 3/3\nf 1//1 2//1 3//2\nf 1/1/1 2/2/1 3/3/1 4/1/1\nf -5 -4 -1\n"
       "f -5/-3/-3 -4/-2/-2 -1/-1/-1\nl 1 2\np 3\n");
  // Faces before the vertices they name (forward references), and a crease: vertex 1 gets
  // two different normals.
  seed("forward_crease.obj",
       "f 1//1 2//2 3//1\nf 1//2 3//2 4//2\nv 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\n"
       "vn 0 0 1\nvn 0 1 0\n");
  seed("crlf_tabs.obj", "v\t0 0 0\r\nv 1 0 0\r\nv 0 1 0\r\n\r\nf 1 2 3 # a comment\r\n");
  seed("cloud.obj", "v 0 0 0\nv 1 2 3\nv -1 -2 -3\nvn 0 0 1\nvn 0 1 0\nvn 1 0 0\n");
  Mesh tet;
  tet.V = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
  tet.F = {{0, 2, 1}, {0, 1, 3}, {0, 3, 2}, {1, 2, 3}};
  tet.N = {{0, 0, 1}, {1e-30f, 0, 0}, {0, -0.0f, 1}, {3.4e38f, 0, -1}};
  seed("tet_normals.obj", encode_obj(tet));
}

void test_one_input(std::string_view bytes) {
  Mesh mesh;
  try {
    mesh = nsdf::geometry::parse_obj(bytes, "fuzz.obj");
  } catch (const nsdf::core::Error&) {
    return;  // both readers share the parser: the point-cloud one rejects the file too
  }
  check_mesh(mesh);
  if (mesh.V.empty()) finding("an OBJ without vertices was accepted");
  try {
    const PointCloud cloud = nsdf::geometry::parse_obj_point_cloud(bytes, "fuzz.obj");
    // Normals named by faces win; otherwise a cloud may take its normals from the vn lines.
    if (cloud.P != mesh.V || (!mesh.N.empty() && cloud.N != mesh.N)) {
      finding("the point-cloud reader reads other vertices or normals than the mesh reader");
    }
    check_mesh(Mesh{cloud.P, {}, cloud.N});
  } catch (const nsdf::core::Error& e) {
    finding("the point-cloud reader rejects a file the mesh reader accepts:", e.what());
  }
  // encode_obj prints the shortest digits that read back to the same float: compared by value,
  // so -0 may come back as 0.
  try {
    const Mesh back = nsdf::geometry::parse_obj(encode_obj(mesh), "round-trip.obj");
    if (back.V != mesh.V || back.N != mesh.N || back.F != mesh.F) {
      finding("mesh changed in an encode_obj/parse_obj round trip");
    }
  } catch (const nsdf::core::Error& e) {
    finding("the reader rejects what encode_obj wrote:", e.what());
  }
}

}  // namespace

NSDF_FUZZ_TARGET(write_seeds, test_one_input)
