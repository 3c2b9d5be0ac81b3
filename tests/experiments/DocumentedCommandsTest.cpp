// Every `nsdf run` command line and override that a config's comments recommend builds and runs
// (tests/support/DocumentedCommands.h): shortened to a couple of steps, without meshes, on
// generated stand-ins for the user's files. A config's documented variants are part of its
// interface; advice that fails (a Fourier encoding wider than the network's skip layer, say)
// fails here.

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>

#include "core/Error.h"
#include "core/Log.h"
#include "core/Strings.h"
#include "experiments/Runner.h"
#include "geometry/AnalyticShapes.h"
#include "geometry/MeshIo.h"
#include "geometry/TestMeshes.h"
#include "support/DocumentedCommands.h"
#include "support/TestFiles.h"

namespace nsdf::experiments {
namespace {

namespace fs = std::filesystem;

/// Overrides that shorten a run of each experiment type to seconds. A new experiment type
/// with documented commands needs its entry here.
const std::map<std::string, std::vector<std::string>>& shorteners() {
  static const std::map<std::string, std::vector<std::string>> table{
      {"fit",
       {"experiment.iterations=2", "experiment.points_per_step=256", "experiment.mesh_resolution=0",
        "experiment.checkpoint_every=1", "experiment.log_every=1"}},
      {"train",
       {"experiment.epochs=1", "experiment.mesh_resolution=0", "experiment.checkpoint_every=1"}},
  };
  return table;
}

/// Points on a sphere of radius 0.5 (with outward normals when `normals`).
geometry::PointCloud sphere_points(int64_t n, bool normals) {
  geometry::AnalyticShape sphere;  // the default kind: a sphere
  std::mt19937_64 rng(3);
  const std::vector<float> p = geometry::sample_surface(sphere, n, rng);
  geometry::PointCloud cloud;
  for (int64_t i = 0; i < n; ++i) {
    const geometry::Vec3f x{p[3 * i], p[3 * i + 1], p[3 * i + 2]};
    cloud.P.push_back(x);
    const float len = std::sqrt(x[0] * x[0] + x[1] * x[1] + x[2] * x[2]);
    if (normals) cloud.N.push_back({x[0] / len, x[1] / len, x[2] / len});
  }
  return cloud;
}

class DocumentedCommands : public ::testing::Test {
 protected:
  void SetUp() override {
    register_builtins(r);
    core::log::set_console(false);
  }
  void TearDown() override { core::log::set_console(true); }

  /// The override with the user's file replaced by a generated one of the same kind, and
  /// repository paths made absolute (documented commands run from the repository's root).
  std::string stand_in(const std::string& override_text) {
    const auto eq = override_text.find('=');
    const std::string key = override_text.substr(0, eq);
    const std::string value = override_text.substr(eq + 1);
    const fs::path source(NSDF_SOURCE_DIR);
    if (!value.empty() && value[0] != '[' && fs::exists(source / value))
      return key + "=" + (source / value).string();
    const std::string leaf = key.substr(key.rfind('.') + 1);
    if (leaf == "input" || leaf == "ground_truth") {
      const std::string ext = fs::path(value).extension().string();
      const fs::path file = dir.path() / ("user_" + leaf + ext);
      if (ext == ".xyz") {
        geometry::write_point_cloud(sphere_points(2000, false), file.string());
      } else if (ext == ".ply") {
        geometry::write_point_cloud(sphere_points(2000, true), file.string());
      } else if (ext == ".obj" || ext == ".off") {
        geometry::write_mesh(geometry::test_meshes::icosphere(0.5, 3), file.string());
      } else {
        ADD_FAILURE() << "no stand-in for a " << ext << " file (" << override_text << ")";
      }
      return key + "=" + file.string();
    }
    return override_text;
  }

  Registries r;
  test::TempDir dir;
};

TEST_F(DocumentedCommands, EveryRecommendedRunWorks) {
  int runs = 0;
  for (const auto& c : test::documented_commands(NSDF_SOURCE_DIR)) {
    if (c.command != "run") continue;
    SCOPED_TRACE(c.where() + ": nsdf run " + c.config + " " + core::join(c.overrides, " "));
    std::vector<std::string> overrides;
    for (const auto& o : c.overrides) overrides.push_back(stand_in(o));
    const std::string config = (fs::path(NSDF_SOURCE_DIR) / c.config).string();
    try {
      const std::string type =
          prepare_run(r, config, overrides).resolved.peek("experiment").peek("type").as_scalar();
      const auto shorten = shorteners().find(type);
      ASSERT_NE(shorten, shorteners().end()) << "no shortening overrides for '" << type << "'";
      for (const auto& o : shorten->second) overrides.push_back(o);
      overrides.push_back("runs_dir=" + (dir.path() / "runs").string());
      overrides.push_back("num_threads=1");
      overrides.push_back("device=cpu");
      PreparedRun run = prepare_run(r, config, overrides);
      execute_run(run);
      ++runs;
    } catch (const core::Error& e) {
      ADD_FAILURE() << e.what();
    }
  }
  EXPECT_GE(runs, 12);  // the fit configs' commands and the quickstart's
}

}  // namespace
}  // namespace nsdf::experiments
