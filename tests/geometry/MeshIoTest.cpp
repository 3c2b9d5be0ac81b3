// Round trips through every format and variant, and hand-written files in the shapes real
// tools produce them (Stanford scans, double precision, sized type names, quads, CRLF, ...).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <random>
#include <string>

#include "core/Error.h"
#include "geometry/MeshIo.h"
#include "geometry/ObjIo.h"
#include "geometry/OffIo.h"
#include "geometry/PlyIo.h"
#include "geometry/XyzIo.h"
#include "support/Bytes.h"
#include "support/TestFiles.h"

namespace nsdf::geometry {
namespace {

using test::Bytes;

/// A mesh whose floats exercise printing: tiny, huge, negative, many digits. Every vertex is
/// used by a face (OBJ carries normals through face corners).
Mesh random_mesh(size_t n, bool normals, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
  std::uniform_int_distribution<int> exponent(-30, 30);
  Mesh m;
  for (size_t i = 0; i < n; ++i) {
    Vec3f v;
    for (float& c : v) c = std::ldexp(unit(rng), exponent(rng));
    m.V.push_back(v);
    if (normals) m.N.push_back({unit(rng), unit(rng), unit(rng)});
  }
  m.V[0] = {0.1f, 1.0f / 3.0f, std::numeric_limits<float>::denorm_min()};
  m.V[1] = {std::numeric_limits<float>::max(), -std::numeric_limits<float>::max(), 0.0f};
  for (size_t i = 0; i < n; ++i) {
    m.F.push_back({static_cast<int32_t>(i), static_cast<int32_t>((i + 1) % n),
                   static_cast<int32_t>((i + 2) % n)});
  }
  return m;
}

void expect_same(const Mesh& a, const Mesh& b) {
  EXPECT_EQ(a.V, b.V);
  EXPECT_EQ(a.F, b.F);
  EXPECT_EQ(a.N, b.N);
}

// ---------------------------------------------------------------------------------------------
// PLY

TEST(PlyIo, BinaryLittleEndianRoundTrip) {
  test::TempDir dir;
  const std::string path = (dir.path() / "m.ply").string();
  for (const bool normals : {false, true}) {
    const Mesh m = random_mesh(50, normals, 1);
    write_ply(m, path, PlyFormat::BinaryLittleEndian);
    expect_same(read_ply(path), m);
    EXPECT_EQ(read_ply_header(path).format, PlyFormat::BinaryLittleEndian);
  }
}

TEST(PlyIo, BinaryBigEndianRoundTrip) {
  test::TempDir dir;
  const std::string path = (dir.path() / "m.ply").string();
  const Mesh m = random_mesh(50, true, 2);
  write_ply(m, path, PlyFormat::BinaryBigEndian);
  expect_same(read_ply(path), m);
  EXPECT_EQ(read_ply_header(path).format, PlyFormat::BinaryBigEndian);
}

TEST(PlyIo, AsciiRoundTripIsExact) {
  test::TempDir dir;
  const std::string path = (dir.path() / "m.ply").string();
  for (const bool normals : {false, true}) {
    const Mesh m = random_mesh(200, normals, 3);
    write_ply(m, path, PlyFormat::Ascii);
    expect_same(read_ply(path), m);
  }
}

TEST(PlyIo, PointCloudRoundTripHasNoFaceElement) {
  test::TempDir dir;
  const std::string path = (dir.path() / "p.ply").string();
  for (const PlyFormat format :
       {PlyFormat::Ascii, PlyFormat::BinaryLittleEndian, PlyFormat::BinaryBigEndian}) {
    for (const bool normals : {false, true}) {
      const Mesh m = random_mesh(20, normals, 4);
      const PointCloud cloud{m.V, m.N};
      write_ply(cloud, path, format);
      const PointCloud back = read_ply_point_cloud(path);
      EXPECT_EQ(back.P, cloud.P);
      EXPECT_EQ(back.N, cloud.N);
      const PlyHeader header = read_ply_header(path);
      ASSERT_EQ(header.elements.size(), 1u);
      EXPECT_EQ(header.elements[0].name, "vertex");
      EXPECT_TRUE(read_ply(path).F.empty());
    }
  }
}

TEST(PlyIo, EmptyMeshRoundTrip) {
  test::TempDir dir;
  const std::string path = (dir.path() / "e.ply").string();
  write_ply(Mesh{}, path);
  expect_same(read_ply(path), Mesh{});
  write_ply(Mesh{}, path, PlyFormat::Ascii);
  expect_same(read_ply(path), Mesh{});
}

TEST(PlyIo, StanfordAsciiScanWithConfidenceIntensityAndRangeGrid) {
  // The layout of the Stanford range scans (bun000.ply) plus zipper-style properties.
  const std::string text =
      "ply\n"
      "format ascii 1.0\n"
      "comment zipper output\n"
      "obj_info is_cyberware_data 1\n"
      "obj_info num_cols 3\n"
      "obj_info num_rows 2\n"
      "element vertex 3\n"
      "property float x\n"
      "property float y\n"
      "property float z\n"
      "property float confidence\n"
      "property float intensity\n"
      "element range_grid 6\n"
      "property list uchar int vertex_indices\n"
      "end_header\n"
      "-0.0378297 0.12794 0.00447467 0.850855 0.5 \n"
      "-0.0447794 0.128887 0.00190497 0.900159 0.5 \n"
      "1e-2 -2.5E+1 +3 0 0\n"
      "1 0\n"
      "0\n"
      "1 1\n"
      "0\n"
      "0\n"
      "1 2\n";
  const Mesh m = parse_ply(text, "scan.ply");
  ASSERT_EQ(m.V.size(), 3u);
  EXPECT_EQ(m.V[0], (Vec3f{-0.0378297f, 0.12794f, 0.00447467f}));
  EXPECT_EQ(m.V[2], (Vec3f{0.01f, -25.0f, 3.0f}));
  EXPECT_TRUE(m.F.empty());
  EXPECT_TRUE(m.N.empty());
}

TEST(PlyIo, StanfordBinaryScanWithRangeGridAndFaces) {
  // vertex (float xyz, float confidence, uchar rgb), range_grid lists of 0..2 items, then faces.
  for (const bool big : {false, true}) {
    Bytes b(big);
    b.text(std::string("ply\nformat ") + (big ? "binary_big_endian" : "binary_little_endian") +
           " 1.0\n"
           "obj_info num_cols 2\n"
           "element vertex 4\n"
           "property float x\nproperty float y\nproperty float z\n"
           "property float confidence\n"
           "property uchar red\nproperty uchar green\nproperty uchar blue\n"
           "element range_grid 4\n"
           "property list uchar int vertex_indices\n"
           "element face 2\n"
           "property list uchar int vertex_indices\n"
           "end_header\n");
    for (int i = 0; i < 4; ++i) {
      b.put<float>(i).put<float>(2.0f * i).put<float>(-0.5f * i).put<float>(0.9f);
      b.put<uint8_t>(255).put<uint8_t>(128).put<uint8_t>(0);
    }
    b.put<uint8_t>(1).put<int32_t>(0).put<uint8_t>(0).put<uint8_t>(2).put<int32_t>(1).put<int32_t>(
        2);
    b.put<uint8_t>(0);
    b.put<uint8_t>(3).put<int32_t>(0).put<int32_t>(1).put<int32_t>(2);
    b.put<uint8_t>(3).put<int32_t>(0).put<int32_t>(2).put<int32_t>(3);
    const Mesh m = parse_ply(b.str(), "scan.ply");
    ASSERT_EQ(m.V.size(), 4u);
    EXPECT_EQ(m.V[3], (Vec3f{3.0f, 6.0f, -1.5f}));
    EXPECT_EQ(m.F, (std::vector<Tri>{{0, 1, 2}, {0, 2, 3}}));
    EXPECT_TRUE(m.N.empty());
  }
}

TEST(PlyIo, DoublePrecisionVerticesAndNormals) {
  Bytes b(true);
  b.text(
      "ply\nformat binary_big_endian 1.0\nelement vertex 2\n"
      "property double x\nproperty double y\nproperty double z\n"
      "property double nx\nproperty double ny\nproperty double nz\nend_header\n");
  b.put<double>(0.1).put<double>(-1e-3).put<double>(123456.789);
  b.put<double>(0).put<double>(0).put<double>(1);
  b.put<double>(1.0 / 3).put<double>(2).put<double>(3);
  b.put<double>(1).put<double>(0).put<double>(0);
  const Mesh m = parse_ply(b.str(), "d.ply");
  ASSERT_EQ(m.V.size(), 2u);
  EXPECT_EQ(m.V[0], (Vec3f{0.1f, -1e-3f, 123456.789f}));
  EXPECT_EQ(m.V[1], (Vec3f{static_cast<float>(1.0 / 3), 2.0f, 3.0f}));
  EXPECT_EQ(m.N, (std::vector<Vec3f>{{0, 0, 1}, {1, 0, 0}}));

  const std::string ascii =
      "ply\nformat ascii 1.0\nelement vertex 1\nproperty float64 x\nproperty float64 y\n"
      "property float64 z\nend_header\n0.1 1e-300 -7.25\n";
  EXPECT_EQ(parse_ply(ascii, "d.ply").V[0], (Vec3f{0.1f, 0.0f, -7.25f}));
}

TEST(PlyIo, VertexIndexNameWithUint8CountsAndUint16Indices) {
  Bytes b(false);
  b.text(
      "ply\nformat binary_little_endian 1.0\nelement vertex 4\n"
      "property float32 x\nproperty float32 y\nproperty float32 z\n"
      "element face 2\nproperty uint8 flags\nproperty list uint8 uint16 vertex_index\n"
      "property list uchar float texcoord\nend_header\n");
  for (int i = 0; i < 4; ++i) b.put<float>(i).put<float>(0).put<float>(0);
  b.put<uint8_t>(7).put<uint8_t>(3).put<uint16_t>(3).put<uint16_t>(2).put<uint16_t>(1);
  b.put<uint8_t>(2).put<float>(0.5f).put<float>(0.5f);
  b.put<uint8_t>(7).put<uint8_t>(3).put<uint16_t>(0).put<uint16_t>(1).put<uint16_t>(3);
  b.put<uint8_t>(0);
  const Mesh m = parse_ply(b.str(), "u16.ply");
  EXPECT_EQ(m.F, (std::vector<Tri>{{3, 2, 1}, {0, 1, 3}}));
}

TEST(PlyIo, QuadAndPentagonAreTriangulatedAsFans) {
  const std::string text =
      "ply\nformat ascii 1.0\nelement vertex 5\nproperty float x\nproperty float y\n"
      "property float z\nelement face 2\nproperty list uchar int vertex_indices\nend_header\n"
      "0 0 0\n1 0 0\n1 1 0\n0 1 0\n0.5 2 0\n"
      "4 0 1 2 3\n"
      "5 0 1 2 4 3\n";
  const Mesh m = parse_ply(text, "quad.ply");
  EXPECT_EQ(m.F, (std::vector<Tri>{{0, 1, 2}, {0, 2, 3}, {0, 1, 2}, {0, 2, 4}, {0, 4, 3}}));
}

TEST(PlyIo, EveryScalarTypeReadsAsCoordinateInAllFormats) {
  const char* types[] = {"char",  "uchar",  "short", "ushort", "int",    "uint",
                         "float", "double", "int8",  "uint16", "uint32", "float32"};
  for (const char* type : types) {
    const std::string header_body = std::string("element vertex 1\nproperty ") + type +
                                    " x\nproperty " + type + " y\nproperty " + type +
                                    " z\nend_header\n";
    const Mesh a = parse_ply("ply\nformat ascii 1.0\n" + header_body + "1 2 3\n", "t.ply");
    EXPECT_EQ(a.V[0], (Vec3f{1, 2, 3})) << type;
    for (const bool big : {false, true}) {
      Bytes b(big);
      b.text(std::string("ply\nformat ") + (big ? "binary_big_endian" : "binary_little_endian") +
             " 1.0\n" + header_body);
      const PlyType t = parse_ply_header(b.str(), "t.ply").elements[0].properties[0].type;
      for (int v = 1; v <= 3; ++v) {
        switch (t) {
          case PlyType::Int8:
            b.put<int8_t>(v);
            break;
          case PlyType::UInt8:
            b.put<uint8_t>(v);
            break;
          case PlyType::Int16:
            b.put<int16_t>(v);
            break;
          case PlyType::UInt16:
            b.put<uint16_t>(v);
            break;
          case PlyType::Int32:
            b.put<int32_t>(v);
            break;
          case PlyType::UInt32:
            b.put<uint32_t>(v);
            break;
          case PlyType::Float32:
            b.put<float>(v);
            break;
          case PlyType::Float64:
            b.put<double>(v);
            break;
        }
      }
      EXPECT_EQ(parse_ply(b.str(), "t.ply").V[0], (Vec3f{1, 2, 3})) << type << " big " << big;
    }
  }
}

TEST(PlyIo, NegativeSignedValuesInBinary) {
  Bytes b(true);
  b.text(
      "ply\nformat binary_big_endian 1.0\nelement vertex 1\nproperty char x\nproperty short y\n"
      "property int z\nend_header\n");
  b.put<int8_t>(-5).put<int16_t>(-300).put<int32_t>(-70000);
  EXPECT_EQ(parse_ply(b.str(), "n.ply").V[0], (Vec3f{-5, -300, -70000}));
}

TEST(PlyIo, CommentsObjInfoBlankLinesAndCrlf) {
  const std::string text =
      "ply\r\nformat ascii 1.0\r\ncomment made by hand\r\nobj_info anything at all\r\n"
      "element vertex 3\r\nproperty float x\r\nproperty float y\r\nproperty float z\r\n"
      "comment between properties\r\n"
      "element face 1\r\nproperty list uchar int vertex_indices\r\nend_header\r\n"
      "0 0 0\r\n1 0 0\r\n\r\n0 1 0\r\n3 0 1 2\r\n";
  const Mesh m = parse_ply(text, "crlf.ply");
  EXPECT_EQ(m.V.size(), 3u);
  EXPECT_EQ(m.F, (std::vector<Tri>{{0, 1, 2}}));

  // A binary body right after a CRLF end_header line.
  Bytes b(false);
  b.text(
      "ply\r\nformat binary_little_endian 1.0\r\nelement vertex 1\r\nproperty float x\r\n"
      "property float y\r\nproperty float z\r\nend_header\r\n");
  b.put<float>(10.0f).put<float>(13.0f).put<float>(32.0f);  // '\n' '\r' ' ' as first bytes
  EXPECT_EQ(parse_ply(b.str(), "crlf.ply").V[0], (Vec3f{10, 13, 32}));
}

TEST(PlyIo, FaceElementBeforeVertexElement) {
  const std::string text =
      "ply\nformat ascii 1.0\nelement face 1\nproperty list uchar int vertex_indices\n"
      "element vertex 3\nproperty float x\nproperty float y\nproperty float z\nend_header\n"
      "3 2 1 0\n0 0 0\n1 0 0\n0 1 0\n";
  const Mesh m = parse_ply(text, "order.ply");
  EXPECT_EQ(m.F, (std::vector<Tri>{{2, 1, 0}}));
  EXPECT_EQ(m.V[1], (Vec3f{1, 0, 0}));
}

TEST(PlyIo, PartialNormalsAreIgnoredAndOtherElementsSkipped) {
  const std::string text =
      "ply\nformat ascii 1.0\nelement vertex 2\nproperty float x\nproperty float y\n"
      "property float z\nproperty float nx\nproperty list uchar float extra\n"
      "element edge 1\nproperty int vertex1\nproperty int vertex2\n"
      "element material 1\nproperty uchar ambient_red\nend_header\n"
      "0 0 0 1 2 0.5 0.5\n1 1 1 0 0\n0 1\n255\n";
  const Mesh m = parse_ply(text, "skip.ply");
  EXPECT_EQ(m.V.size(), 2u);
  EXPECT_TRUE(m.N.empty());
}

TEST(PlyIo, PointCloudReadWalksOverFaces) {
  const std::string text =
      "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\n"
      "property float z\nproperty float nx\nproperty float ny\nproperty float nz\n"
      "element face 1\nproperty list uchar int vertex_indices\nend_header\n"
      "0 0 0 0 0 1\n1 0 0 0 0 1\n0 1 0 0 0 1\n3 0 1 2\n";
  const PointCloud cloud = parse_ply_point_cloud(text, "pc.ply");
  EXPECT_EQ(cloud.P.size(), 3u);
  EXPECT_EQ(cloud.N, (std::vector<Vec3f>(3, Vec3f{0, 0, 1})));
}

TEST(PlyIo, HeaderDescribesFormatElementsAndProperties) {
  test::TempDir dir;
  const std::string path =
      dir.write("h.ply",
                "ply\nformat binary_big_endian 1.0\ncomment hello there\nobj_info num_cols 512\n"
                "element vertex 40256\nproperty float x\nproperty float y\nproperty float z\n"
                "element range_grid 204800\nproperty list uchar int vertex_indices\nend_header\n"
                "body bytes the header reader never looks at");
  const PlyHeader h = read_ply_header(path);
  EXPECT_EQ(h.format, PlyFormat::BinaryBigEndian);
  EXPECT_EQ(h.version, "1.0");
  EXPECT_EQ(h.comments, (std::vector<std::string>{"hello there"}));
  EXPECT_EQ(h.obj_info, (std::vector<std::string>{"num_cols 512"}));
  ASSERT_EQ(h.elements.size(), 2u);
  EXPECT_EQ(h.elements[0].name, "vertex");
  EXPECT_EQ(h.elements[0].count, 40256u);
  ASSERT_EQ(h.elements[0].properties.size(), 3u);
  EXPECT_EQ(h.elements[0].properties[2].name, "z");
  EXPECT_EQ(ply_type_name(h.elements[0].properties[2].type), "float");
  const PlyProperty& list = h.elements[1].properties[0];
  EXPECT_TRUE(list.is_list);
  EXPECT_EQ(ply_type_name(list.count_type), "uchar");
  EXPECT_EQ(ply_type_name(list.type), "int");
  EXPECT_EQ(ply_format_name(h.format), "binary_big_endian");
  EXPECT_EQ(ply_type_size(PlyType::Float64), 8u);
}

// ---------------------------------------------------------------------------------------------
// OBJ

TEST(ObjIo, RoundTripWithAndWithoutNormals) {
  test::TempDir dir;
  const std::string path = (dir.path() / "m.obj").string();
  for (const bool normals : {false, true}) {
    const Mesh m = random_mesh(100, normals, 5);
    write_obj(m, path);
    expect_same(read_obj(path), m);
  }
}

TEST(ObjIo, AllFaceFormsNegativeIndicesCrlfCommentsAndGroups) {
  const std::string text =
      "# a comment\r\n"
      "mtllib scene.mtl\r\n"
      "o thing\r\n"
      "g group1 group2\r\n"
      "v 0 0 0\r\n"
      "v 1 0 0 1.0\r\n"             // w
      "v 1 1 0 0.5 0.25 0.125\r\n"  // colour
      "v 0 1 0\r\n"
      "vt 0 0\r\nvt 1 0\r\nvt 1 1\r\n"
      "vn 0 0 1\r\n"
      "usemtl red\r\n"
      "s off\r\n"
      "f 1 2 3\r\n"
      "f 1/1 3/3 4/2\r\n"
      "f 1//1 2//1 3//1   # trailing comment\r\n"
      "f 1/1/1 3/2/1 4/3/1\r\n"
      "f -4 -3 -2\r\n"
      "f -4/-3/-1 -2/-1/-1 -1//-1\r\n"
      "l 1 2\r\n"
      "\r\n";
  const Mesh m = parse_obj(text, "forms.obj");
  ASSERT_EQ(m.V.size(), 4u);
  EXPECT_EQ(m.V[2], (Vec3f{1, 1, 0}));
  EXPECT_EQ(m.F,
            (std::vector<Tri>{{0, 1, 2}, {0, 2, 3}, {0, 1, 2}, {0, 2, 3}, {0, 1, 2}, {0, 2, 3}}));
  EXPECT_EQ(m.N, (std::vector<Vec3f>(4, Vec3f{0, 0, 1})));
}

TEST(ObjIo, QuadsAndPolygonsAreTriangulatedAsFans) {
  const Mesh m = parse_obj(
      "v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nv 0.5 2 0\nf 1 2 3 4\nf 1 2 3 5 4\n", "poly.obj");
  EXPECT_EQ(m.F, (std::vector<Tri>{{0, 1, 2}, {0, 2, 3}, {0, 1, 2}, {0, 2, 4}, {0, 4, 3}}));
}

TEST(ObjIo, VertexNormalsComeFromFaceCorners) {
  // Vertex 0 sits on a crease: its corners name two different normals and it gets their mean.
  // Vertex 5 is in no face and gets a zero normal. Without vn references N stays empty.
  const std::string text =
      "v 0 0 0\nv 1 0 0\nv 0 1 0\nv 0 0 1\nv 0 0 2\nv 5 5 5\n"
      "vn 0 0 1\nvn 1 0 0\n"
      "f 1//1 2//1 3//1\n"
      "f 1//2 4//2 5//2\n";
  const Mesh m = parse_obj(text, "crease.obj");
  ASSERT_EQ(m.N.size(), 6u);
  const auto h = static_cast<float>(1 / std::sqrt(2.0));
  EXPECT_NEAR(m.N[0][0], h, 1e-6);
  EXPECT_NEAR(m.N[0][1], 0, 1e-6);
  EXPECT_NEAR(m.N[0][2], h, 1e-6);
  EXPECT_EQ(m.N[1], (Vec3f{0, 0, 1}));
  EXPECT_EQ(m.N[2], (Vec3f{0, 0, 1}));
  EXPECT_EQ(m.N[3], (Vec3f{1, 0, 0}));
  EXPECT_EQ(m.N[4], (Vec3f{1, 0, 0}));
  EXPECT_EQ(m.N[5], (Vec3f{0, 0, 0}));
  EXPECT_TRUE(parse_obj("v 0 0 0\nv 1 0 0\nv 0 1 0\nvn 0 0 1\nf 1 2 3\n", "n.obj").N.empty());
}

TEST(ObjIo, FacesMayReferenceVerticesDefinedLater) {
  const Mesh m = parse_obj("f 1//1 2//1 3//1\nv 0 0 0\nv 1 0 0\nv 0 1 0\nvn 0 0 1\n", "late.obj");
  EXPECT_EQ(m.F, (std::vector<Tri>{{0, 1, 2}}));
  EXPECT_EQ(m.N, (std::vector<Vec3f>(3, Vec3f{0, 0, 1})));
}

TEST(ObjIo, PointCloudTakesVnLinesInOrderWhenNoFaceNamesThem) {
  const PointCloud cloud =
      parse_obj_point_cloud("v 0 0 0\nvn 0 0 1\nv 1 0 0\nvn 0 1 0\n", "points.obj");
  EXPECT_EQ(cloud.P.size(), 2u);
  EXPECT_EQ(cloud.N, (std::vector<Vec3f>{{0, 0, 1}, {0, 1, 0}}));
  EXPECT_TRUE(parse_obj("v 0 0 0\nvn 0 0 1\n", "points.obj").N.empty());
}

// ---------------------------------------------------------------------------------------------
// OFF

TEST(OffIo, RoundTripOffAndNoff) {
  test::TempDir dir;
  const std::string path = (dir.path() / "m.off").string();
  for (const bool normals : {false, true}) {
    const Mesh m = random_mesh(60, normals, 6);
    write_off(m, path);
    expect_same(read_off(path), m);
    EXPECT_EQ(test::read_text(path).substr(0, 4), normals ? "NOFF" : "OFF\n");
  }
}

TEST(OffIo, CoffColoursAreIgnoredAndPolygonsTriangulated) {
  const std::string text =
      "COFF\n# a comment\n4 2 0\n"
      "0 0 0 255 0 0 255\n1 0 0 0 255 0 255\n1 1 0 0 0 255 255\n0 1 0 9 9 9 9\n"
      "4 0 1 2 3 255 0 0\n"
      "3 0 2 3\n";
  const Mesh m = parse_off(text, "c.off");
  EXPECT_EQ(m.V.size(), 4u);
  EXPECT_EQ(m.V[3], (Vec3f{0, 1, 0}));
  EXPECT_TRUE(m.N.empty());
  EXPECT_EQ(m.F, (std::vector<Tri>{{0, 1, 2}, {0, 2, 3}, {0, 2, 3}}));
}

TEST(OffIo, NoffAndCnoffCarryNormals) {
  const Mesh n =
      parse_off("NOFF\n3 1 0\n0 0 0 0 0 1\n1 0 0 0 0 1\n0 1 0 0 1 0\n3 0 1 2\n", "n.off");
  EXPECT_EQ(n.N, (std::vector<Vec3f>{{0, 0, 1}, {0, 0, 1}, {0, 1, 0}}));
  const Mesh cn = parse_off(
      "CNOFF\r\n3 1 3\r\n0 0 0 0 0 1 1 0 0 1\r\n1 0 0 0 0 1 0 1 0 1\r\n0 1 0 1 0 0 0 0 1 1\r\n"
      "3 0 1 2\r\n",
      "cn.off");
  EXPECT_EQ(cn.N, (std::vector<Vec3f>{{0, 0, 1}, {0, 0, 1}, {1, 0, 0}}));
  EXPECT_EQ(cn.F, (std::vector<Tri>{{0, 1, 2}}));
}

TEST(OffIo, CountsOnTheKeywordLine) {
  const std::string body = "0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n";
  EXPECT_EQ(parse_off("OFF 3 1 0\n" + body, "a.off").F.size(), 1u);
  EXPECT_EQ(parse_off("OFF3 1 0\n" + body, "b.off").F.size(), 1u);  // as in ModelNet
  EXPECT_EQ(parse_off("OFF\n3 1\n" + body, "c.off").F.size(), 1u);  // no edge count
}

// ---------------------------------------------------------------------------------------------
// XYZ

TEST(XyzIo, RoundTripWithAndWithoutNormals) {
  test::TempDir dir;
  const std::string path = (dir.path() / "p.xyz").string();
  for (const bool normals : {false, true}) {
    const Mesh m = random_mesh(100, normals, 7);
    const PointCloud cloud{m.V, m.N};
    write_xyz(cloud, path);
    const PointCloud back = read_xyz(path);
    EXPECT_EQ(back.P, cloud.P);
    EXPECT_EQ(back.N, cloud.N);
  }
  write_xyz(PointCloud{}, path);
  EXPECT_TRUE(read_xyz(path).P.empty());
}

TEST(XyzIo, CommentsBlankLinesAndTabs) {
  const PointCloud a = parse_xyz("# x y z\n\n1 2 3\n4\t5\t6  # trailing\r\n\n", "a.xyz");
  EXPECT_EQ(a.P, (std::vector<Vec3f>{{1, 2, 3}, {4, 5, 6}}));
  EXPECT_TRUE(a.N.empty());
  const PointCloud b = parse_xyz("1 2 3 0 0 1\n4 5 6 0 1 0\n", "b.xyz");
  EXPECT_EQ(b.N, (std::vector<Vec3f>{{0, 0, 1}, {0, 1, 0}}));
}

// ---------------------------------------------------------------------------------------------
// Dispatch

TEST(MeshIo, DispatchByExtensionIsCaseInsensitive) {
  test::TempDir dir;
  const Mesh m = random_mesh(30, true, 8);
  for (const char* name : {"a.PLY", "b.Obj", "c.OFF", "d.ply"}) {
    const std::string path = (dir.path() / name).string();
    write_mesh(m, path, std::string(name) != "d.ply");
    expect_same(read_mesh(path), m);
    const PointCloud cloud = read_point_cloud(path);
    EXPECT_EQ(cloud.P, m.V) << name;
    EXPECT_EQ(cloud.N, m.N) << name;
  }
  EXPECT_EQ(read_ply_header((dir.path() / "d.ply").string()).format, PlyFormat::Ascii);
  for (const char* name : {"e.XYZ", "f.ply"}) {
    const std::string path = (dir.path() / name).string();
    write_point_cloud({m.V, m.N}, path);
    EXPECT_EQ(read_point_cloud(path).P, m.V) << name;
    EXPECT_EQ(read_point_cloud(path).N, m.N) << name;
  }
}

TEST(MeshIo, WritesRefuseInvalidDataAndLeaveNoFile) {
  test::TempDir dir;
  const std::string path = (dir.path() / "bad.ply").string();
  Mesh nan_mesh = random_mesh(5, false, 9);
  nan_mesh.V[3][1] = std::nanf("");
  Mesh bad_index = random_mesh(5, false, 9);
  bad_index.F[2][0] = 5;
  Mesh bad_normals = random_mesh(5, true, 9);
  bad_normals.N.pop_back();
  for (const char* ext : {".ply", ".obj", ".off"}) {
    const std::string p = (dir.path() / (std::string("bad") + ext)).string();
    try {
      write_mesh(nan_mesh, p);
      ADD_FAILURE() << "no error for " << ext;
    } catch (const core::DataError& e) {
      EXPECT_EQ(std::string(e.what()), p + ": vertex 3: NaN coordinate");
    }
    try {
      write_mesh(bad_index, p);
      ADD_FAILURE() << "no error for " << ext;
    } catch (const core::DataError& e) {
      EXPECT_EQ(std::string(e.what()),
                p + ": triangle 2: vertex index 5 out of range (5 vertices)");
    }
    EXPECT_THROW(write_mesh(bad_normals, p), core::DataError);
    EXPECT_FALSE(std::filesystem::exists(p));
  }
  EXPECT_THROW(write_point_cloud({{{0, 0, std::numeric_limits<float>::infinity()}}, {}}, path),
               core::DataError);
  EXPECT_THROW(write_point_cloud({{{0, 0, 0}}, {{0, 0, 1}, {0, 0, 1}}}, path), core::DataError);
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(MeshIo, UnsupportedExtensionsListTheSupportedOnes) {
  test::TempDir dir;
  try {
    write_mesh(random_mesh(3, false, 1), (dir.path() / "m.stl").string());
    ADD_FAILURE();
  } catch (const core::DataError& e) {
    EXPECT_NE(std::string(e.what()).find("unsupported mesh format '.stl' (supported: .ply, .obj, "
                                         ".off)"),
              std::string::npos)
        << e.what();
  }
  try {
    write_point_cloud({}, (dir.path() / "p.obj").string());
    ADD_FAILURE();
  } catch (const core::DataError& e) {
    EXPECT_NE(std::string(e.what()).find("(supported: .ply, .xyz)"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace nsdf::geometry
