// Shape completion from partial views with a trained shape space: synthetic rounded boxes
// preprocessed by `nsdf preprocess` (samples + depth views), a tiny DeepSDF auto-decoder trained
// on 16 of them in seconds, then held-out boxes completed from one depth view each.

#include "experiments/CompleteExperiment.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <utility>

#include "core/Checkpoint.h"
#include "core/Error.h"
#include "core/Log.h"
#include "data/DepthObservation.h"
#include "data/SampleFileDataset.h"
#include "experiments/Runner.h"
#include "geometry/Image.h"
#include "geometry/MeshIo.h"
#include "geometry/Npy.h"
#include "geometry/Observation.h"
#include "preprocessing/Preprocess.h"
#include "preprocessing/Sources.h"
#include "support/TestFiles.h"

namespace nsdf::experiments {
namespace {

namespace fs = std::filesystem;

constexpr const char* kPreprocess =
    R"(preprocess:
  output: boxes.h5
  source: {type: synthetic, kinds: [box], count: 16, resolution: 48, seed: 1}
  samples: 20000
  surface_points: 4000
  views: {count: 2, width: 48, height: 48}
)";

constexpr const char* kTrain =
    R"(experiment: {type: train, epochs: 150, shapes_per_batch: 4, samples_per_shape: 1000,
             checkpoint_every: 150, log_every: 50, mesh_resolution: 0}
data: {type: sdf_samples}
model: {type: deepsdf, dims: [64, 64, 64], latent_in: [], dropout: 0, weight_norm: false}
latent: {type: table, size: 8, init_std: 0.01}
loss: {type: clamped_l1, code_reg: 1.0e-5}
optimizer: {type: adam, lr: 0.003, latent_lr: 0.01}
schedule: {type: step, every: 100, factor: 0.3}
device: cpu
num_threads: 1
)";

// configs/deepsdf/complete.yaml, shortened.
constexpr const char* kComplete =
    R"(experiment: {type: complete, observation: {}, views: [0], inits: 3, iterations: 150,
             samples_per_iteration: 1000, free_space_samples: 500, observations_per_batch: 2,
             checkpoint_every: 50, log_every: 10, mesh_resolution: 64, compare_points: 3000,
             image_size: 64}
data: {}
loss: {type: clamped_l1, code_reg: 1.0e-4, code_reg_ramp: 0, code_reg_type: mean_square}
optimizer: {type: adam, latent_lr: 0.01}
schedule: {type: step, every: 100, factor: 0.1}
eval: [{type: chamfer, points: 3000}]
device: cpu
num_threads: 1
)";

double mean_of(const std::vector<std::map<std::string, std::string>>& rows,
               const std::string& column) {
  double sum = 0;
  for (const auto& r : rows) sum += std::stod(r.at(column));
  return sum / static_cast<double>(rows.size());
}

class Completion : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    core::log::set_console(false);
    dir_ = new test::TempDir;
    preprocessing::SourceRegistry sources{"source"};
    preprocessing::register_builtin_sources(sources);
    const std::string pre = dir_->write("pre.yaml", kPreprocess);
    preprocessing::run_preprocess(preprocessing::prepare_preprocess(sources, pre, {}));
    preprocessing::run_preprocess(preprocessing::prepare_preprocess(
        sources, pre, {"preprocess.output=" + (dir_->path() / "held_out.h5").string(),
                       "preprocess.source.count=3", "preprocess.source.seed=9"}));
    Registries r;
    register_builtins(r);
    PreparedRun run = prepare_run(r, dir_->write("train.yaml", kTrain),
                                  {"runs_dir=" + (dir_->path() / "runs").string(),
                                   "data.file=" + (dir_->path() / "boxes.h5").string()});
    train_dir_ = new std::string(execute_run(run));
  }
  static void TearDownTestSuite() {
    delete dir_;
    delete train_dir_;
    core::log::set_console(true);
  }
  void SetUp() override { register_builtins(r); }

  fs::path complete(std::vector<std::string> overrides, bool held_out_data = true) {
    overrides.push_back("runs_dir=" + (dir_->path() / "runs").string());
    overrides.push_back("experiment.model=" + *train_dir_);
    if (held_out_data) {
      overrides.push_back("data.type=sdf_samples");
      overrides.push_back("data.file=" + (dir_->path() / "held_out.h5").string());
    }
    PreparedRun prepared = prepare_run(r, dir_->write("complete.yaml", kComplete), overrides);
    return execute_run(prepared);
  }

  static test::TempDir* dir_;
  static std::string* train_dir_;
  Registries r;
};
test::TempDir* Completion::dir_ = nullptr;
std::string* Completion::train_dir_ = nullptr;

