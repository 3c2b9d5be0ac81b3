#include "experiments/TrainExperiment.h"

#include <gtest/gtest.h>

#include <fstream>

#include "core/Checkpoint.h"
#include "core/Log.h"
#include "experiments/Runner.h"
#include "support/TestFiles.h"
#include "support/TinyConfigs.h"

namespace nsdf::experiments {
namespace {

namespace fs = std::filesystem;

using test::kTinyTrainConfig;

std::vector<double> losses(const fs::path& metrics) {
  std::vector<double> out;
  std::ifstream in(metrics);
  std::string line;
  while (std::getline(in, line)) {
    const auto p = line.find("\"loss\": ");
    out.push_back(std::stod(line.substr(p + 8)));
  }
  return out;
}

class TrainExperimentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    register_builtins(r);
    core::log::set_console(false);
  }
  void TearDown() override { core::log::set_console(true); }
  Registries r;
  test::TempDir dir;
};

TEST_F(TrainExperimentTest, LearnsAndLeavesTheDocumentedRunFolder) {
  const std::string config = dir.write("tiny.yaml", kTinyTrainConfig);
  PreparedRun run = prepare_run(r, config, {"runs_dir=" + (dir.path() / "runs").string()});
  EXPECT_EQ(run.name, "tiny");
  const fs::path out = execute_run(run);
  EXPECT_EQ(out.parent_path(), dir.path() / "runs" / "tiny");
  for (const char* f : {"config.yaml", "log.txt", "metrics.jsonl", "checkpoints/latest.pt",
                        "checkpoints/epoch_000010.pt", "checkpoints/epoch_000030.pt",
                        "latents/latents.pt", "eval/metrics.json", "eval/per_shape.csv"}) {
    EXPECT_TRUE(fs::exists(out / f)) << f;
  }
  const auto l = losses(out / "metrics.jsonl");
  ASSERT_EQ(l.size(), 30u);
  EXPECT_LT(l.back(), 0.6 * l.front());
  const core::Checkpoint codes = core::Checkpoint::load((out / "latents/latents.pt").string());
  EXPECT_EQ(codes.tensors().size(), 4u);
  EXPECT_TRUE(codes.has("0000_sphere"));
  const std::string eval = test::read_text(out / "eval/metrics.json");
  EXPECT_NE(eval.find("\"sign_acc\""), std::string::npos);
}

TEST_F(TrainExperimentTest, ResolvedConfigReproducesTheRun) {
  const std::string config = dir.write("tiny.yaml", kTinyTrainConfig);
  const std::string runs = "runs_dir=" + (dir.path() / "runs").string();
  PreparedRun first = prepare_run(r, config, {runs, "experiment.epochs=4"});
  const fs::path out1 = execute_run(first);
  // The saved config is complete plain YAML: running it again gives the same resolved config
  // and the same numbers.
  PreparedRun second = prepare_run(r, (out1 / "config.yaml").string(), {});
  EXPECT_EQ(second.resolved.to_yaml(), first.resolved.to_yaml());
  const fs::path out2 = execute_run(second);
  EXPECT_EQ(losses(out1 / "metrics.jsonl"), losses(out2 / "metrics.jsonl"));
}

TEST_F(TrainExperimentTest, ResumeFromACheckpointEqualsAnUninterruptedRun) {
  const std::string config = dir.write("tiny.yaml", kTinyTrainConfig);
  const std::string runs = "runs_dir=" + (dir.path() / "runs").string();
  PreparedRun full = prepare_run(r, config, {runs});
  const auto expected = losses(fs::path(execute_run(full)) / "metrics.jsonl");

  // Stop after 10 epochs (the checkpoint), then continue the same folder to 30.
  PreparedRun part = prepare_run(r, config, {runs, "experiment.epochs=10"});
  const fs::path out = execute_run(part);
  PreparedRun rest = prepare_run(r, (out / "config.yaml").string(), {"experiment.epochs=30"});
  execute_run(rest, out.string());
  const auto got = losses(out / "metrics.jsonl");
  ASSERT_EQ(got.size(), expected.size());
  // The step schedule and checkpoints depend only on the epoch: equal to the last digit.
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], expected[i], 1e-6) << i;
}

TEST_F(TrainExperimentTest, ConfigErrorsAcrossSectionsAreReportedTogether) {
  const std::string config = dir.write("bad.yaml", std::string(kTinyTrainConfig) +
                                                       "loos: {type: clamped_l1}\n");
  try {
    prepare_run(r, config, {"model.dropuot=0.5", "optimizer.lr=-1"});
    FAIL();
  } catch (const core::ConfigError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("optimizer.lr: must be > 0, got -1"), std::string::npos) << msg;
    EXPECT_NE(msg.find("model.dropuot: no such key to override (did you mean 'dropout'?)"),
              std::string::npos)
        << msg;
    EXPECT_NE(msg.find("bad.yaml:12:1: error: loos: unknown key (did you mean 'loss'?)"),
              std::string::npos)
        << msg;
  }
}

TEST_F(TrainExperimentTest, MissingSectionAndUnknownExperiment) {
  const std::string config = dir.write("m.yaml", "experiment: {type: train}\ndevice: cpu\n");
  try {
    prepare_run(r, config, {});
    FAIL();
  } catch (const core::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("m.yaml:1:1: error: data: missing required section (a "
                                         "dataset: deepsdf, point_clouds, sdf_samples, synthetic)"),
              std::string::npos)
        << e.what();
  }
  const std::string other = dir.write("o.yaml", "experiment: {type: trian}\nmodel: {}\n");
  try {
    prepare_run(r, other, {});
    FAIL();
  } catch (const core::ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              other + ":1:20: error: experiment.type: unknown experiment 'trian' (did you mean "
                      "'train'?); valid: complete, fit, interpolate, reconstruct, train");
  }
}

TEST_F(TrainExperimentTest, ExplainNamesTheFileAndLine) {
  dir.write("base.yaml", "seed: 3\n");
  const std::string config =
      dir.write("e.yaml", std::string("defaults: [base.yaml]\n") + kTinyTrainConfig + "seed: 4\n");
  const PreparedRun run = prepare_run(r, config, {"seed=5"});
  EXPECT_EQ(explain_key(run, "seed"),
            "seed: 5\n  set at <command line>:1:6\n  overrides " + config + ":13:7\n" +
                "  overrides " + (dir.path() / "base.yaml").string() + ":1:7\n");
  EXPECT_EQ(explain_key(run, "loss.delta"),
            "loss.delta: 0.1\n  not set in any file or override: the component's default\n");
  EXPECT_THROW(explain_key(run, "loss.detla"), core::UsageError);
}

}  // namespace
}  // namespace nsdf::experiments
