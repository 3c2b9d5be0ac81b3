#include "preprocessing/SyntheticSource.h"

#include <gtest/gtest.h>

#include "core/ConfigLoader.h"
#include "core/Error.h"
#include "geometry/MeshTopology.h"

namespace nsdf::preprocessing {
namespace {

TEST(SyntheticSource, ListsCountShapesPerKindAndMeshesThemClosed) {
  SyntheticSourceOptions o;
  o.kinds = {"sphere", "torus"};
  o.count = 2;
  o.resolution = 32;
  const SyntheticSource source(o);
  const auto shapes = source.shapes();
  ASSERT_EQ(shapes.size(), 4u);
  EXPECT_EQ(shapes[0].id, "synthetic/sphere/0");
  EXPECT_EQ(shapes[3].id, "synthetic/torus/1");
  for (const auto& s : shapes) {
    const geometry::Mesh m = source.load(s);
    EXPECT_GT(m.F.size(), 100u) << s.id;
    for (const auto& v : m.V)
      for (float c : v) EXPECT_LE(std::abs(c), 1.0f);
    const auto topology = geometry::analyze_topology(m);
    EXPECT_EQ(topology.boundary_edges, 0) << s.id;
  }
}

TEST(SyntheticSource, AShapeDependsOnlyOnSeedKindAndIndex) {
  SyntheticSourceOptions one, three;
  one.kinds = {"box"};
  one.count = 1;
  one.resolution = 24;
  three = one;
  three.count = 3;
  three.kinds = {"sphere", "box"};
  const auto a = SyntheticSource(one).load(SyntheticSource(one).shapes()[0]);
  const auto b = SyntheticSource(three).load(SyntheticSource(three).shapes()[3]);  // box 0
  EXPECT_EQ(a.V, b.V);
  SyntheticSourceOptions other = one;
  other.seed = 1;
  EXPECT_NE(SyntheticSource(other).load(SyntheticSource(other).shapes()[0]).V, a.V);
}

TEST(SyntheticSource, RejectsUnknownKinds) {
  SourceRegistry r("source");
  register_builtin_sources(r);
  EXPECT_THROW(r.create(core::parse_yaml("{type: synthetic, kinds: [cube]}", "x.yaml")),
               core::ConfigError);
  EXPECT_TRUE(r.create(core::parse_yaml("{type: synthetic, count: 1}", "x.yaml")) != nullptr);
}

}  // namespace
}  // namespace nsdf::preprocessing
