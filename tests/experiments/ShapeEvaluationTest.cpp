// EvaluationTable: the files a shape space's evaluation writes (per_shape.csv, metrics.json with
// means, medians and per-class summaries, summary.md).
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "core/RunDir.h"
#include "experiments/ShapeEvaluation.h"
#include "support/TestFiles.h"

namespace nsdf::experiments {
namespace {

TEST(EvaluationTable, MetricsJsonIsValidWithMeansMediansAndClasses) {
  test::TempDir dir;
  const core::RunDir run = core::RunDir::create(dir.path().string(), "eval");
  EvaluationTable table;
  table.add("ShapeNetV2/02691156/a", "ShapeNetV2/02691156", {{"chamfer_l1", 1.0}});
  table.add("ShapeNetV2/02691156/b", "ShapeNetV2/02691156", {{"chamfer_l1", 3.0}});
  table.add("ShapeNetV2/03001627/c", "ShapeNetV2/03001627", {{"chamfer_l1", 8.0}});
  table.write(run, "test", "");

  // JSON is YAML: yaml-cpp rejects what a JSON parser would (e.g. doubled quotes in a key).
  const YAML::Node m = YAML::LoadFile((run.path() / "eval/metrics.json").string());
  EXPECT_EQ(m["shapes"].as<int>(), 3);
  EXPECT_DOUBLE_EQ(m["chamfer_l1"].as<double>(), 4.0);
  EXPECT_DOUBLE_EQ(m["chamfer_l1_median"].as<double>(), 3.0);
  const YAML::Node planes = m["classes"]["ShapeNetV2/02691156"];
  ASSERT_TRUE(planes.IsMap());
  EXPECT_EQ(planes["shapes"].as<int>(), 2);
  EXPECT_DOUBLE_EQ(planes["chamfer_l1"].as<double>(), 2.0);
  EXPECT_DOUBLE_EQ(m["classes"]["ShapeNetV2/03001627"]["chamfer_l1"].as<double>(), 8.0);

  const std::string csv = test::read_text(run.path() / "eval/per_shape.csv");
  EXPECT_NE(csv.find("shape,class,chamfer_l1\n"), std::string::npos) << csv;
  EXPECT_NE(csv.find("ShapeNetV2/03001627/c,ShapeNetV2/03001627,8"), std::string::npos) << csv;
  const std::string md = test::read_text(run.path() / "eval/summary.md");
  EXPECT_NE(md.find("Class ShapeNetV2/03001627"), std::string::npos) << md;
}

}  // namespace
}  // namespace nsdf::experiments
