// An IGR shape space (Gropp et al. 2020, Sec. 5) learned end to end through the `train`
// experiment from a `point_clouds` dataset: spheres of three radii, 1000 oriented points each,
// one latent code per shape. The loss must fall, and each shape's code must give a field whose
// zero level set is that shape's sphere rather than the others'.

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/Checkpoint.h"
#include "core/Log.h"
#include "experiments/Registries.h"
#include "experiments/Runner.h"
#include "geometry/MeshIo.h"
#include "geometry/TestMeshes.h"
#include "support/TestFiles.h"

namespace nsdf::experiments {
namespace {

namespace fs = std::filesystem;

constexpr double kRadii[] = {0.3, 0.5, 0.7};
constexpr int64_t kShapes = 3;

std::vector<double> logged_losses(const fs::path& metrics) {
  std::vector<double> out;
  std::ifstream in(metrics);
  std::string line;
  while (std::getline(in, line)) out.push_back(std::stod(line.substr(line.find("\"loss\": ") + 8)));
  return out;
}

/// n points of the sphere of radius r about the origin (a Fibonacci lattice), [n, 3].
torch::Tensor sphere_points(int64_t n, double r) {
  std::vector<float> p;
  const double golden = 3.14159265358979323846 * (3.0 - std::sqrt(5.0));
  for (int64_t i = 0; i < n; ++i) {
    const double z = 1.0 - 2.0 * (double(i) + 0.5) / double(n);
    const double s = std::sqrt(1.0 - z * z), phi = golden * double(i);
    p.insert(p.end(), {float(r * s * std::cos(phi)), float(r * s * std::sin(phi)), float(r * z)});
  }
  return torch::from_blob(p.data(), {n, 3}).clone();
}

TEST(IgrShapeSpace, EachCodeGivesItsOwnSphere) {
  core::log::set_console(false);
  Registries r;
  register_builtins(r);
  test::TempDir dir;
  const fs::path root = dir.path() / "spheres";
  fs::create_directories(root);
  for (int64_t k = 0; k < kShapes; ++k) {
    geometry::write_mesh(geometry::test_meshes::icosphere(kRadii[k], 5),
                         (root / ("sphere_" + std::to_string(k) + ".ply")).string());
  }
  // The recipe of IGR's D-Faust shape space at toy size: 1e-3 * mean ||z||, decoder and codes
  // with their own learning rates; `center` keeps the spheres' sizes. Codes start small, not at
  // zero as in IGR: the igr decoder's geometric init zeroes the latent columns of its first
  // layer, and zero codes with zero columns get no gradient at all.
  const std::string config = dir.write("igr_spheres.yaml", R"(
experiment: {type: train, epochs: 200, shapes_per_batch: 3, samples_per_shape: 500,
             checkpoint_every: 200}
data: {type: point_clouds, root: spheres, points_per_shape: 1000, normalize: center}
model: {type: igr, dims: [64, 64, 64, 64], skip_in: [2], radius: 0.5}
latent: {type: table, size: 8, init_std: 0.01}
loss: {type: igr, code_reg: 1.0e-3}
optimizer: {type: adam, lr: 0.005, latent_lr: 0.001}
schedule: {type: constant}
device: cpu
num_threads: 1
)");
  PreparedRun run = prepare_run(r, config, {"runs_dir=" + (dir.path() / "runs").string()});
  const fs::path out = execute_run(run);
  core::log::set_console(true);

  const std::vector<double> l = logged_losses(out / "metrics.jsonl");
  ASSERT_EQ(l.size(), 200u);
  // The last steps' mean (single steps are noisy: each draws its own points).
  double last = 0;
  for (size_t k = l.size() - 10; k < l.size(); ++k) last += l[k] / 10;
  EXPECT_LT(last, 0.05) << "first " << l.front();
  EXPECT_LT(last, 0.1 * l.front());

  // The trained decoder and codes, from the run folder.
  core::Diagnostics diag;
  const auto spec = r.models.parse(run.resolved.get("model"), diag);
  ASSERT_TRUE(diag.empty()) << diag.str();
  const auto decoder = spec.build(models::ModelContext{8});
  core::Checkpoint::load((out / "checkpoints/latest.pt").string()).load_module("decoder", *decoder);
  decoder->eval();
  const core::Checkpoint codes = core::Checkpoint::load((out / "latents/latents.pt").string());

  // err[i][j]: mean |f(z_i, x)| over points x of sphere j (normalized frame: centred spheres).
  torch::NoGradGuard no_grad;
  double err[kShapes][kShapes];
  for (int64_t i = 0; i < kShapes; ++i) {
    const torch::Tensor z = codes.get("sphere_" + std::to_string(i));
    for (int64_t j = 0; j < kShapes; ++j) {
      const torch::Tensor x = sphere_points(500, kRadii[j]);
      err[i][j] = decoder->forward(z.expand({500, 8}), x).abs().mean().item<double>();
    }
  }
  for (int64_t i = 0; i < kShapes; ++i) {
    for (int64_t j = 0; j < kShapes; ++j) {
      if (j != i) {
        EXPECT_LT(err[i][i], err[i][j]) << "code " << i << ", sphere " << j;
      }
    }
    EXPECT_LT(err[i][i], 0.03) << "code " << i;
  }
}

}  // namespace
}  // namespace nsdf::experiments
