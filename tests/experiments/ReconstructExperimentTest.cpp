// Reconstruction and interpolation with a trained shape space: a tiny DeepSDF auto-decoder of
// spheres (radius 0.3 to 0.7, one code per sphere) trained in seconds, then spheres it never saw.

#include "experiments/ReconstructExperiment.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "core/Checkpoint.h"
#include "core/Log.h"
#include "experiments/InterpolateExperiment.h"
#include "experiments/Runner.h"
#include "geometry/Image.h"
#include "geometry/MeshIo.h"
#include "support/Pictures.h"
#include "support/TestFiles.h"

namespace nsdf::experiments {
namespace {

namespace fs = std::filesystem;

constexpr const char* kTrainSpheres =
    R"(experiment: {type: train, epochs: 200, shapes_per_batch: 4, samples_per_shape: 512,
             checkpoint_every: 200, log_every: 10, mesh_resolution: 32}
data: {type: synthetic, shapes: 10, kinds: [sphere], samples: 6000, test_samples: 1000, seed: 1}
model: {type: deepsdf, dims: [48, 48, 48], latent_in: [2], dropout: 0, weight_norm: false}
latent: {type: table, size: 4, init_std: 0.01}
loss: {type: clamped_l1, code_reg: 1.0e-5}
optimizer: {type: adam, lr: 0.003, latent_lr: 0.01}
schedule: {type: step, every: 150, factor: 0.3}
device: cpu
num_threads: 1
)";

// DeepSDF's recipe, shortened: clamped L1 + 1e-4 mean(z^2), Adam divided by 10 halfway.
constexpr const char* kReconstructSpheres =
    R"(experiment: {type: reconstruct, iterations: 200, samples_per_shape: 1000,
             shapes_per_batch: 3, checkpoint_every: 50, log_every: 10, mesh_resolution: 32,
             compare_points: 3000}
data: {type: synthetic, shapes: 3, kinds: [sphere], samples: 6000, test_samples: 1000, seed: 7}
loss: {type: clamped_l1, code_reg: 1.0e-4, code_reg_ramp: 0, code_reg_type: mean_square}
optimizer: {type: adam, latent_lr: 0.01}
schedule: {type: step, every: 100, factor: 0.1}
eval: [{type: chamfer, points: 3000}]
device: cpu
num_threads: 1
)";

using test::read_csv;

class ShapeSpaceInference : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    core::log::set_console(false);
    dir_ = new test::TempDir;
    Registries r;
    register_builtins(r);
    const std::string config = dir_->write("spheres.yaml", kTrainSpheres);
    PreparedRun run = prepare_run(r, config, {"runs_dir=" + (dir_->path() / "runs").string()});
    train_dir_ = new std::string(execute_run(run));
  }
  static void TearDownTestSuite() {
    delete dir_;
    delete train_dir_;
    core::log::set_console(true);
  }
  void SetUp() override { register_builtins(r); }

  fs::path run(const char* yaml, std::vector<std::string> overrides) {
    const std::string config = dir_->write("run.yaml", yaml);
    overrides.push_back("runs_dir=" + (dir_->path() / "runs").string());
    overrides.push_back("experiment.model=" + *train_dir_);
    PreparedRun prepared = prepare_run(r, config, overrides);
    return execute_run(prepared);
  }

  static test::TempDir* dir_;
  static std::string* train_dir_;
  Registries r;
};
test::TempDir* ShapeSpaceInference::dir_ = nullptr;
std::string* ShapeSpaceInference::train_dir_ = nullptr;

TEST_F(ShapeSpaceInference, HeldOutShapesBeatTheNearestTrainingShape) {
  const fs::path out = run(kReconstructSpheres, {});
  for (const char* f : {"latents/latents.pt", "eval/per_shape.csv", "eval/metrics.json",
                        "eval/summary.md", "eval/nearest_training.csv", "checkpoints/latest.pt"})
    EXPECT_TRUE(fs::exists(out / f)) << f;
  // Pictures: ground truth | reconstruction per shape, tiled 4 shapes a row (3 here), each
  // panel 160 px with a framed object; and the training run's grid of its 10 shapes.
  const geometry::Image pic = geometry::read_png((out / "images/shapes.png").string());
  EXPECT_EQ(pic.width, 3 * 320 + 2 * 4);
  EXPECT_EQ(pic.height, 160);
  for (int shape = 0; shape < 3; ++shape)
    for (int panel = 0; panel < 2; ++panel)
      EXPECT_EQ(test::framed_object_problem(pic, shape * 324 + panel * 160, 0, 160, 160), "")
          << "shape " << shape << " panel " << panel;
  const geometry::Image grid =
      geometry::read_png((fs::path(*train_dir_) / "images/shapes.png").string());
  EXPECT_EQ(grid.width, 4 * 320 + 3 * 4);
  EXPECT_EQ(grid.height, 3 * 160 + 2 * 4);
  for (int shape = 0; shape < 10; ++shape)
    EXPECT_EQ(test::framed_object_problem(grid, (shape % 4) * 324 + 160, (shape / 4) * 164, 160,
                                          160),
              "")
        << "training shape " << shape;
  EXPECT_EQ(test::panel_coverage(grid, 3 * 324, 2 * 164, 320, 160).fraction, 1.0);  // grey gap

  const auto rows = read_csv(out / "eval/per_shape.csv");
  ASSERT_EQ(rows.size(), 3u);
  for (const auto& row : rows) {
    EXPECT_TRUE(fs::exists(out / "meshes" / (row.at("shape") + ".ply"))) << row.at("shape");
    const double ours = std::stod(row.at("chamfer_l1"));
    const double nearest = std::stod(row.at("nearest_training_chamfer_l1"));
    // A sphere of radius r against one of radius r + d: chamfer_l1 ~ |d|. Measured (32^3 grid,
    // cells of 0.0625): 0.024-0.032 against 0.058-0.090 for the nearest training spheres.
    EXPECT_LT(ours, 0.045) << row.at("shape");
    EXPECT_LT(ours, nearest) << row.at("shape");
  }
  const std::string summary = test::read_text(out / "eval/summary.md");
  EXPECT_NE(summary.find("chamfer_l2` (DeepSDF's evaluate.py)"), std::string::npos);
}

