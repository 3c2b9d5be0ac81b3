// Hostile and broken mesh files: each must give a DataError or IoError whose message starts
// with the file path and says what is wrong and where, never a crash, a hang, or an
// allocation sized by a lying header. A corpus of hand-made broken files pins the messages;
// truncating and corrupting valid files at random checks the "never crash" part more widely.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "core/Error.h"
#include "geometry/MeshIo.h"
#include "geometry/TextScan.h"
#include "geometry/ObjIo.h"
#include "geometry/OffIo.h"
#include "geometry/PlyIo.h"
#include "geometry/XyzIo.h"
#include "support/TestFiles.h"

namespace nsdf::geometry {
namespace {

/// Little-endian bytes of a value (the corpus uses binary_little_endian unless it says so).
template <typename T>
std::string le(T value) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  if (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__) std::reverse(bytes, bytes + sizeof(T));
  return std::string(bytes, sizeof(T));
}

template <typename T>
std::string be(T value) {
  std::string bytes = le(value);
  std::reverse(bytes.begin(), bytes.end());
  return bytes;
}

std::string floats(std::initializer_list<float> values) {
  std::string out;
  for (const float v : values) out += le(v);
  return out;
}

/// A PLY header with float x y z vertices and (when faces is not empty) a face list.
std::string ply_header(const std::string& format, const std::string& vertices,
                       const std::string& faces = "",
                       const std::string& face_list = "property list uchar int vertex_indices") {
  std::string h = "ply\nformat " + format + " 1.0\nelement vertex " + vertices +
                  "\nproperty float x\nproperty float y\nproperty float z\n";
  if (!faces.empty()) h += "element face " + faces + "\n" + face_list + "\n";
  return h + "end_header\n";
}

const std::string kBinary = "binary_little_endian";
const std::string kAscii = "ascii";
const std::string kFourVertices = "0 0 0\n1 0 0\n0 1 0\n0 0 1\n";
const std::string kFourObjVertices = "v 0 0 0\nv 1 0 0\nv 0 1 0\nv 0 0 1\n";

enum class Setup { File, Missing, Folder };

struct BrokenFile {
  std::string name;  // its extension picks the reader
  std::string contents;
  std::string expected;  // a substring of the message
  bool io_error = false;
  Setup setup = Setup::File;
};

std::vector<BrokenFile> corpus() {
  const std::string four_binary_vertices =
      floats({0, 0, 0}) + floats({1, 0, 0}) + floats({0, 1, 0}) + floats({0, 0, 1});
  return {
      // --- PLY: truncation and lying counts.
      {"truncated_binary_body.ply", ply_header(kBinary, "4") + std::string(30, '\0'),
       "truncated: header declares 4 vertices (12 bytes each) but only 30 bytes follow"},
      {"truncated_binary_face.ply",
       ply_header(kBinary, "3", "1") + floats({0, 0, 0, 1, 0, 0, 0, 1, 0}) + le<uint8_t>(3) +
           le<int32_t>(0) + le<int32_t>(1),
       "truncated: face 0 (byte offset 205) runs past the end of the file"},
      {"truncated_ascii_body.ply", ply_header(kAscii, "3") + "0 0 0\n1 0 0\n",
       "truncated: header declares 3 vertices (3 values each) but only 12 bytes follow"},
      {"truncated_ascii_lines.ply",
       ply_header(kAscii, "3") + "0.000000 0.000000 0.000000\n1.000000 0.000000 0.000000\n",
       "truncated: header declares 3 vertices but the file ends after 2"},
      {"lying_vertex_count_binary.ply",
       ply_header(kBinary, "4000000000") + floats({0, 0, 0, 1, 1, 1}),
       "truncated: header declares 4000000000 vertices (12 bytes each) but only 24 bytes follow"},
      {"lying_vertex_count_ascii.ply", ply_header(kAscii, "4000000000") + "0 0 0\n",
       "truncated: header declares 4000000000 vertices"},
      {"lying_face_count_binary.ply",
       ply_header(kBinary, "1", "4000000000") + floats({0, 0, 0}) + le<uint8_t>(0),
       "truncated: header declares 4000000000 faces (at least 1 bytes each) but only 1 bytes "
       "follow"},
      {"lying_list_count.ply",
       ply_header(kBinary, "3", "1") + floats({0, 0, 0, 1, 0, 0, 0, 1, 0}) + le<uint8_t>(255) +
           le<int32_t>(0),
       "runs past the end of the file"},
      {"lying_uint_list_count.ply",
       ply_header(kBinary, "3", "1", "property list uint int vertex_indices") +
           floats({0, 0, 0, 1, 0, 0, 0, 1, 0}) + le<uint32_t>(4000000000u),
       "runs past the end of the file"},
      {"negative_list_count.ply",
       ply_header(kBinary, "3", "1", "property list char int vertex_indices") +
           floats({0, 0, 0, 1, 0, 0, 0, 1, 0}) + le<int8_t>(-1),
       "face 0: list 'vertex_indices' has negative count -1"},
      {"extra_records.ply", ply_header(kAscii, "2") + "0 0 0\n1 1 1\n2 2 2\n",
       "line 10: unexpected data after the last element (does the header declare too few "
       "vertices?)"},
      // --- PLY: header problems.
      {"missing_end_header.ply",
       "ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nproperty float y\n",
       "missing 'end_header'"},
      {"missing_end_header_before_data.ply",
       "ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nproperty float y\n"
       "property float z\n0 0 0\n",
       "line 7: unknown header keyword '0' (is the 'end_header' line missing?)"},
      {"bad_magic.ply", "PLX\nformat ascii 1.0\nend_header\n", "not a PLY file"},
      {"png_renamed.ply", std::string("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16), "not a PLY file"},
      {"unknown_format.ply", "ply\nformat binary_middle_endian 1.0\nend_header\n",
       "line 2: unknown format 'binary_middle_endian' (expected ascii, binary_little_endian or "
       "binary_big_endian)"},
      {"missing_format.ply", "ply\nelement vertex 0\nproperty float x\nend_header\n",
       "the header has no 'format' line"},
      {"unsupported_type.ply",
       "ply\nformat ascii 1.0\nelement vertex 1\nproperty float128 x\nend_header\n",
       "line 4: unsupported property type 'float128'"},
      {"float_list_count.ply",
       ply_header(kAscii, "1", "1", "property list float int vertex_indices"),
       "list count type 'float' is not an integer type"},
      {"float_face_indices.ply",
       ply_header(kAscii, "3", "1", "property list uchar float vertex_indices") + "0 0 0\n" +
           "1 0 0\n0 1 0\n3 0 1 2\n",
       "face property 'vertex_indices' has item type 'float', expected an integer type"},
      {"property_before_element.ply", "ply\nformat ascii 1.0\nproperty float x\nend_header\n",
       "line 3: 'property' before any 'element'"},
      {"bad_element_count.ply", "ply\nformat ascii 1.0\nelement vertex -5\nend_header\n",
       "line 3: element 'vertex': bad count '-5'"},
      {"no_vertex_element.ply", "ply\nformat ascii 1.0\nelement point 0\nend_header\n",
       "no 'vertex' element in the header"},
      {"missing_z.ply",
       "ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nproperty float y\n"
       "end_header\n0 0\n",
       "the vertex element has no 'z' property"},
      {"no_face_list.ply", ply_header(kAscii, "3", "1", "property uchar flags") + "0 0 0\n",
       "the face element has no 'vertex_indices' (or 'vertex_index') list"},
      // --- PLY: bad records.
      {"face_index_out_of_range.ply", ply_header(kAscii, "4", "1") + kFourVertices + "3 0 1 9\n",
       "line 14: face 0: vertex index 9 out of range (4 vertices)"},
      {"face_index_out_of_range_binary.ply",
       ply_header(kBinary, "4", "1") + four_binary_vertices + le<uint8_t>(3) + le<int32_t>(0) +
           le<int32_t>(1) + le<int32_t>(9),
       "face 0: vertex index 9 out of range (4 vertices)"},
      {"negative_face_index.ply", ply_header(kAscii, "4", "1") + kFourVertices + "3 0 -1 2\n",
       "face 0: vertex index -1 out of range (4 vertices)"},
      {"two_vertex_face.ply", ply_header(kAscii, "4", "1") + kFourVertices + "2 0 1\n",
       "line 14: face 0 has 2 vertices (need at least 3)"},
      {"nan.ply", ply_header(kAscii, "2") + "0 0 0\n1 nan 0\n", "line 9: vertex 1: NaN coordinate"},
      {"nan_binary.ply", ply_header(kBinary, "2") + floats({0, 0, 0, 1, NAN, 0}),
       "vertex 1: NaN coordinate"},
      {"inf_binary_double.ply",
       "ply\nformat binary_little_endian 1.0\nelement vertex 1\nproperty double x\n"
       "property double y\nproperty double z\nend_header\n" +
           le<double>(0) + le<double>(-INFINITY) + le<double>(0),
       "vertex 0: Inf coordinate"},
      {"huge_double.ply",
       "ply\nformat binary_little_endian 1.0\nelement vertex 1\nproperty double x\n"
       "property double y\nproperty double z\nend_header\n" +
           le<double>(0) + le<double>(1e300) + le<double>(0),
       "vertex 0: coordinate 1e+300 out of float range"},
      {"non_numeric.ply", ply_header(kAscii, "2") + "0 0 0\n1 x1 0\n",
       "line 9: vertex 1: property 'y': expected a number, got 'x1'"},
      {"non_integer_index.ply", ply_header(kAscii, "4", "1") + kFourVertices + "3 0 1.5 2\n",
       "face 0: expected an integer vertex index, got '1.5'"},
      {"short_vertex_line.ply", ply_header(kAscii, "2") + "0.0 0.0 0.0\n1.0 1.0\n",
       "line 9: vertex 1: expected 3 values, got 2"},
      {"long_vertex_line.ply", ply_header(kAscii, "2", "0") + "0 0 0\n1 1 1 1\n",
       "vertex 1: expected 3 values, got 4"},
      {"short_face_line.ply", ply_header(kAscii, "4", "1") + kFourVertices + "4 0 1 2\n",
       "face 0: expected at least 5 values, got 4"},
      // --- OBJ.
      {"face_index_out_of_range.obj", kFourObjVertices + "f 1 2 9\n",
       "line 5: face index 9 out of range (4 vertices)"},
      {"negative_index_out_of_range.obj", kFourObjVertices + "f -1 -2 -9\n",
       "line 5: face index -9 out of range (4 vertices so far)"},
      // Found by the OBJ fuzzer: negating INT64_MIN used to wrap around the range check.
      {"int64_min_index.obj", kFourObjVertices + "f 1 2 -9223372036854775808\n",
       "line 5: face index -9223372036854775808 out of range (4 vertices so far)"},
      {"int64_min_normal_index.obj",
       kFourObjVertices + "vn 0 0 1\nf 1//1 2//1 3//-9223372036854775808\n",
       "line 6: normal index -9223372036854775808 out of range (1 normals so far)"},
      {"zero_index.obj", kFourObjVertices + "f 0 1 2\n",
       "line 5: face index 0 is invalid (OBJ indices start at 1)"},
      {"normal_index_out_of_range.obj", kFourObjVertices + "vn 0 0 1\nf 1//1 2//1 3//2\n",
       "line 6: normal index 2 out of range (1 normals)"},
      {"two_vertex_face.obj", kFourObjVertices + "f 1 2\n",
       "line 5: face has 2 vertices (need at least 3)"},
      {"bad_corner.obj", kFourObjVertices + "f 1 2 3/x\n",
       "line 5: bad face corner '3/x' (expected v, v/vt, v//vn or v/vt/vn)"},
      {"two_coordinates.obj", "v 0 0 0\nv 1 2\n", "line 2: expected 3 coordinates, got 2"},
      {"non_numeric.obj", "v 1 abc 3\n", "line 1: expected a number, got 'abc'"},
      {"inf.obj", "v 0 0 0\nv 1 0 0\nv inf 0 0\n", "line 3: vertex 2: Inf coordinate"},
      {"nan_normal.obj", "v 0 0 0\nvn 0 nan 1\n", "line 2: normal 0: NaN component"},
      {"garbage.obj", "hello world\nthis is not a mesh\n", "no vertices ('v' lines)"},
      // --- OFF.
      {"face_index_out_of_range.off", "OFF\n4 1 0\n" + kFourVertices + "3 0 1 9\n",
       "line 7: face index 9 out of range (4 vertices)"},
      {"two_vertex_face.off", "OFF\n4 1 0\n" + kFourVertices + "2 0 1     \n",
       "line 7: face 0 has 2 vertices (need at least 3)"},
      {"missing_counts.off", "OFF\n0.5 0.5 0.5\n1 0 0\n",
       "line 2: expected the counts line 'nv nf ne'"},
      {"no_counts_at_all.off", "OFF\n# only a comment\n",
       "missing the counts line 'nv nf ne' after the OFF line"},
      {"more_faces_than_present.off", "OFF\n4 3 0\n" + kFourVertices + "3 0 1 2 255 0 0\n\n# end\n",
       "truncated: header declares 3 faces but the file ends after 1"},
      {"lying_counts.off", "OFF\n4000000000 4000000000 0\n0 0 0\n",
       "truncated: header declares 4000000000 vertices and 4000000000 faces but only 6 bytes "
       "follow"},
      {"extra_data.off", "OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n3 0 1 2\n",
       "line 7: unexpected data after the last face"},
      {"short_vertex.off", "NOFF\n1 0 0\n0 0 0 0 0\n",
       "line 3: vertex 0: expected 6 values (x y z nx ny nz), got 5 values"},
      {"non_numeric.off", "OFF\n3 1 0\n0 0 0\n1 0 0\n0 one 0\n3 0 1 2\n",
       "line 5: vertex 2: expected a number, got 'one'"},
      {"nan.off", "OFF\n3 0 0\n0 0 0\n1 0 0\n0 NaN 0\n", "line 5: vertex 2: NaN coordinate"},
      {"four_d.off", "4OFF\n1 0 0\n0 0 0 1\n", "unsupported OFF variant '4OFF'"},
      {"not_off.off", "ply\nformat ascii 1.0\n", "not an OFF file"},
      // --- XYZ.
      {"mixed_widths.xyz", "0 0 0\n1 1 1 0 0 1\n", "line 2: expected 3 values like line 1, got 6"},
      {"four_columns.xyz", "# x y z i\n0 0 0 0.5\n",
       "line 2: expected 3 values (x y z) or 6 (x y z nx ny nz), got 4"},
      {"non_numeric.xyz", "0 0 0\n1 1 one\n", "line 2: expected a number, got 'one'"},
      {"inf.xyz", "0 0 0\n1 -inf 1\n", "line 2: point 1: Inf coordinate"},
      // --- Any format.
      {"empty.ply", "", "empty file"},
      {"empty.obj", "", "empty file"},
      {"empty.off", "", "empty file"},
      {"empty.xyz", "", "empty file"},
      {"mesh.stl", "solid x\nendsolid x\n",
       "unsupported mesh format '.stl' (supported: .ply, .obj, .off)"},
      {"mesh_without_extension", "v 0 0 0\n", "the file name has no extension"},
      {"does_not_exist.ply", "", "cannot open for reading", true, Setup::Missing},
      {"folder.obj", "", "is a folder", true, Setup::Folder},
  };
}

std::string read_any(const std::string& path) {
  if (detail::lower_extension(path) == ".xyz") {
    read_point_cloud(path);
  } else {
    read_mesh(path);
  }
  return "";
}

TEST(BrokenMeshFiles, EveryBrokenFileGivesAClearError) {
  test::TempDir dir;
  const std::vector<BrokenFile> files = corpus();
  EXPECT_GE(files.size(), 22u);
  for (const BrokenFile& f : files) {
    SCOPED_TRACE(f.name);
    const std::string path = (dir.path() / f.name).string();
    if (f.setup == Setup::File) dir.write(f.name, f.contents);
    if (f.setup == Setup::Folder) std::filesystem::create_directory(path);
    try {
      read_any(path);
      ADD_FAILURE() << "no error";
    } catch (const core::IoError& e) {
      EXPECT_TRUE(f.io_error) << "IoError: " << e.what();
      EXPECT_EQ(std::string(e.what()).rfind(path + ": ", 0), 0u) << e.what();
      EXPECT_NE(std::string(e.what()).find(f.expected), std::string::npos) << e.what();
    } catch (const core::DataError& e) {
      EXPECT_FALSE(f.io_error) << "DataError: " << e.what();
      EXPECT_EQ(std::string(e.what()).rfind(path + ": ", 0), 0u) << e.what();
      EXPECT_NE(std::string(e.what()).find(f.expected), std::string::npos) << e.what();
    } catch (const std::exception& e) {
      ADD_FAILURE() << "wrong exception type: " << e.what();
    }
  }
}

TEST(BrokenMeshFiles, ExactMessagesForTheCommonCases) {
  const auto message = [](const std::function<void()>& read) -> std::string {
    try {
      read();
    } catch (const core::Error& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_EQ(message([] { parse_obj("v 0 0 0\nv 1 2\n", "bunny.obj"); }),
            "bunny.obj: line 2: expected 3 coordinates, got 2");
  EXPECT_EQ(
      message([] { parse_ply(ply_header(kBinary, "1000") + std::string(96, '\0'), "x.ply"); }),
      "x.ply: truncated: header declares 1000 vertices (12 bytes each) but only 96 bytes "
      "follow");
  EXPECT_EQ(message([] { parse_obj(kFourObjVertices + "vt 0 0\nf 1/1 2/1 9/1\n", "x.obj"); }),
            "x.obj: line 6: face index 9 out of range (4 vertices)");
  EXPECT_EQ(message([] { read_ply_header("/nonexistent/x.ply"); }),
            "/nonexistent/x.ply: cannot open for reading");
}

TEST(BrokenMeshFiles, PointCloudReadsAreCheckedToo) {
  const std::string ply = ply_header(kAscii, "2") + "0 0 0\n1 nan 0\n";
  EXPECT_THROW(parse_ply_point_cloud(ply, "p.ply"), core::DataError);
  EXPECT_THROW(parse_ply_point_cloud(ply_header(kBinary, "4000000000"), "p.ply"), core::DataError);
  EXPECT_THROW(parse_obj_point_cloud("v 1 2\n", "p.obj"), core::DataError);
}

// Valid files of every kind, for the truncation and corruption sweeps.
struct Sample {
  std::string name;
  std::string contents;
};

std::vector<Sample> valid_samples() {
  Mesh m;
  for (int i = 0; i < 6; ++i) {
    m.V.push_back({0.25f * i, -1.5f * i, 3.0f + i});
    m.N.push_back({0, 0, 1});
  }
  m.F = {{0, 1, 2}, {2, 3, 4}, {4, 5, 0}, {1, 3, 5}};
  const Mesh plain{m.V, m.F, {}};
  // A big-endian Stanford-style scan: double vertices with an intensity, then range_grid lists.
  std::string range_grid =
      "ply\nformat binary_big_endian 1.0\nelement vertex 2\nproperty double x\n"
      "property double y\nproperty double z\nproperty uchar intensity\n"
      "element range_grid 3\nproperty list uchar int vertex_indices\nend_header\n";
  for (const double v : {0.5, -1.0, 2.0, 3.0, 0.25, -0.125}) range_grid += be(v);
  range_grid.insert(range_grid.size() - 24, 1, '\x7f');  // intensity of vertex 0
  range_grid += '\x10';                                  // intensity of vertex 1
  range_grid += std::string("\x01") + be<int32_t>(0) + '\x00' + '\x01' + be<int32_t>(1);
  return {
      {"b.ply", encode_ply(m, PlyFormat::BinaryLittleEndian)},
      {"be.ply", encode_ply(plain, PlyFormat::BinaryBigEndian)},
      {"a.ply", encode_ply(m, PlyFormat::Ascii)},
      {"grid.ply", range_grid},
      {"m.obj", encode_obj(m)},
      {"m.off", encode_off(m)},
      {"p.xyz", encode_xyz({m.V, m.N})},
  };
}

/// Parses in memory with the reader the name's extension picks; on success the result must
/// pass validation (a reader never hands back a mesh with bad indices or NaNs).
void parse_checked(const std::string& name, const std::string& contents) {
  const std::string ext = detail::lower_extension(name);
  if (ext == ".xyz") {
    validate_point_cloud(parse_xyz(contents, name), name);
    return;
  }
  Mesh mesh;
  if (ext == ".ply") {
    mesh = parse_ply(contents, name);
    parse_ply_point_cloud(contents, name);
  } else if (ext == ".obj") {
    mesh = parse_obj(contents, name);
  } else {
    mesh = parse_off(contents, name);
  }
  validate_mesh(mesh, name);
}

TEST(BrokenMeshFiles, EveryTruncationOfAValidFileFailsCleanly) {
  for (const Sample& s : valid_samples()) {
    SCOPED_TRACE(s.name);
    ASSERT_NO_THROW(parse_checked(s.name, s.contents));
    if (s.name == "grid.ply") {
      EXPECT_EQ(parse_ply(s.contents, s.name).V,
                (std::vector<Vec3f>{{0.5f, -1.0f, 2.0f}, {3.0f, 0.25f, -0.125f}}));
    }
    const bool binary = s.contents.find("format binary") != std::string::npos;
    for (size_t n = 0; n < s.contents.size(); ++n) {
      try {
        parse_checked(s.name, s.contents.substr(0, n));
        // Cutting text files inside the last number (or its newline) can leave a valid file;
        // cutting a binary body never does.
        EXPECT_FALSE(binary && n + 1 < s.contents.size()) << "cut at " << n;
      } catch (const core::DataError& e) {
        EXPECT_EQ(std::string(e.what()).rfind(s.name + ": ", 0), 0u) << e.what();
      } catch (const std::exception& e) {
        ADD_FAILURE() << "cut at " << n << ": wrong exception type: " << e.what();
      }
    }
  }
}

TEST(BrokenMeshFiles, RandomCorruptionNeverCrashes) {
  std::mt19937 rng(12345);
  // Bytes that matter to parsers: digits, separators, signs, and extremes.
  const std::string interesting = "0123456789 \n\r\t-+./#eEnaif\xff\x80\x7f";
  for (const Sample& s : valid_samples()) {
    SCOPED_TRACE(s.name);
    for (int trial = 0; trial < 1500; ++trial) {
      std::string bytes = s.contents;
      const int edits = 1 + static_cast<int>(rng() % 4);
      for (int e = 0; e < edits; ++e) {
        const size_t at = rng() % bytes.size();
        switch (rng() % 4) {
          case 0:
            bytes[at] = static_cast<char>(rng());
            break;
          case 1:
            bytes[at] = interesting[rng() % interesting.size()];
            break;
          case 2:
            bytes.erase(at, 1 + rng() % 8);
            break;
          default:
            bytes.insert(at, 1, interesting[rng() % interesting.size()]);
            break;
        }
        if (bytes.empty()) bytes = "x";
      }
      try {
        parse_checked(s.name, bytes);
      } catch (const core::DataError& e) {
        EXPECT_EQ(std::string(e.what()).rfind(s.name + ": ", 0), 0u) << e.what();
      } catch (const std::exception& e) {
        ADD_FAILURE() << "trial " << trial << ": wrong exception type: " << e.what();
      }
    }
  }
}

}  // namespace
}  // namespace nsdf::geometry