TEST_F(Completion, OneDepthViewBeatsTheNearestTrainingShape) {
  const fs::path out = complete({});
  for (const char* f : {"latents/latents.pt", "latents/frames.csv", "eval/per_shape.csv",
                        "eval/metrics.json", "eval/summary.md", "checkpoints/latest.pt"})
    EXPECT_TRUE(fs::exists(out / f)) << f;
  const auto rows = test::read_csv(out / "eval/per_shape.csv");
  ASSERT_EQ(rows.size(), 3u);
  for (const auto& row : rows) {
    const std::string id = row.at("shape");
    EXPECT_TRUE(fs::exists(out / "meshes" / (id + ".ply"))) << id;
    const geometry::Image image = geometry::read_png((out / "images" / (id + ".png")).string());
    EXPECT_EQ(image.width, 3 * 64);  // input | completion | ground truth
    EXPECT_EQ(image.height, 64);
    EXPECT_LT(std::stod(row.at("observed_to_completion_mean")), 0.02) << id;
  }
  const double ours = mean_of(rows, "chamfer_l1");
  const double nearest = mean_of(rows, "nearest_training_chamfer_l1");
  EXPECT_LT(ours, 0.6 * nearest) << ours << " vs nearest training " << nearest;

  // (Free-space samples do not change these boxes' Chamfer distance, 0.0172 with them and
  // 0.0170 without, measured with eta 0.025: one view of a box leaves nothing for them to
  // decide. FreeSpace below builds a shape space where they do.)
}

TEST_F(Completion, ResumeFromACheckpointEqualsAnUninterruptedRun) {
  const std::vector<std::string> common{"experiment.mesh_resolution=0",
                                        "experiment.compare_training=false",
                                        "experiment.observations_per_batch=3",
                                        "experiment.similarity=true", "experiment.inits=2"};
  const fs::path full = complete(common);
  // A run killed after its checkpoint at iteration 50 leaves the checkpoint (codes, optimizer,
  // RNG and the similarity transforms), not the final codes.
  std::vector<std::string> part = common;
  part.push_back("experiment.iterations=50");
  const fs::path out = complete(part);
  fs::remove(out / "latents" / "latents.pt");
  PreparedRun rest =
      prepare_run(r, (out / "config.yaml").string(), {"experiment.iterations=150"});
  execute_run(rest, out.string());
  const auto a = core::Checkpoint::load((full / "latents/latents.pt").string()).tensors();
  const auto b = core::Checkpoint::load((out / "latents/latents.pt").string()).tensors();
  ASSERT_EQ(b.size(), 3u);
  for (const auto& [id, code] : a)
    EXPECT_LT((code - b.at(id)).abs().max().item<double>(), 1e-6) << id;
  EXPECT_EQ(test::read_text(full / "latents/frames.csv"), test::read_text(out / "latents/frames.csv"));
  EXPECT_NE(test::read_text(out / "log.txt").find("resuming from"), std::string::npos);
}

