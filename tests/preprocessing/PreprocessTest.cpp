#include "preprocessing/Preprocess.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/Error.h"
#include "geometry/MeshIo.h"
#include "geometry/TestMeshes.h"
#include "support/ErrorMessage.h"
#include "support/TestFiles.h"

namespace nsdf::preprocessing {
namespace {

namespace fs = std::filesystem;
namespace tm = geometry::test_meshes;

struct Fixture {
  test::TempDir dir;
  SourceRegistry sources{"source"};
  std::string config;
  std::string output;

  Fixture() {
    register_builtin_sources(sources);
    fs::create_directories(dir.path() / "m");
    geometry::write_mesh(tm::box_mesh({1, 0.5f, 0.25f}, 2), (dir.path() / "m/box.obj").string());
    geometry::write_mesh(tm::icosphere(2, 2), (dir.path() / "m/ball.ply").string());
    geometry::write_mesh(tm::torus_mesh(1, 0.3, 24, 12), (dir.path() / "m/ring.off").string());
    output = (dir.path() / "out.h5").string();
    config = dir.write("pre.yaml",
                       "preprocess:\n"
                       "  output: out.h5\n"
                       "  source: {type: folder, root: m}\n"
                       "  samples: 3000\n"
                       "  surface_points: 100\n"
                       "  views: {count: 1, width: 8, height: 8}\n");
  }
  PreparedPreprocess prepare(const std::vector<std::string>& overrides = {}) const {
    return prepare_preprocess(sources, config, overrides);
  }
};

TEST(Preprocess, WritesEveryShapeInOrderWithItsParameters) {
  Fixture f;
  const PreparedPreprocess run = f.prepare();
  EXPECT_EQ(run.output, f.output);  // relative to the config file
  EXPECT_EQ(run.sampling.samples, 3000);
  EXPECT_EQ(run.parameters.find("output"), std::string::npos);
  const PreprocessSummary s = run_preprocess(run);
  EXPECT_EQ(s.shapes, 3);
  EXPECT_EQ(s.processed, 3);
  EXPECT_TRUE(s.failures.empty());
  const SampleFile file(f.output);
  EXPECT_EQ(file.shape_ids(), (std::vector<std::string>{"ball", "box", "ring"}));
  EXPECT_EQ(file.info().parameters, run.parameters);
  const ShapeRecord box = file.read("box");
  EXPECT_EQ((box.pos.size() + box.neg.size()) / 4, 3000u);
  EXPECT_EQ(box.surface_points.size(), 100u);
  EXPECT_EQ(box.views.size(), 1u);
  EXPECT_EQ(box.source_path, (f.dir.path() / "m/box.obj").string());
  EXPECT_FALSE(fs::exists(f.output + ".parts"));

  // Nothing to do the second time; the file is not rewritten.
  const auto written = fs::last_write_time(f.output);
  const PreprocessSummary again = run_preprocess(f.prepare());
  EXPECT_TRUE(again.up_to_date);
  EXPECT_EQ(fs::last_write_time(f.output), written);
}

TEST(Preprocess, TestPresetSetsDeepSdfsTestSampling) {
  Fixture f;
  const PreparedPreprocess test = f.prepare({"preprocess.preset=test", "preprocess.samples=3000"});
  EXPECT_EQ(test.sampling.variances, (std::vector<double>{0.05, 0.0005}));
  EXPECT_EQ(test.sampling.samples, 3000);  // set explicitly: kept
  f.dir.write("p2.yaml",
              "preprocess: {output: o.h5, source: {type: folder, root: m}, preset: test}\n");
  const PreparedPreprocess p2 =
      prepare_preprocess(f.sources, (f.dir.path() / "p2.yaml").string(), {});
  EXPECT_EQ(p2.sampling.samples, 250000);
}

TEST(Preprocess, StalePartsOfOtherParametersAreRedone) {
  Fixture f;
  const PreparedPreprocess run = f.prepare();
  // A part of a killed run with other parameters, and a good one of this run's.
  fs::create_directories(f.output + ".parts");
  ShapeRecord fake;
  fake.id = "box";
  fake.pos = {0, 0, 0, 1};
  write_sample_file(f.output + ".parts/box.h5", {"deepsdf", "samples: 1\n", ""}, {fake});
  const PreprocessSummary s = run_preprocess(run);
  EXPECT_EQ(s.resumed, 0);
  EXPECT_EQ(s.processed, 3);
  EXPECT_EQ(
      SampleFile(f.output).read("box").pos.size() + SampleFile(f.output).read("box").neg.size(),
      4u * 3000);
}

TEST(Preprocess, ResumedPartsGiveTheSameFile) {
  Fixture f;
  const PreparedPreprocess run = f.prepare();
  run_preprocess(run);
  const std::string full = test::read_text(f.output);
  // As if killed after "ball": its part exists, the output does not.
  const ShapeRecord ball = SampleFile(f.output).read("ball");
  fs::remove(f.output);
  fs::create_directories(f.output + ".parts");
  write_sample_file(f.output + ".parts/ball.h5", {"deepsdf", run.parameters, ""}, {ball});
  const PreprocessSummary s = run_preprocess(run);
  EXPECT_EQ(s.resumed, 1);
  EXPECT_EQ(s.processed, 2);
  EXPECT_EQ(test::read_text(f.output), full);
}

TEST(Preprocess, ConfigErrorsAreCollected) {
  Fixture f;
  const std::string msg = test::message_of<core::ConfigError>([&] {
    f.prepare({"preprocess.samples=0", "preprocess.sign_method=rays", "+preprocess.views.fov=3"});
  });
  EXPECT_NE(msg.find("preprocess.samples"), std::string::npos) << msg;
  EXPECT_NE(msg.find("preprocess.sign_method"), std::string::npos) << msg;
  EXPECT_NE(msg.find("preprocess.views.fov: unknown key"), std::string::npos) << msg;
  f.dir.write("none.yaml", "seed: 1\n");
  EXPECT_NE(test::message_of<core::ConfigError>([&] {
              prepare_preprocess(f.sources, (f.dir.path() / "none.yaml").string(), {});
            }).find("preprocess: missing required section"),
            std::string::npos);
}

}  // namespace
}  // namespace nsdf::preprocessing
