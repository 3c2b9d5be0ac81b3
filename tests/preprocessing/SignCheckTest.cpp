#include "preprocessing/SignCheck.h"

#include <gtest/gtest.h>

#include "preprocessing/ShapeSampling.h"
#include "geometry/TestMeshes.h"

namespace nsdf::preprocessing {
namespace {

namespace tm = geometry::test_meshes;

TEST(SignCheck, CountsExactlyTheWrongSigns) {
  geometry::Mesh box = tm::box_mesh({0.5f, 0.4f, 0.3f}, 4);
  for (auto& v : box.V) v[1] += 3.0f;  // off-centre, so normalization matters
  SamplingOptions o;
  o.samples = 4000;
  o.surface_points = 0;
  o.views.count = 0;
  ShapeRecord r = sample_shape(box, o, 9, "box");
  SignCheckOptions c;
  c.queries = 0;  // all
  SignCheckResult ok = check_signs(r, box, c);
  EXPECT_EQ(ok.samples, 4000);
  EXPECT_EQ(ok.checked, 4000);
  EXPECT_EQ(ok.disagree, 0);
  EXPECT_GT(ok.upper95, 0.0);
  EXPECT_LT(ok.upper95, 0.002);

  // Move 7 rows of pos to neg with flipped signs: exactly those disagree.
  for (int i = 0; i < 7; ++i) {
    std::vector<float> row(r.pos.end() - 4, r.pos.end());
    r.pos.resize(r.pos.size() - 4);
    if (row[3] == 0) continue;
    row[3] = -row[3];
    r.neg.insert(r.neg.end(), row.begin(), row.end());
    ++ok.disagree;
  }
  const SignCheckResult bad = check_signs(r, box, c);
  EXPECT_EQ(bad.disagree, ok.disagree);
  EXPECT_NEAR(bad.fraction(), ok.disagree / 4000.0, 1e-12);

  c.queries = 1000;
  const SignCheckResult subset = check_signs(r, box, c);
  EXPECT_EQ(subset.checked, 1000);
  EXPECT_LE(subset.disagree, bad.disagree);
}

}  // namespace
}  // namespace nsdf::preprocessing