TEST_F(Completion, ScaledAndShiftedScanNeedsTheJointSimilarity) {
  // View 0 of a held-out box and its ground truth, moved to x' = 2.5 x + (0.7, -0.4, 0.3).
  data::SampleFileDatasetOptions so;
  so.file = {(dir_->path() / "held_out.h5").string()};
  const data::SampleFileDataset held(so);
  geometry::ObservedView view = held.depth_views(0).at(0);
  const geometry::Normalization n = held.normalization(0);
  geometry::denormalize_points_in_place(n, view.points);
  const std::array<double, 3> camera = geometry::denormalize_point(n, *view.camera);
  auto move = [](geometry::Vec3f& p) {
    p = {2.5f * p[0] + 0.7f, 2.5f * p[1] - 0.4f, 2.5f * p[2] + 0.3f};
  };
  for (auto& p : view.points) move(p);
  geometry::PointCloud gt = held.surface(0);
  for (auto& p : gt.P) move(p);
  geometry::write_mesh(geometry::Mesh{view.points, {}, {}}, (dir_->path() / "scan.ply").string());
  geometry::write_mesh(geometry::Mesh{gt.P, {}, {}}, (dir_->path() / "gt.ply").string());
  const std::string cam = fmt::format("[{},{},{}]", 2.5 * camera[0] + 0.7,
                                      2.5 * camera[1] - 0.4, 2.5 * camera[2] + 0.3);
  const std::vector<std::string> scan = {
      "experiment.observation.type=scan",
      "experiment.observation.file=" + (dir_->path() / "scan.ply").string(),
      "experiment.observation.camera=" + cam,
      "experiment.observation.ground_truth=" + (dir_->path() / "gt.ply").string()};

  auto chamfer = [&](std::vector<std::string> extra) {
    extra.insert(extra.end(), scan.begin(), scan.end());
    const auto rows = test::read_csv(complete(extra, false) / "eval/per_shape.csv");
    EXPECT_EQ(rows.size(), 1u);
    return rows.empty() ? 1e9 : std::stod(rows[0].at("chamfer_l1"));
  };
  const double joint = chamfer({"experiment.similarity=true"});
  const double fixed = chamfer({"experiment.frame=identity"});
  const double own = chamfer({});
  // Units: 2.5 x the shape space's. Completion in the right frame reaches the first test's
  // accuracy (x 2.5); the observation taken as it comes, or normalized by its own extent, not.
  EXPECT_LT(joint, 0.5 * fixed) << joint << " vs " << fixed;
  EXPECT_LT(joint, own) << joint << " vs " << own;
}

// Free space decides what one view leaves open when the shape space offers material where the
// camera saw nothing. Training shapes: ellipsoids elongated along z, three in four with two
// small spheres on their +-y sides (the same farthest vertex, so the same normalization);
// held-out shapes: plain ellipsoids, seen from +x (the bumps would be in the silhouette). From
// the observed points alone a bumped completion fits as well as a plain one, and the prior
// (mostly bumped) keeps the bumps; the one-sided free-space term on the rays of empty pixels
// removes them.
class FreeSpace : public ::testing::Test {
 protected:
  // An ellipsoid with half axes a, b, c around `center`, as a closed UV mesh.
  static void add_ellipsoid(geometry::Mesh& mesh, const geometry::Vec3f& center, float a, float b,
                            float c) {
    constexpr int n = 24;
    const auto base = static_cast<int32_t>(mesh.V.size());
    for (int i = 0; i <= n; ++i) {
      const double th = M_PI * i / n;
      for (int j = 0; j < 2 * n; ++j) {
        const double ph = M_PI * j / n;
        mesh.V.push_back({center[0] + a * static_cast<float>(std::sin(th) * std::cos(ph)),
                          center[1] + b * static_cast<float>(std::cos(th)),
                          center[2] + c * static_cast<float>(std::sin(th) * std::sin(ph))});
      }
    }
    for (int i = 0; i < n; ++i) {
      for (int j = 0; j < 2 * n; ++j) {
        const int32_t p = base + i * 2 * n + j, q = base + i * 2 * n + (j + 1) % (2 * n);
        const int32_t r = p + 2 * n, t = q + 2 * n;
        mesh.F.push_back({p, r, q});
        mesh.F.push_back({q, r, t});
      }
    }
  }
  // `count` shapes into folder/ (seeded): bumped ones unless `plain`.
  static void write_shapes(const fs::path& folder, int count, unsigned seed, bool plain) {
    fs::create_directories(folder);
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> axis(0.25f, 0.32f), radius(0.1f, 0.13f);
    for (int k = 0; k < count; ++k) {
      geometry::Mesh mesh;
      const float a = axis(rng), b = axis(rng);
      add_ellipsoid(mesh, {0, 0, 0}, a, b, 0.55f);
      const bool bumps = !plain && k % 4 != 0;
      if (bumps) {
        const float r = radius(rng);
        add_ellipsoid(mesh, {0, b + 0.6f * r, 0}, r, r, r);
        add_ellipsoid(mesh, {0, -(b + 0.6f * r), 0}, r, r, r);
      }
      geometry::write_mesh(mesh, (folder / fmt::format("{}{:02d}.obj", bumps ? "bump" : "plain",
                                                        k)).string());
    }
  }
  static void SetUpTestSuite() {
    core::log::set_console(false);
    dir_ = new test::TempDir;
    write_shapes(dir_->path() / "train", 16, 1, false);
    write_shapes(dir_->path() / "held", 3, 9, true);
    preprocessing::SourceRegistry sources{"source"};
    preprocessing::register_builtin_sources(sources);
    const std::string pre = dir_->write(
        "pre.yaml", fmt::format(R"(preprocess:
  output: {}
  source: {{type: folder, root: {}}}
  samples: 20000
  surface_points: 4000
  views: {{count: 1, width: 48, height: 48}}
)",
                                (dir_->path() / "train.h5").string(),
                                (dir_->path() / "train").string()));
    preprocessing::run_preprocess(preprocessing::prepare_preprocess(sources, pre, {}));
    preprocessing::run_preprocess(preprocessing::prepare_preprocess(
        sources, pre, {"preprocess.output=" + (dir_->path() / "held.h5").string(),
                       "preprocess.source.root=" + (dir_->path() / "held").string()}));
    Registries r;
    register_builtins(r);
    PreparedRun run = prepare_run(r, dir_->write("train.yaml", kTrain),
                                  {"runs_dir=" + (dir_->path() / "runs").string(),
                                   "data.file=" + (dir_->path() / "train.h5").string(),
                                   "experiment.epochs=300"});
    train_dir_ = new std::string(execute_run(run));
  }
  static void TearDownTestSuite() {
    delete dir_;
    delete train_dir_;
    core::log::set_console(true);
  }
  // Mean chamfer_l1 and pred_to_gt over the held-out shapes.
  std::pair<double, double> complete(const std::vector<std::string>& free_space) {
    Registries r;
    register_builtins(r);
    std::vector<std::string> o = {"runs_dir=" + (dir_->path() / "runs").string(),
                                  "experiment.model=" + *train_dir_, "data.type=sdf_samples",
                                  "data.file=" + (dir_->path() / "held.h5").string(),
                                  "experiment.observations_per_batch=3",
                                  "experiment.compare_training=false"};
    o.insert(o.end(), free_space.begin(), free_space.end());
    PreparedRun prepared = prepare_run(r, dir_->write("complete.yaml", kComplete), o);
    const auto rows = test::read_csv(fs::path(execute_run(prepared)) / "eval/per_shape.csv");
    EXPECT_EQ(rows.size(), 3u);
    return {mean_of(rows, "chamfer_l1"), mean_of(rows, "pred_to_gt")};
  }
  static test::TempDir* dir_;
  static std::string* train_dir_;
};
test::TempDir* FreeSpace::dir_ = nullptr;
std::string* FreeSpace::train_dir_ = nullptr;

