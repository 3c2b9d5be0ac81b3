#include "experiments/FitExperiment.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <random>

#include "core/Error.h"
#include "core/Log.h"
#include "experiments/Runner.h"
#include "geometry/AnalyticShapes.h"
#include "geometry/Image.h"
#include "geometry/MeshIo.h"
#include "geometry/Npy.h"
#include "losses/ClampedL1Loss.h"
#include "losses/IgrLoss.h"
#include "support/Pictures.h"
#include "support/TestFiles.h"

namespace nsdf::experiments {
namespace {

namespace fs = std::filesystem;
using geometry::Vec3f;

// A torus (R = 0.35, r = 0.15 before scaling) moved off-centre and scaled by 20, like a scan in
// millimetres somewhere in a room: the fit must normalize and map its mesh back.
constexpr double kScale = 20;
const std::array<double, 3> kCentre{10, -5, 3};

geometry::PointCloud torus_points(int64_t n, bool normals) {
  geometry::AnalyticShape torus;
  torus.kind = geometry::AnalyticShape::Kind::Torus;
  torus.size = {0.35, 0.15, 0};
  std::mt19937_64 rng(7);
  const std::vector<float> p = geometry::sample_surface(torus, n, rng);
  geometry::PointCloud cloud;
  for (int64_t i = 0; i < n; ++i) {
    const double x = p[3 * i], y = p[3 * i + 1], z = p[3 * i + 2];
    cloud.P.push_back({static_cast<float>(kCentre[0] + kScale * x),
                       static_cast<float>(kCentre[1] + kScale * y),
                       static_cast<float>(kCentre[2] + kScale * z)});
    if (normals) {  // the torus about the y axis: from the nearest point of the core circle
      const double rho = std::hypot(x, z);
      const double cx = 0.35 * x / rho, cz = 0.35 * z / rho;
      const double nx = x - cx, ny = y, nz = z - cz, len = std::sqrt(nx * nx + ny * ny + nz * nz);
      cloud.N.push_back({static_cast<float>(nx / len), static_cast<float>(ny / len),
                         static_cast<float>(nz / len)});
    }
  }
  return cloud;
}

// IGR on the torus: a 4 x 64 softplus net, geometric init, ~2 s on one thread.
constexpr const char* kFitConfig =
    R"(experiment: {type: fit, input: torus.xyz, iterations: 300, points_per_step: 1000,
             sigma_neighbors: 20, checkpoint_every: 100, log_every: 10, mesh_resolution: 64,
             eval_points: 20000}
model: {type: igr, dims: [64, 64, 64, 64], skip_in: [2], radius: 0.5}
loss: {type: igr}
optimizer: {type: adam, lr: 0.002}
schedule: {type: constant}
eval: [{type: chamfer, points: 20000}]
device: cpu
num_threads: 1
)";

double json_number(const std::string& json, const std::string& key) {
  const auto p = json.find("\"" + key + "\": ");
  if (p == std::string::npos) return std::numeric_limits<double>::quiet_NaN();
  return std::stod(json.substr(p + key.size() + 4));
}

std::vector<std::string> metric_lines(const fs::path& file) {
  std::vector<std::string> out;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) out.push_back(line.substr(0, line.find(", \"time\"")));
  return out;
}

class FitExperimentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    register_builtins(r);
    core::log::set_console(false);
  }
  void TearDown() override { core::log::set_console(true); }

  PreparedRun prepare(std::vector<std::string> overrides) {
    const std::string config = dir.write("fit.yaml", kFitConfig);
    overrides.push_back("runs_dir=" + (dir.path() / "runs").string());
    return prepare_run(r, config, overrides);
  }
  FitPoints load(const std::string& input, const losses::Loss& loss,
                 std::vector<std::string> overrides) {
    overrides.push_back("experiment.input=" + (dir.path() / input).string());
    PreparedRun run = prepare(overrides);
    return dynamic_cast<FitExperiment&>(*run.experiment).load_points(loss, 0);
  }

  Registries r;
  test::TempDir dir;
};

TEST_F(FitExperimentTest, ReconstructsAnOffCentreScaledTorusInOriginalUnits) {
  geometry::write_point_cloud(torus_points(4000, false), (dir.path() / "torus.xyz").string());
  geometry::write_point_cloud(torus_points(20000, true), (dir.path() / "gt.ply").string());
  PreparedRun run = prepare({"experiment.ground_truth=" + (dir.path() / "gt.ply").string()});
  const fs::path out = execute_run(run);
  for (const char* f : {"config.yaml", "metrics.jsonl", "normalization.npz",
                        "checkpoints/latest.pt", "checkpoints/iter_000300.pt", "meshes/torus.ply",
                        "eval/metrics.json"}) {
    EXPECT_TRUE(fs::exists(out / f)) << f;
  }
  EXPECT_EQ(metric_lines(out / "metrics.jsonl").size(), 30u);
  // images/torus.png: input points | mesh, 400 px panels, each a framed object.
  const geometry::Image pic = geometry::read_png((out / "images/torus.png").string());
  EXPECT_EQ(pic.width, 800);
  EXPECT_EQ(pic.height, 400);
  EXPECT_EQ(test::framed_object_problem(pic, 0, 0, 400, 400), "");
  EXPECT_EQ(test::framed_object_problem(pic, 400, 0, 400, 400), "");
  const geometry::Mesh mesh = geometry::read_mesh((out / "meshes/torus.ply").string());
  std::array<double, 3> lo{1e9, 1e9, 1e9}, hi{-1e9, -1e9, -1e9};
  for (const auto& v : mesh.V)
    for (int c = 0; c < 3; ++c)
      lo[c] = std::min(lo[c], double(v[c])), hi[c] = std::max(hi[c], double(v[c]));
  for (int c = 0; c < 3; ++c) EXPECT_NEAR((lo[c] + hi[c]) / 2, kCentre[c], 0.5) << c;
  EXPECT_NEAR(hi[0] - lo[0], kScale * 1.0, 0.5);  // 2 (R + r) = 1 before scaling

  const std::string eval = test::read_text(out / "eval/metrics.json");
  // Original units: the torus tube has radius 3 and the diagonal is ~ 20 * sqrt(2 + 0.09).
  const double diagonal = json_number(eval, "input_bbox_diagonal");
  EXPECT_NEAR(diagonal, kScale * std::sqrt(1 + 1 + 0.09), 0.2);
  // Measured: 0.44% and 0.53% of the diagonal after 300 steps (the initial sphere: ~10%).
  EXPECT_LT(json_number(eval, "input_to_mesh_mean"), 0.006 * diagonal) << eval;
  EXPECT_LT(json_number(eval, "chamfer_l1"), 0.008 * diagonal) << eval;
  EXPECT_EQ(json_number(eval, "mesh_watertight"), 1) << eval;
  EXPECT_EQ(json_number(eval, "mesh_components"), 1) << eval;
}

