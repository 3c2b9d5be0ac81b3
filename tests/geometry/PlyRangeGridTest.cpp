// Range scans (Stanford range_grid PLY files without faces) are meshed by the PLY reader: the
// exact triangles of a small hand-made grid (one missing cell, one sample far behind the others,
// diagonals of both kinds), the same grid in binary and with the elements reordered, and the
// errors a broken grid gives.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "core/Error.h"
#include "geometry/MeshIo.h"
#include "geometry/MeshTopology.h"
#include "geometry/PlyIo.h"
#include "support/TestFiles.h"

namespace nsdf::geometry {
namespace {

constexpr int kRows = 3;
constexpr int kCols = 4;
constexpr int kMissingCell = 3;  // row 0, column 3
constexpr int kFarCell = 8;      // row 2, column 0: 10 units behind the others

/// Cell id r * kCols + c of the grid below.
constexpr int cell(int r, int c) { return r * kCols + c; }

/// The sample of each present cell: x = column, y = row, z = 0, except the far one and a
/// small bump at (1, 2) that makes some diagonals unequal.
Vec3f position(int id) {
  const int r = id / kCols;
  const int c = id % kCols;
  float z = 0;
  if (id == kFarCell) z = 10;
  if (id == cell(1, 2)) z = 0.3f;
  return {static_cast<float>(c), static_cast<float>(r), z};
}

/// Vertices are stored in reverse cell order, so that the faces can only come out right when
/// the reader follows the grid, not the vertex order.
std::vector<int> present_cells() {
  std::vector<int> cells;
  for (int id = kRows * kCols - 1; id >= 0; --id) {
    if (id != kMissingCell) cells.push_back(id);
  }
  return cells;
}

int32_t vertex_of(int id) {
  const std::vector<int> cells = present_cells();
  return static_cast<int32_t>(std::find(cells.begin(), cells.end(), id) - cells.begin());
}

/// The triangles the rules give for this grid, block by block in row-major order, as cells.
std::vector<Tri> expected_faces() {
  const std::vector<std::array<int, 3>> by_cell = {
      // Block (0, 0): flat square, equal diagonals: the (0,1)-(1,0) one.
      {cell(0, 0), cell(0, 1), cell(1, 0)},
      {cell(0, 1), cell(1, 1), cell(1, 0)},
      // Block (0, 1): (1,2) is raised, so (0,2)-(1,1) is the shorter diagonal.
      {cell(0, 1), cell(0, 2), cell(1, 1)},
      {cell(0, 2), cell(1, 2), cell(1, 1)},
      // Block (0, 2): (0,3) is missing: one triangle of the other three.
      {cell(0, 2), cell(1, 3), cell(1, 2)},
      // Block (1, 0): (2,0) is far: the diagonal (1,0)-(2,1) is shorter, and the triangle
      // (1,0) (2,1) (2,0) is dropped for its 10-unit edges.
      {cell(1, 0), cell(1, 1), cell(2, 1)},
      // Block (1, 1): (1,2) is raised, so (1,1)-(2,2) is the shorter diagonal.
      {cell(1, 1), cell(1, 2), cell(2, 2)},
      {cell(1, 1), cell(2, 2), cell(2, 1)},
      // Block (1, 2): (1,2) is raised, so (1,3)-(2,2) is the shorter diagonal.
      {cell(1, 2), cell(1, 3), cell(2, 2)},
      {cell(1, 3), cell(2, 3), cell(2, 2)},
  };
  std::vector<Tri> faces;
  for (const auto& t : by_cell)
    faces.push_back({vertex_of(t[0]), vertex_of(t[1]), vertex_of(t[2])});
  return faces;
}

std::vector<Vec3f> expected_vertices() {
  std::vector<Vec3f> V;
  for (const int id : present_cells()) V.push_back(position(id));
  return V;
}

const char kShape[] = "obj_info num_cols 4\nobj_info num_rows 3\n";

std::string vertex_header() {
  return fmt::format("element vertex {}\nproperty float x\nproperty float y\nproperty float z\n",
                     present_cells().size());
}

std::string grid_header() {
  return fmt::format("element range_grid {}\nproperty list uchar int vertex_indices\n",
                     kRows * kCols);
}

std::string ascii_vertices() {
  std::string out;
  for (const Vec3f& v : expected_vertices()) out += fmt::format("{} {} {}\n", v[0], v[1], v[2]);
  return out;
}

std::string ascii_grid() {
  std::string out;
  for (int id = 0; id < kRows * kCols; ++id) {
    out += id == kMissingCell ? std::string("0\n") : fmt::format("1 {}\n", vertex_of(id));
  }
  return out;
}

/// The Stanford layout: shape in obj_info, vertices, then the grid.
std::string ascii_scan(const std::string& shape = kShape) {
  return "ply\nformat ascii 1.0\ncomment hand made\n" + shape + vertex_header() + grid_header() +
         "end_header\n" + ascii_vertices() + ascii_grid();
}

template <typename T>
void put(std::string& out, T value, bool big_endian) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  if (big_endian != (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__))
    std::reverse(bytes, bytes + sizeof(T));
  out.append(bytes, sizeof(T));
}

/// The same scan in binary, with a confidence and an intensity per vertex (walked over).
std::string binary_scan(bool big_endian) {
  std::string out =
      std::string("ply\nformat ") + (big_endian ? "binary_big_endian" : "binary_little_endian") +
      " 1.0\n" + kShape + vertex_header() +
      "property float confidence\nproperty uchar intensity\n" + grid_header() + "end_header\n";
  for (const Vec3f& v : expected_vertices()) {
    for (const float c : v) put(out, c, big_endian);
    put(out, 0.75f, big_endian);
    put<uint8_t>(out, 200, big_endian);
  }
  for (int id = 0; id < kRows * kCols; ++id) {
    put<uint8_t>(out, id == kMissingCell ? 0 : 1, big_endian);
    if (id != kMissingCell) put<int32_t>(out, vertex_of(id), big_endian);
  }
  return out;
}

std::string message(const std::function<void()>& read) {
  try {
    read();
  } catch (const core::DataError& e) {
    return e.what();
  }
  return "no DataError";
}

float normal_z(const Mesh& m, const Tri& t) {
  const Vec3f& a = m.V[t[0]];
  const Vec3f& b = m.V[t[1]];
  const Vec3f& c = m.V[t[2]];
  const float ux = b[0] - a[0], uy = b[1] - a[1];
  const float vx = c[0] - a[0], vy = c[1] - a[1];
  return ux * vy - uy * vx;
}

TEST(PlyRangeGrid, AsciiScanGivesExactFaces) {
  const Mesh m = parse_ply(ascii_scan(), "scan.ply");
  EXPECT_EQ(m.V, expected_vertices());
  EXPECT_EQ(m.F, expected_faces());
  EXPECT_TRUE(m.N.empty());
}

TEST(PlyRangeGrid, FacesAreConsistentAndFaceTheScanner) {
  const Mesh m = parse_ply(ascii_scan(), "scan.ply");
  ASSERT_FALSE(m.F.empty());
  // Counter-clockwise in (column, row) space: with x = column and y = row every normal points
  // to +z, towards a scanner looking along -z.
  for (const Tri& t : m.F) EXPECT_GT(normal_z(m, t), 0.0f);
  const TopologyReport topology = analyze_topology(m);
  EXPECT_TRUE(topology.consistently_oriented);
  EXPECT_EQ(topology.non_manifold_edges, 0);
  EXPECT_EQ(topology.components, 1);
  EXPECT_EQ(topology.degenerate_faces, 0);
}

TEST(PlyRangeGrid, BinaryScansInBothByteOrdersGiveTheSameFaces) {
  for (const bool big_endian : {false, true}) {
    SCOPED_TRACE(big_endian ? "big endian" : "little endian");
    const Mesh m = parse_ply(binary_scan(big_endian), "scan.ply");
    EXPECT_EQ(m.V, expected_vertices());
    EXPECT_EQ(m.F, expected_faces());
  }
}

TEST(PlyRangeGrid, ReadMeshTriangulatesAFile) {
  test::TempDir dir;
  const std::string path = dir.write("bun000.ply", binary_scan(false));
  const Mesh m = read_mesh(path);
  EXPECT_EQ(m.F, expected_faces());
  // The point-cloud reader never looks at the grid.
  EXPECT_EQ(read_point_cloud(path).P, expected_vertices());
}

TEST(PlyRangeGrid, GridBeforeVerticesGivesTheSameFaces) {
  const std::string text = "ply\nformat ascii 1.0\n" + std::string(kShape) + grid_header() +
                           vertex_header() + "end_header\n" + ascii_grid() + ascii_vertices();
  EXPECT_EQ(parse_ply(text, "scan.ply").F, expected_faces());
}

TEST(PlyRangeGrid, OneMissingDimensionIsImpliedByTheCount) {
  EXPECT_EQ(parse_ply(ascii_scan("obj_info num_cols 4\n"), "scan.ply").F, expected_faces());
  EXPECT_EQ(parse_ply(ascii_scan("obj_info num_rows 3\nobj_info num_rows 3\n"), "scan.ply").F,
            expected_faces());
}

TEST(PlyRangeGrid, GridOfUnknownShapeReadsAsVertices) {
  const Mesh m = parse_ply(ascii_scan("obj_info is_mesh 0\n"), "scan.ply");
  EXPECT_EQ(m.V, expected_vertices());
  EXPECT_TRUE(m.F.empty());
}

TEST(PlyRangeGrid, FaceElementWinsOverTheGrid) {
  // A grid that could not be meshed (shape mismatch, two indices in a cell) is not looked at
  // when the file has faces of its own.
  const std::string text =
      "ply\nformat ascii 1.0\nobj_info num_cols 5\nelement vertex 3\nproperty float x\n"
      "property float y\nproperty float z\nelement range_grid 2\n"
      "property list uchar int vertex_indices\nelement face 1\n"
      "property list uchar int vertex_indices\nend_header\n0 0 0\n1 0 0\n0 1 0\n2 0 1\n1 2\n"
      "3 0 1 2\n";
  EXPECT_EQ(parse_ply(text, "scan.ply").F, (std::vector<Tri>{{0, 1, 2}}));
}

TEST(PlyRangeGrid, EveryTriangleOfAFullFlatGridIsKept) {
  // 2 x 3 samples with unit spacing: the long-edge rule keeps the diagonals (sqrt 2 < 4).
  const std::string text =
      "ply\nformat ascii 1.0\nobj_info num_cols 3\nobj_info num_rows 2\nelement vertex 6\n"
      "property float x\nproperty float y\nproperty float z\nelement range_grid 6\n"
      "property list uchar int vertex_indices\nend_header\n"
      "0 0 0\n1 0 0\n2 0 0\n0 1 0\n1 1 0\n2 1 0\n1 0\n1 1\n1 2\n1 3\n1 4\n1 5\n";
  EXPECT_EQ(parse_ply(text, "flat.ply").F,
            (std::vector<Tri>{{0, 1, 3}, {1, 4, 3}, {1, 2, 4}, {2, 5, 4}}));
}

// ---------------------------------------------------------------------------------------------
// Errors

std::string with_grid_body(const std::string& grid_body) {
  return "ply\nformat ascii 1.0\n" + std::string(kShape) + vertex_header() + grid_header() +
         "end_header\n" + ascii_vertices() + grid_body;
}

TEST(PlyRangeGrid, MissingNumColsThatTheCountCannotImplyIsAnError) {
  EXPECT_EQ(message([] { parse_ply(ascii_scan("obj_info num_rows 5\n"), "scan.ply"); }),
            "scan.ply: obj_info num_cols is missing, and the range_grid's 12 cells do not fill "
            "num_rows 5 equal rows");
  EXPECT_EQ(message([] { parse_ply(ascii_scan("obj_info num_cols 5\n"), "scan.ply"); }),
            "scan.ply: obj_info num_rows is missing, and the range_grid's 12 cells do not fill "
            "whole rows of num_cols 5");
}

TEST(PlyRangeGrid, ShapeThatDoesNotMatchTheCountIsAnError) {
  EXPECT_EQ(message([] {
              parse_ply(ascii_scan("obj_info num_cols 4\nobj_info num_rows 4\n"), "scan.ply");
            }),
            "scan.ply: the range_grid has 12 cells but obj_info declares num_rows 4 x num_cols 4");
  // 4 x (2^62 + 3) wraps around to 12 in 64 bits: still a mismatch.
  EXPECT_EQ(message([] {
              parse_ply(ascii_scan("obj_info num_cols 4\nobj_info num_rows 4611686018427387907\n"),
                        "scan.ply");
            }),
            "scan.ply: the range_grid has 12 cells but obj_info declares num_rows "
            "4611686018427387907 x num_cols 4");
}

TEST(PlyRangeGrid, BadOrConflictingShapeValuesAreErrors) {
  EXPECT_EQ(message([] { parse_ply(ascii_scan("obj_info num_cols four\n"), "scan.ply"); }),
            "scan.ply: 'obj_info num_cols four': expected 'obj_info num_cols <positive "
            "integer>'");
  EXPECT_EQ(message([] { parse_ply(ascii_scan("obj_info num_rows 0\n"), "scan.ply"); }),
            "scan.ply: 'obj_info num_rows 0': expected 'obj_info num_rows <positive integer>'");
  EXPECT_EQ(message([] {
              parse_ply(ascii_scan("obj_info num_cols 4\nobj_info num_cols 6\n"), "scan.ply");
            }),
            "scan.ply: obj_info num_cols is given twice, as 4 and 6");
}

TEST(PlyRangeGrid, VertexIndexOutOfRangeIsAnError) {
  // 11 header lines and 11 vertex lines come first: cell 5 is on line 28.
  std::string grid = ascii_grid();
  grid.replace(grid.find("1 6\n"), 4, "1 11\n");  // cell 5 points past the 11 vertices
  EXPECT_EQ(message([&] { parse_ply(with_grid_body(grid), "scan.ply"); }),
            "scan.ply: line 28: range_grid cell 5 (row 1, column 1): vertex index 11 out of range "
            "(11 vertices)");
  grid = ascii_grid();
  grid.replace(grid.find("1 6\n"), 4, "1 -1\n");
  EXPECT_EQ(message([&] { parse_ply(with_grid_body(grid), "scan.ply"); }),
            "scan.ply: line 28: range_grid cell 5 (row 1, column 1): vertex index -1 out of range "
            "(11 vertices)");
  // Binary: the message gives the byte offset of the cell.
  std::string binary = binary_scan(false);
  std::string bad;
  put<int32_t>(bad, 1000, false);
  binary.replace(binary.size() - 4, 4, bad);  // the index of the last cell
  EXPECT_NE(message([&] { parse_ply(binary, "scan.ply"); })
                .find("range_grid cell 11 (row 2, column 3): vertex index 1000 out of range "
                      "(11 vertices)"),
            std::string::npos);
}

TEST(PlyRangeGrid, CellWithTwoIndicesIsAnError) {
  std::string grid = ascii_grid();
  grid.replace(grid.find("1 6\n"), 4, "2 6 7\n");
  EXPECT_EQ(message([&] { parse_ply(with_grid_body(grid), "scan.ply"); }),
            "scan.ply: line 28: range_grid cell 5 (row 1, column 1) lists 2 vertex indices, "
            "expected 0 or 1");
}

TEST(PlyRangeGrid, GridWithoutIndexListIsAnError) {
  const std::string text =
      "ply\nformat ascii 1.0\nobj_info num_cols 1\nobj_info num_rows 1\nelement vertex 1\n"
      "property float x\nproperty float y\nproperty float z\nelement range_grid 1\n"
      "property int vertex_indices\nend_header\n0 0 0\n0\n";
  EXPECT_EQ(message([&] { parse_ply(text, "scan.ply"); }),
            "scan.ply: range_grid property 'vertex_indices' is not a list of integers (expected "
            "'property list uchar int vertex_indices')");
}

TEST(PlyRangeGrid, LyingGridCountIsRefusedBeforeAllocating) {
  // 10^10 cells declared, a few bytes follow: a truncation error, not a 40 GB grid.
  const std::string text =
      "ply\nformat binary_little_endian 1.0\nobj_info num_cols 100000\n"
      "obj_info num_rows 100000\nelement vertex 0\nproperty float x\nproperty float y\n"
      "property float z\nelement range_grid 10000000000\n"
      "property list uchar int vertex_indices\nend_header\nabc";
  EXPECT_NE(message([&] { parse_ply(text, "scan.ply"); }).find("scan.ply: truncated"),
            std::string::npos);
}

}  // namespace
}  // namespace nsdf::geometry