TEST_F(FreeSpace, SamplesOnEmptyRaysRemoveWhatTheCameraDidNotSee) {
  const auto [without_chamfer, without_extra] = complete({"experiment.free_space_samples=0"});
  const auto [with_chamfer, with_extra] = complete(
      {"experiment.free_space_samples=2000", "experiment.free_space_weight=100"});
  RecordProperty("chamfer_l1_without", std::to_string(without_chamfer));
  RecordProperty("chamfer_l1_with", std::to_string(with_chamfer));
  RecordProperty("pred_to_gt_without", std::to_string(without_extra));
  RecordProperty("pred_to_gt_with", std::to_string(with_extra));
  EXPECT_LT(with_chamfer, 0.85 * without_chamfer) << with_chamfer << " vs " << without_chamfer;
  EXPECT_LT(with_extra, 0.75 * without_extra) << with_extra << " vs " << without_extra;
}

TEST_F(Completion, ConfigsWithoutObservationsOrWithASurfaceLossAreRejected) {
  EXPECT_THROW(complete({}, false), core::ConfigError);  // neither data nor observation
  EXPECT_THROW(complete({"loss.type=igr"}), core::ConfigError);
  EXPECT_THROW(complete({"experiment.views=[5]"}), core::DataError);  // the file has 2 views
}

