// Every `nsdf run` command line and override that a config's comments recommend builds and runs
// (tests/support/DocumentedCommands.h): shortened to a few steps, on generated stand-ins for
// the user's files. A config's documented variants are part of its interface; advice that fails
// (a Fourier encoding wider than the network's skip layer, say) fails here.
//
// Stand-ins: the data keys of a command (data.root, data.split, data.file) are replaced by a
// tiny generated dataset of the command's data type; experiment.input by a generated point
// cloud or mesh; experiment.model (TRAIN_RUN_DIR, RUN_DIR) by the run of the training command
// documented in the same config folder (training commands run first), and shape ids (ID_A,
// ID_B) by that run's first shapes.

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>

#include "core/Checkpoint.h"
#include "core/ConfigLoader.h"
#include "core/Error.h"
#include "core/Log.h"
#include "core/Strings.h"
#include "experiments/Runner.h"
#include "geometry/AnalyticShapes.h"
#include "geometry/MeshIo.h"
#include "geometry/TestMeshes.h"
#include "support/DatasetFixtures.h"
#include "support/DocumentedCommands.h"
#include "support/PointCloudFixtures.h"
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
       {"experiment.epochs=1", "experiment.samples_per_shape=256", "experiment.mesh_resolution=16",
        "experiment.checkpoint_every=1"}},
      {"reconstruct",
       {"experiment.iterations=2", "experiment.samples_per_shape=256",
        "experiment.mesh_resolution=16", "experiment.checkpoint_every=1"}},
      {"interpolate",
       {"experiment.steps=2", "experiment.mesh_resolution=16", "experiment.image_size=32"}},
      {"complete",
       {"experiment.iterations=2", "experiment.samples_per_iteration=256",
        "experiment.free_space_samples=64", "experiment.inits=2", "experiment.mesh_resolution=16",
        "experiment.checkpoint_every=1", "experiment.image_size=32"}},
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

std::string scalar_at(const core::ConfigNode& root, const std::string& section,
                      const std::string& key) {
  const core::ConfigNode s = root.peek(section);
  const core::ConfigNode v = s && s.is_map() ? s.peek(key) : core::ConfigNode();
  return v && v.is_scalar() ? v.as_scalar() : std::string();
}

std::string key_of(const std::string& override_text) {
  return override_text.substr(0, override_text.find('='));
}

class DocumentedCommands : public ::testing::Test {
 protected:
  void SetUp() override {
    register_builtins(r);
    core::log::set_console(false);
  }
  void TearDown() override { core::log::set_console(true); }

  /// The data keys of a stand-in dataset of `type`.
  std::vector<std::string> data_stand_in(const std::string& type) {
    const fs::path root = dir.path() / "data";
    if (type == "deepsdf") {
      if (deepsdf_.root.empty()) deepsdf_ = test::write_deepsdf_fixture(root);
      return {"data.root=" + deepsdf_.root, "data.split=" + deepsdf_.split};
    }
    if (type == "sdf_samples") {
      if (samples_.empty()) samples_ = test::write_sample_file_fixture(root).file;
      return {"data.file=" + samples_};
    }
    if (type == "point_clouds") {
      if (clouds_.empty()) {
        test::write_point_clouds_fixture(root);
        clouds_ = (root / "point_clouds").string();
      }
      return {"data.root=" + clouds_};
    }
    return {};
  }

  /// experiment.input / ground_truth replaced by a generated file of the same kind.
  std::string input_stand_in(const std::string& key, const std::string& value) {
    const std::string ext = fs::path(value).extension().string();
    const fs::path file = dir.path() / ("user_input" + ext);
    if (ext == ".xyz") {
      geometry::write_point_cloud(sphere_points(2000, false), file.string());
    } else if (ext == ".ply") {
      geometry::write_point_cloud(sphere_points(2000, true), file.string());
    } else if (ext == ".obj" || ext == ".off") {
      geometry::write_mesh(geometry::test_meshes::icosphere(0.5, 3), file.string());
    } else {
      ADD_FAILURE() << "no stand-in for a " << ext << " file (" << key << ")";
    }
    return key + "=" + file.string();
  }

