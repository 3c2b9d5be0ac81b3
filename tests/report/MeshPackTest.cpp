#include "report/MeshPack.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/Error.h"
#include "geometry/TestMeshes.h"

namespace nsdf::report {
namespace {

TEST(MeshPack, RoundTripsWithinTheQuantizationStep) {
  const geometry::Mesh m = geometry::test_meshes::torus_mesh(1.0, 0.3, 48, 24);
  const std::string bytes = pack_mesh(m);
  // 36 header bytes, 6 per vertex (padded to 4), 2 per corner (fewer than 65537 vertices).
  EXPECT_EQ(bytes.size(), (36 + 6 * m.V.size() + 3) / 4 * 4 + 6 * m.F.size());
  const geometry::Mesh back = unpack_mesh(bytes, "torus");
  ASSERT_EQ(back.V.size(), m.V.size());
  EXPECT_EQ(back.F, m.F);
  // Box 2.6 x 2.6 x 0.6: error at most 2.6 / 131070 per axis.
  for (std::size_t i = 0; i < m.V.size(); ++i)
    for (int a = 0; a < 3; ++a) EXPECT_NEAR(back.V[i][a], m.V[i][a], 2.6 / 131070 + 1e-6);
}

TEST(MeshPack, WideIndicesAboveSixtyFiveThousandVertices) {
  geometry::Mesh m;
  for (int i = 0; i < 70000; ++i) m.V.push_back({static_cast<float>(i), 0, 1});
  m.F = {{0, 69999, 35000}};
  const std::string bytes = pack_mesh(m);
  EXPECT_EQ(bytes.size(), (36 + 6 * 70000 + 3) / 4 * 4 + 12);
  const geometry::Mesh back = unpack_mesh(bytes, "wide");
  EXPECT_EQ(back.F, m.F);
  EXPECT_FLOAT_EQ(back.V[69999][0], 69999);
  EXPECT_FLOAT_EQ(back.V[5][2], 1);  // a flat axis decodes to its value
}

TEST(MeshPack, RejectsWhatItCannotEncodeOrDecode) {
  geometry::Mesh bad;
  bad.V = {{0, 0, 0}, {NAN, 0, 0}};
  EXPECT_THROW(pack_mesh(bad), core::DataError);
  geometry::Mesh out_of_range;
  out_of_range.V = {{0, 0, 0}};
  out_of_range.F = {{0, 0, 3}};
  EXPECT_THROW(pack_mesh(out_of_range), core::DataError);
  EXPECT_THROW(unpack_mesh("NSM1", "short"), core::DataError);
  std::string truncated = pack_mesh(geometry::test_meshes::cube({0, 0, 0}));
  truncated.pop_back();
  EXPECT_THROW(unpack_mesh(truncated, "truncated"), core::DataError);
}

TEST(MeshPack, Base64MatchesTheStandard) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  EXPECT_EQ(base64_decode(base64_encode(all)), all);
  EXPECT_THROW(base64_decode("Zm9"), core::DataError);
  EXPECT_THROW(base64_decode("Zm9*"), core::DataError);
}

TEST(MeshPack, ScriptCallsTheViewerWithAnEscapedName) {
  const std::string js = mesh_script("run/a\"b", geometry::test_meshes::cube({0, 0, 0}));
  EXPECT_EQ(js.rfind("nsdfMesh(\"run/a\\\"b\", \"TlNNMQ", 0), 0u);  // "NSM1" in base64
  EXPECT_EQ(js.substr(js.size() - 4), "\");\n");
}

}  // namespace
}  // namespace nsdf::report