TEST_F(ShapeSpaceInference, BatchedReconstructionEqualsSingleOnes) {
  const fs::path batched = run(kReconstructSpheres, {"experiment.mesh_resolution=0",
                                                     "experiment.compare_training=false"});
  const fs::path single = run(kReconstructSpheres, {"experiment.mesh_resolution=0",
                                                    "experiment.compare_training=false",
                                                    "experiment.shapes_per_batch=1"});
  const auto a = core::Checkpoint::load((batched / "latents/latents.pt").string()).tensors();
  const auto b = core::Checkpoint::load((single / "latents/latents.pt").string()).tensors();
  ASSERT_EQ(a.size(), 3u);
  ASSERT_EQ(b.size(), 3u);
  for (const auto& [id, code] : a) {
    ASSERT_TRUE(b.count(id)) << id;
    // Same rows, same initial code, gradient of its own loss: equal up to float summation
    // order in the batched matrix products.
    EXPECT_LT((code - b.at(id)).abs().max().item<double>(), 1e-4) << id;
    EXPECT_GT(code.norm().item<double>(), 1e-3) << id;  // it moved from its small start
  }
}

TEST_F(ShapeSpaceInference, ResumeFromACheckpointMidBatchEqualsAnUninterruptedRun) {
  const std::vector<std::string> common{"experiment.mesh_resolution=0",
                                        "experiment.compare_training=false"};
  const fs::path full = run(kReconstructSpheres, common);
  // A run killed after its checkpoint at iteration 100: what it leaves is the checkpoint (its
  // batch's codes are not final yet, so latents.pt does not have them).
  std::vector<std::string> part = common;
  part.push_back("experiment.iterations=100");
  const fs::path out = run(kReconstructSpheres, part);
  fs::remove(out / "latents" / "latents.pt");
  PreparedRun rest =
      prepare_run(r, (out / "config.yaml").string(), {"experiment.iterations=200"});
  execute_run(rest, out.string());
  const auto a = core::Checkpoint::load((full / "latents/latents.pt").string()).tensors();
  const auto b = core::Checkpoint::load((out / "latents/latents.pt").string()).tensors();
  ASSERT_EQ(b.size(), 3u);
  for (const auto& [id, code] : a)
    EXPECT_LT((code - b.at(id)).abs().max().item<double>(), 1e-6) << id;
  EXPECT_NE(test::read_text(out / "log.txt").find("resuming from"), std::string::npos);
}

TEST_F(ShapeSpaceInference, InterpolationEndsAtTheTwoShapesMeshes) {
  const auto codes =
      core::Checkpoint::load((fs::path(*train_dir_) / "latents/latents.pt").string()).tensors();
  const std::string a = codes.begin()->first, b = std::next(codes.begin())->first;
  const std::string config = dir_->write("interp.yaml", "experiment: {type: interpolate}\n");
  PreparedRun prepared = prepare_run(
      r, config,
      {"runs_dir=" + (dir_->path() / "runs").string(), "experiment.model=" + *train_dir_,
       "experiment.shapes=[" + a + "," + b + "]", "experiment.steps=3",
       "experiment.mesh_resolution=32", "experiment.image_size=64",
       "num_threads=1"});  // as the train run: the same float summation order
  const fs::path out = execute_run(prepared);
  const fs::path trained = fs::path(*train_dir_) / "meshes";
  for (const char* mode : {"linear", "slerp"}) {
    const auto first = geometry::read_mesh((out / "meshes" / mode / "00_00.ply").string());
    const auto last = geometry::read_mesh((out / "meshes" / mode / "00_02.ply").string());
    const auto mid = geometry::read_mesh((out / "meshes" / mode / "00_01.ply").string());
    const auto ma = geometry::read_mesh((trained / (a + ".ply")).string());
    const auto mb = geometry::read_mesh((trained / (b + ".ply")).string());
    EXPECT_EQ(first.V, ma.V) << mode;
    EXPECT_EQ(first.F, ma.F) << mode;
    EXPECT_EQ(last.V, mb.V) << mode;
    EXPECT_NE(mid.V, ma.V) << mode;
    EXPECT_TRUE(fs::exists(out / "images" / (std::string(mode) + "_00.png"))) << mode;
  }
  EXPECT_TRUE(fs::exists(out / "interpolation.csv"));
  // Slerp between codes: the end points exactly, the angle shared evenly.
  const torch::Tensor za = torch::tensor({1.0f, 0.0f}), zb = torch::tensor({0.0f, 2.0f});
  const torch::Tensor half = InterpolateExperiment::interpolate(za, zb, 0.5, "slerp");
  EXPECT_NEAR(half[0].item<double>(), half[1].item<double>() / 2, 1e-6);
  EXPECT_TRUE(torch::equal(InterpolateExperiment::interpolate(za, zb, 0, "slerp"), za));
}

TEST_F(ShapeSpaceInference, ModelMustBeATrainRun) {
  const std::string config = dir_->write("bad.yaml", kReconstructSpheres);
  try {
    prepare_run(r, config, {"experiment.model=" + dir_->path().string()});
    FAIL();
  } catch (const core::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("is not a run folder (it has no config.yaml)"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace nsdf::experiments