  /// The command's overrides with the user's files replaced by stand-ins. `runs` holds the
  /// training runs by config folder.
  std::vector<std::string> stand_ins(const test::DocumentedCommand& c, const std::string& config,
                                     const std::map<std::string, std::string>& runs) {
    const core::ConfigNode file = core::load_config(config);
    std::string data_type = scalar_at(file, "data", "type");
    for (const auto& o : c.overrides)
      if (key_of(o) == "data.type") data_type = o.substr(o.find('=') + 1);
    const std::string folder = fs::path(c.config).parent_path().generic_string();
    std::vector<std::string> out;
    bool data_given = false;
    for (const auto& o : c.overrides) {
      const std::string key = key_of(o);
      const std::string value = o.substr(o.find('=') + 1);
      const std::string leaf = key.substr(key.rfind('.') + 1);
      if (key == "data.root" || key == "data.split" || key == "data.file") {
        data_given = true;  // the user's data: replaced by the stand-in dataset
      } else if (key == "experiment.input" || key == "experiment.ground_truth" ||
                 key == "experiment.observation.file" ||
                 key == "experiment.observation.ground_truth") {
        const fs::path source(NSDF_SOURCE_DIR);
        out.push_back(fs::exists(source / value) ? key + "=" + (source / value).string()
                                                 : input_stand_in(key, value));
      } else if (key == "experiment.model") {
        const auto it = runs.find(folder);
        EXPECT_NE(it, runs.end()) << "no training command documented in " << folder;
        if (it != runs.end()) out.push_back(key + "=" + it->second);
      } else if (key == "experiment.shapes" && value.find("ID_") != std::string::npos) {
        const auto it = runs.find(folder);
        if (it == runs.end()) continue;
        const auto codes =
            core::Checkpoint::load((fs::path(it->second) / "latents/latents.pt").string());
        std::vector<std::string> ids;
        for (const auto& [id, code] : codes.tensors()) ids.push_back(id);
        if (ids.size() >= 2) out.push_back(key + "=[" + ids[0] + "," + ids[1] + "]");
      } else {
        out.push_back(o);
      }
    }
    if (data_given || (!data_type.empty() && scalar_at(file, "data", "root").empty() &&
                       scalar_at(file, "data", "file").empty()))
      for (const auto& o : data_stand_in(data_type)) out.push_back(o);
    return out;
  }

  /// Runs one documented command, shortened; returns the run folder.
  fs::path run_command(const test::DocumentedCommand& c, const std::string& config,
                       std::vector<std::string> overrides) {
    const std::string type =
        prepare_run(r, config, overrides).resolved.peek("experiment").peek("type").as_scalar();
    const auto shorten = shorteners().find(type);
    EXPECT_NE(shorten, shorteners().end()) << "no shortening overrides for '" << type << "'";
    if (shorten != shorteners().end())
      for (const auto& o : shorten->second) overrides.push_back(o);
    overrides.push_back("runs_dir=" + (dir.path() / "runs").string());
    overrides.push_back("num_threads=1");
    overrides.push_back("device=cpu");
    PreparedRun run = prepare_run(r, config, overrides);
    return execute_run(run);
  }

  Registries r;
  test::TempDir dir;
  test::DeepSdfFixture deepsdf_;
  std::string samples_, clouds_;
};

TEST_F(DocumentedCommands, EveryRecommendedRunWorks) {
  std::vector<test::DocumentedCommand> commands;
  for (const auto& c : test::documented_commands(NSDF_SOURCE_DIR))
    if (c.command == "run") commands.push_back(c);
  // Training runs first: later commands build on them (experiment.model).
  auto trains = [](const test::DocumentedCommand& c) {
    const core::ConfigNode file =
        core::load_config((fs::path(NSDF_SOURCE_DIR) / c.config).string());
    const std::string type = scalar_at(file, "experiment", "type");
    return type == "train" || type == "fit";
  };
  std::stable_partition(commands.begin(), commands.end(), trains);
  std::map<std::string, std::string> runs;  // config folder -> its last training run
  int count = 0;
  for (const auto& c : commands) {
    SCOPED_TRACE(c.where() + ": nsdf run " + c.config + " " + core::join(c.overrides, " "));
    const std::string config = (fs::path(NSDF_SOURCE_DIR) / c.config).string();
    try {
      const fs::path out = run_command(c, config, stand_ins(c, config, runs));
      const core::ConfigNode file = core::load_config(config);
      if (scalar_at(file, "experiment", "type") == "train")
        runs[fs::path(c.config).parent_path().generic_string()] = out.string();
      ++count;
    } catch (const core::Error& e) {
      ADD_FAILURE() << e.what();
    }
  }
  EXPECT_GE(count, 30);  // fit, quickstart, deepsdf (train, reconstruct, interpolate), igr
}

}  // namespace
}  // namespace nsdf::experiments