TEST_F(FitExperimentTest, ResumesExactlyAfterAnInterruption) {
  geometry::write_point_cloud(torus_points(1500, true), (dir.path() / "torus.xyz").string());
  const std::vector<std::string> common{"experiment.mesh_resolution=0",
                                        "experiment.checkpoint_every=20", "experiment.log_every=5"};
  auto with = [&](std::string iterations) {
    auto o = common;
    o.push_back("experiment.iterations=" + iterations);
    return o;
  };
  PreparedRun full = prepare(with("60"));
  const fs::path a = execute_run(full);
  PreparedRun part = prepare(with("40"));
  const fs::path b = execute_run(part);
  PreparedRun rest = prepare(with("60"));
  execute_run(rest, b.string());
  EXPECT_EQ(metric_lines(a / "metrics.jsonl"), metric_lines(b / "metrics.jsonl"));
}

TEST_F(FitExperimentTest, DropsNonFiniteRowsAndEstimatesNormalsWhenTheLossNeedsThem) {
  geometry::PointCloud cloud = torus_points(500, false);
  std::vector<double> rows;
  for (const auto& p : cloud.P) rows.insert(rows.end(), p.begin(), p.end());
  const double nan = std::numeric_limits<double>::quiet_NaN();
  rows[3 * 7] = nan;
  rows[3 * 100 + 2] = std::numeric_limits<double>::infinity();
  geometry::write_npy((dir.path() / "scan.npy").string(), rows, {500, 3});

  const FitPoints igr = load("scan.npy", losses::IgrLoss(losses::IgrLossOptions{}), {});
  EXPECT_EQ(igr.original.P.size(), 498u);
  EXPECT_TRUE(igr.normalized.N.empty());  // IGR works without normals
  EXPECT_EQ(igr.sigma.size(), 498u);
  for (const auto& p : igr.normalized.P)  // unit sphere with DeepSDF's 1.03 buffer
    EXPECT_LE(std::sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]), 1 / 1.03 + 1e-5);

  const FitPoints deepsdf =
      load("scan.npy", losses::ClampedL1Loss(losses::ClampedL1LossOptions{}), {});
  ASSERT_EQ(deepsdf.normalized.N.size(), 498u);
  // Estimated normals point outward: away from the core circle of the torus.
  int outward = 0;
  for (size_t i = 0; i < deepsdf.original.P.size(); ++i) {
    const auto& p = deepsdf.original.P[i];
    const double x = (p[0] - kCentre[0]) / kScale, z = (p[2] - kCentre[2]) / kScale;
    const double rho = std::hypot(x, z);
    const double dx = x - 0.35 * x / rho, dy = (p[1] - kCentre[1]) / kScale,
                 dz = z - 0.35 * z / rho;
    const auto& n = deepsdf.normalized.N[i];
    outward += n[0] * dx + n[1] * dy + n[2] * dz > 0;
  }
  EXPECT_GT(outward, 490);

  try {
    load("scan.npy", losses::ClampedL1Loss(losses::ClampedL1LossOptions{}),
         {"experiment.normals=ignore"});
    FAIL() << "no error";
  } catch (const core::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("the loss needs normals but normals is 'ignore'"),
              std::string::npos)
        << e.what();
  }
}

TEST_F(FitExperimentTest, FewerPointsThanSigmaNeighboursIsAClearError) {
  geometry::write_point_cloud(torus_points(30, false), (dir.path() / "few.xyz").string());
  try {
    load("few.xyz", losses::IgrLoss(losses::IgrLossOptions{}), {"experiment.sigma_neighbors=50"});
    FAIL() << "no error";
  } catch (const core::DataError& e) {
    EXPECT_NE(
        std::string(e.what()).find(
            "few.xyz: 30 points, but the per-point sigma needs more than sigma_neighbors = 50"),
        std::string::npos)
        << e.what();
  }
}

TEST_F(FitExperimentTest, DuplicatePointsStillFit) {
  geometry::PointCloud cloud = torus_points(800, false);
  const auto copy = cloud.P;
  cloud.P.insert(cloud.P.end(), copy.begin(), copy.end());  // every point twice
  geometry::write_point_cloud(cloud, (dir.path() / "torus.xyz").string());
  PreparedRun run = prepare({"experiment.iterations=200", "experiment.points_per_step=800"});
  const fs::path out = execute_run(run);
  const std::string eval = test::read_text(out / "eval/metrics.json");
  EXPECT_LT(json_number(eval, "input_to_mesh_mean"),
            0.01 * json_number(eval, "input_bbox_diagonal"))
      << eval;
}

}  // namespace
}  // namespace nsdf::experiments
