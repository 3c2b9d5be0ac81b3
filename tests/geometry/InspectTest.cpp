// describe_file on small synthetic files of every supported kind: the key lines of each report
// (counts, topology, bounding box, dtype and shape, DeepSDF summaries) and the errors.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/Error.h"
#include "geometry/DeepSdfFiles.h"
#include "geometry/Inspect.h"
#include "geometry/Mesh.h"
#include "geometry/MeshIo.h"
#include "geometry/Npy.h"
#include "support/TestFiles.h"

namespace nsdf::geometry {
namespace {

/// The value of the first "key: value" line of a report (leading indentation ignored), or
/// "<no key>" when no line has that key, so a missing line fails with a readable message.
std::string value_of(const std::string& report, const std::string& key) {
  std::istringstream lines(report);
  std::string line;
  while (std::getline(lines, line)) {
    const size_t start = line.find_first_not_of(' ');
    if (start == std::string::npos || line.compare(start, key.size() + 1, key + ":") != 0) continue;
    const size_t v = line.find_first_not_of(' ', start + key.size() + 1);
    return v == std::string::npos ? "" : line.substr(v);
  }
  return "<no " + key + ">";
}

std::string first_line(const std::string& report) { return report.substr(0, report.find('\n')); }

/// A closed tetrahedron, faces counter-clockwise seen from outside.
Mesh tetrahedron() {
  Mesh m;
  m.V = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
  m.F = {{0, 2, 1}, {0, 1, 3}, {0, 3, 2}, {1, 2, 3}};
  return m;
}

void expect_closed_tetrahedron(const std::string& report) {
  EXPECT_EQ(value_of(report, "vertices"), "4") << report;
  EXPECT_EQ(value_of(report, "faces"), "4 triangles") << report;
  EXPECT_EQ(value_of(report, "normals"), "no");
  EXPECT_EQ(value_of(report, "bounding box min"), "(0, 0, 0)");
  EXPECT_EQ(value_of(report, "bounding box max"), "(1, 1, 1)");
  EXPECT_EQ(value_of(report, "bounding box size"), "(1, 1, 1)");
  EXPECT_EQ(value_of(report, "bounding box diagonal"), "1.73205");
  EXPECT_EQ(value_of(report, "unreferenced vertices"), "0");
  EXPECT_EQ(value_of(report, "boundary edges"), "0");
  EXPECT_EQ(value_of(report, "non-manifold edges"), "0");
  EXPECT_EQ(value_of(report, "non-manifold vertices"), "0");
  EXPECT_EQ(value_of(report, "degenerate faces"), "0");
  EXPECT_EQ(value_of(report, "components"), "1");
  EXPECT_EQ(value_of(report, "euler characteristic"), "2");
  EXPECT_EQ(value_of(report, "watertight"), "yes");
  EXPECT_EQ(value_of(report, "consistently oriented"), "yes");
}

TEST(Inspect, ClosedTetrahedronInEveryMeshFormat) {
  test::TempDir dir;
  const struct {
    const char* name;
    bool binary;
    const char* format;
  } cases[] = {{"tet.ply", true, "PLY binary_little_endian 1.0"},
               {"tet_ascii.ply", false, "PLY ascii 1.0"},
               {"tet.obj", true, "OBJ"},
               {"tet.off", true, "OFF"}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string path = (dir.path() / c.name).string();
    write_mesh(tetrahedron(), path, c.binary);
    const std::string report = describe_file(path);
    EXPECT_EQ(first_line(report), path + ": triangle mesh");
    EXPECT_EQ(value_of(report, "format"), c.format);
    expect_closed_tetrahedron(report);
  }
}

TEST(Inspect, MeshWithHoleIsNotWatertight) {
  test::TempDir dir;
  Mesh open = tetrahedron();
  open.F.pop_back();
  const std::string path = (dir.path() / "open.obj").string();
  write_mesh(open, path);
  const std::string report = describe_file(path);
  EXPECT_EQ(value_of(report, "faces"), "3 triangles");
  EXPECT_EQ(value_of(report, "boundary edges"), "3");
  EXPECT_EQ(value_of(report, "euler characteristic"), "1");
  EXPECT_EQ(value_of(report, "components"), "1");
  EXPECT_EQ(value_of(report, "watertight"), "no");
  EXPECT_EQ(value_of(report, "consistently oriented"), "yes");
}

TEST(Inspect, CountsComponentsUnreferencedVerticesAndNormals) {
  test::TempDir dir;
  Mesh two = tetrahedron();
  for (int i = 0; i < 4; ++i) two.V.push_back({two.V[i][0] + 5, two.V[i][1], two.V[i][2]});
  for (int i = 0; i < 4; ++i) {
    two.F.push_back({two.F[i][0] + 4, two.F[i][1] + 4, two.F[i][2] + 4});
  }
  two.V.push_back({-1, -2, -3});  // referenced by no face
  two.N.assign(two.V.size(), Vec3f{0, 0, 1});
  const std::string path = (dir.path() / "two.ply").string();
  write_mesh(two, path);
  const std::string report = describe_file(path);
  EXPECT_EQ(value_of(report, "vertices"), "9") << report;
  EXPECT_EQ(value_of(report, "faces"), "8 triangles");
  EXPECT_EQ(value_of(report, "normals"), "yes");
  EXPECT_EQ(value_of(report, "unreferenced vertices"), "1");
  EXPECT_EQ(value_of(report, "components"), "2");
  EXPECT_EQ(value_of(report, "euler characteristic"), "4");
  EXPECT_EQ(value_of(report, "watertight"), "yes");
  EXPECT_EQ(value_of(report, "bounding box min"), "(-1, -2, -3)");
  EXPECT_EQ(value_of(report, "bounding box max"), "(6, 1, 1)");
  EXPECT_EQ(value_of(report, "element vertex"),
            "9: float x, float y, float z, float nx, float ny, float nz");
}

// A quad cube in ascii PLY with a comment, an extra vertex property and an extra element, the
// way real tools write them: the report lists the header as declared and counts triangles.
TEST(Inspect, PlyHeaderElementsAndPolygonCounts) {
  test::TempDir dir;
  std::string text =
      "ply\nformat ascii 1.0\ncomment made by hand\nelement vertex 8\nproperty float x\n"
      "property float y\nproperty float z\nproperty uchar confidence\nelement face 6\n"
      "property list uchar int vertex_indices\nelement material 1\nproperty uchar red\n"
      "end_header\n";
  for (int i = 0; i < 8; ++i) text += fmt::format("{} {} {} 7\n", i & 1, (i >> 1) & 1, i >> 2);
  text += "4 0 2 3 1\n4 4 5 7 6\n4 0 1 5 4\n4 2 6 7 3\n4 0 4 6 2\n4 1 3 7 5\n255\n";
  const std::string path = dir.write("cube.ply", text);
  const std::string report = describe_file(path);
  EXPECT_EQ(first_line(report), path + ": triangle mesh");
  EXPECT_EQ(value_of(report, "format"), "PLY ascii 1.0") << report;
  EXPECT_EQ(value_of(report, "comment"), "made by hand");
  EXPECT_EQ(value_of(report, "element vertex"), "8: float x, float y, float z, uchar confidence");
  EXPECT_EQ(value_of(report, "element face"), "6: list uchar int vertex_indices");
  EXPECT_EQ(value_of(report, "element material"), "1: uchar red");
  EXPECT_EQ(value_of(report, "faces"), "12 triangles (from 6 polygons)");
  EXPECT_EQ(value_of(report, "euler characteristic"), "2");
  EXPECT_EQ(value_of(report, "watertight"), "yes");
  EXPECT_EQ(value_of(report, "consistently oriented"), "yes");
}

// A range scan: vertices and a range_grid element, no faces.
TEST(Inspect, PlyWithoutFacesIsAPointCloud) {
  test::TempDir dir;
  const std::string path =
      dir.write("scan.ply",
                "ply\nformat ascii 1.0\nobj_info num_cols 2\nelement vertex 2\nproperty float x\n"
                "property float y\nproperty float z\nelement range_grid 4\n"
                "property list uchar int vertex_indices\nend_header\n"
                "0 0 0\n1 2 -3\n1 0\n0\n0\n1 1\n");
  const std::string report = describe_file(path);
  EXPECT_EQ(first_line(report), path + ": point cloud");
  EXPECT_EQ(value_of(report, "obj_info"), "num_cols 2");
  EXPECT_EQ(value_of(report, "element range_grid"), "4: list uchar int vertex_indices");
  EXPECT_EQ(value_of(report, "points"), "2");
  EXPECT_EQ(value_of(report, "normals"), "no");
  EXPECT_EQ(value_of(report, "bounding box min"), "(0, 0, -3)");
  EXPECT_EQ(value_of(report, "bounding box max"), "(1, 2, 0)");
  EXPECT_EQ(value_of(report, "watertight"), "<no watertight>");
}

TEST(Inspect, XyzPointCloudWithNormals) {
  test::TempDir dir;
  const std::string path =
      dir.write("points.xyz", "# x y z nx ny nz\n0 0 0 0 0 1\n1 2 3 0 1 0\n-1 0.5 2 1 0 0\n");
  const std::string report = describe_file(path);
  EXPECT_EQ(first_line(report), path + ": point cloud");
  EXPECT_EQ(value_of(report, "format"), "XYZ");
  EXPECT_EQ(value_of(report, "points"), "3");
  EXPECT_EQ(value_of(report, "normals"), "yes");
  EXPECT_EQ(value_of(report, "bounding box min"), "(-1, 0, 0)");
  EXPECT_EQ(value_of(report, "bounding box max"), "(1, 2, 3)");
  EXPECT_EQ(value_of(report, "bounding box size"), "(2, 2, 3)");
  EXPECT_EQ(value_of(report, "bounding box diagonal"), "4.12311");
}

TEST(Inspect, NpyDtypeShapeAndColumnRanges) {
  test::TempDir dir;
  const std::string path = (dir.path() / "points.npy").string();
  write_npy(path, std::vector<float>{0.5f, -1, 2, 1.5f, 3, -2}, {2, 3});
  const std::string report = describe_file(path);
  EXPECT_EQ(first_line(report), path + ": NumPy array");
  EXPECT_EQ(value_of(report, "dtype"), "<f4");
  EXPECT_EQ(value_of(report, "shape"), "(2, 3)");
  EXPECT_EQ(value_of(report, "values"), "[0.5, -1, 2, 1.5, 3, -2]");
  EXPECT_EQ(value_of(report, "column 0 (x)"), "[0.5, 1.5]");
  EXPECT_EQ(value_of(report, "column 1 (y)"), "[-1, 3]");
  EXPECT_EQ(value_of(report, "column 2 (z)"), "[-2, 2]");
}

TEST(Inspect, NpyOneDimensionalArrayHasNoColumns) {
  test::TempDir dir;
  const std::string path = (dir.path() / "labels.npy").string();
  write_npy(path, std::vector<double>(20, 1.0), {20});
  const std::string report = describe_file(path);
  EXPECT_EQ(value_of(report, "dtype"), "<f8");
  EXPECT_EQ(value_of(report, "shape"), "(20,)");
  EXPECT_EQ(value_of(report, "values"), "<no values>");
  EXPECT_EQ(value_of(report, "column 0 (x)"), "<no column 0 (x)>");
}

TEST(Inspect, DeepSdfSamplesArchive) {
  test::TempDir dir;
  const std::string path = (dir.path() / "shape.npz").string();
  SdfSamples samples;
  samples.pos = {0, 0, 0, 0.1f, 0.5f, 0.5f, 0.5f, 0.25f};
  samples.neg = {0.1f, 0.2f, 0.3f, -0.05f};
  write_deepsdf_samples(path, samples);
  const std::string report = describe_file(path);
  EXPECT_EQ(first_line(report), path + ": NumPy archive");
  EXPECT_EQ(value_of(report, "arrays"), "2");
  EXPECT_EQ(value_of(report, "member"), "neg.npy");  // members in name order
  EXPECT_EQ(value_of(report, "deepsdf"), "SdfSamples (pos, neg: rows of x, y, z, sdf)");
  EXPECT_EQ(value_of(report, "pos"), "2 samples, sdf [0.1, 0.25]");
  EXPECT_EQ(value_of(report, "neg"), "1 samples, sdf [-0.05, -0.05]");
  EXPECT_NE(report.find("shape:"), std::string::npos);
}

TEST(Inspect, DeepSdfSamplesWithNanAndWrongSigns) {
  test::TempDir dir;
  const std::string path = (dir.path() / "odd.npz").string();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  write_npz(path,
            {{"pos", make_npy_array(std::vector<float>{0, 0, 0, -0.5f, 1, 1, 1, 0.5f}, {2, 4})},
             {"neg", make_npy_array(std::vector<float>{0, 0, 0, nan, 1, 1, 1, -1}, {2, 4})}});
  const std::string report = describe_file(path);
  EXPECT_EQ(value_of(report, "pos"), "2 samples, sdf [-0.5, 0.5], 1 with sdf < 0") << report;
  EXPECT_EQ(value_of(report, "neg"), "2 samples, sdf [-1, -1] (1 non-finite)");
}

TEST(Inspect, DeepSdfNormalizationArchive) {
  test::TempDir dir;
  const std::string path = (dir.path() / "norm.npz").string();
  Normalization n;
  n.offset = {0.25, -0.5, 1};
  n.scale = 1.5;
  write_deepsdf_normalization(path, n);
  const std::string report = describe_file(path);
  EXPECT_EQ(value_of(report, "member"), "offset.npy");
  EXPECT_EQ(value_of(report, "values"), "[0.25, -0.5, 1]");
  EXPECT_EQ(value_of(report, "deepsdf"),
            "NormalizationParameters (normalized = (original + offset) * scale)");
  EXPECT_EQ(value_of(report, "offset"), "(0.25, -0.5, 1)");
  EXPECT_EQ(value_of(report, "scale"), "1.5");
}

TEST(Inspect, UnsupportedExtensionListsSupportedOnes) {
  test::TempDir dir;
  const std::string path = dir.write("model.stl", "solid x\nendsolid x\n");
  try {
    describe_file(path);
    FAIL() << "expected a DataError";
  } catch (const core::DataError& e) {
    EXPECT_EQ(std::string(e.what()),
              path +
                  ": unsupported file type '.stl' (supported: .ply, .obj, .off, .xyz, .npy, "
                  ".npz)");
  }
  EXPECT_THROW(describe_file(dir.write("README", "x")), core::DataError);
}

TEST(Inspect, ReaderErrorsPropagateNamingTheFile) {
  test::TempDir dir;
  const std::string missing = (dir.path() / "missing.ply").string();
  EXPECT_THROW(describe_file(missing), core::IoError);
  const std::string broken = dir.write("broken.obj", "v 0 0 0\nf 1 2 3\n");
  try {
    describe_file(broken);
    FAIL() << "expected a DataError";
  } catch (const core::DataError& e) {
    EXPECT_EQ(std::string(e.what()).rfind(broken, 0), 0u) << e.what();
  }
}

}  // namespace
}  // namespace nsdf::geometry