// Bad depth observations: each error names the file and what is wrong.
class BadDepth : public ::testing::Test {
 protected:
  test::TempDir dir;
  data::DepthObservationOptions options() {
    data::DepthObservationOptions o;
    geometry::Image16 depth{8, 8, std::vector<uint16_t>(64, 1000)};
    geometry::write_png16(depth, (dir.path() / "depth.png").string());
    o.depth = {{(dir.path() / "depth.png").string()}};
    o.intrinsics = {{dir.write("K.txt", "10 0 4\n0 10 4\n0 0 1\n")}};
    o.pose = {{dir.write("pose.txt", "1 0 0 0\n0 1 0 0\n0 0 1 -2\n0 0 0 1\n")}};
    o.depth_scale = 0.001;
    return o;
  }
  static std::string error_of(const data::DepthObservationOptions& o) {
    try {
      data::DepthObservation(o).load(0);
    } catch (const core::Error& e) {
      return e.what();
    }
    return "";
  }
};

TEST_F(BadDepth, AGoodViewGivesItsPointsInFrontOfTheCamera) {
  const data::ObservedShape s = data::DepthObservation(options()).load(0);
  EXPECT_EQ(s.id, "depth");
  ASSERT_EQ(s.observation.views.size(), 1u);
  ASSERT_EQ(s.observation.views[0].points.size(), 64u);
  for (const auto& p : s.observation.views[0].points) EXPECT_NEAR(p[2], -1.0f, 1e-6);  // 1 m
  EXPECT_EQ((*s.observation.views[0].camera)[2], -2.0);
}

TEST_F(BadDepth, EmptyDepth) {
  auto o = options();
  geometry::write_png16({8, 8, std::vector<uint16_t>(64, 0)}, o.depth[0].str());
  const std::string e = error_of(o);
  EXPECT_NE(e.find("depth.png: empty depth"), std::string::npos) << e;
}

TEST_F(BadDepth, WrongIntrinsicsShape) {
  auto o = options();
  o.intrinsics = {{dir.write("K.txt", "10 0 4 0 10 4\n")}};
  const std::string e = error_of(o);
  EXPECT_NE(e.find("K.txt: intrinsics K must be 3 x 3, got 6 numbers"), std::string::npos) << e;
  geometry::write_npy((dir.path() / "K.npy").string(), std::vector<double>(12, 1.0), {3, 4});
  o.intrinsics = {{(dir.path() / "K.npy").string()}};
  const std::string e2 = error_of(o);
  EXPECT_NE(e2.find("K.npy: intrinsics K must be 3 x 3, got 3 x 4"), std::string::npos) << e2;
}

TEST_F(BadDepth, NanPose) {
  auto o = options();
  o.pose = {{dir.write("pose.txt", "1 0 0 0\n0 1 0 nan\n0 0 1 -2\n0 0 0 1\n")}};
  const std::string e = error_of(o);
  EXPECT_NE(e.find("pose.txt: pose entry (1, 3) is not finite"), std::string::npos) << e;
}

TEST_F(BadDepth, NoPointInFrontOfTheCamera) {
  auto o = options();
  geometry::write_npy((dir.path() / "depth.npy").string(), std::vector<float>(64, -1.0f), {8, 8});
  o.depth = {{(dir.path() / "depth.npy").string()}};
  const std::string e = error_of(o);
  EXPECT_NE(e.find("depth.npy: back_project_depth: pixel (u = 0, v = 0) has depth -0.001"),
            std::string::npos)
      << e;
}

TEST(Observation, NormalsAreEstimatedFacingTheCameraWithDirectionsToIt) {
  // A plane z = 0 seen from (0, 0, 3).
  geometry::Observation obs;
  geometry::ObservedView v;
  for (int i = 0; i < 10; ++i)
    for (int j = 0; j < 10; ++j) v.points.push_back({0.1f * i, 0.1f * j, 0.0f});
  v.camera = std::array<double, 3>{0, 0, 3};
  obs.views.push_back(v);
  const geometry::PreparedObservation p = geometry::prepare_observation(obs, 8, "plane");
  ASSERT_EQ(p.points.size(), 100u);
  EXPECT_EQ(p.with_camera, 100);
  for (size_t i = 0; i < p.points.size(); ++i) {
    EXPECT_NEAR(p.normals[i][2], 1.0f, 1e-5);
    const double len = std::sqrt(double(p.points[i][0]) * p.points[i][0] +
                                 double(p.points[i][1]) * p.points[i][1] + 9.0);
    EXPECT_NEAR(p.to_camera[i][2], 3.0 / len, 1e-5);
  }
  obs.views[0].points[3][1] = NAN;
  EXPECT_THROW(geometry::prepare_observation(obs, 8, "plane"), core::DataError);
}

}  // namespace
}  // namespace nsdf::experiments
