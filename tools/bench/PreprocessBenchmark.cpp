// One shape through DeepSDF's full preprocessing protocol, as `nsdf preprocess` runs it: 500k
// SDF samples (near-surface + uniform, exact distances, winding-number signs), 30k surface
// points, 4 depth views of 256 x 256, and the parts separately. DeepSDF's own preprocessing
// (OpenGL + Pangolin) takes about a minute per ShapeNet mesh (FACTS.md).
//
// Meshes come from NSDF_BENCH_MESHES (space-separated paths); run_preprocess_benchmarks.sh passes
// the chairs of ../shared/data. Each mesh gets a WholeShape benchmark; the first also gets the
// parts (Sdf500k, Surface30k, Views4).

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "geometry/DepthViews.h"
#include "geometry/MeshIo.h"
#include "geometry/Normalization.h"
#include "geometry/OrientFaces.h"
#include "geometry/Sampling.h"
#include "geometry/SignedDistance.h"
#include "preprocessing/ShapeSampling.h"

namespace {

using namespace nsdf;

void whole_shape(benchmark::State& state, const geometry::Mesh& mesh) {
  const preprocessing::SamplingOptions options;  // DeepSDF's defaults + 4 views
  for (auto _ : state) {
    auto record = preprocessing::sample_shape(mesh, options, 0, "bench");
    benchmark::DoNotOptimize(record.pos.data());
  }
  state.counters["faces"] = static_cast<double>(mesh.F.size());
}

void sdf_only(benchmark::State& state, const geometry::Mesh& mesh) {
  preprocessing::SamplingOptions options;
  options.surface_points = 0;
  options.views.count = 0;
  for (auto _ : state) {
    auto record = preprocessing::sample_shape(mesh, options, 0, "bench");
    benchmark::DoNotOptimize(record.pos.data());
  }
}

void surface_only(benchmark::State& state, const geometry::Mesh& mesh) {
  for (auto _ : state) {
    auto cloud = geometry::sample_surface(mesh, 30000, 0);
    benchmark::DoNotOptimize(cloud.P.data());
  }
}

void views_only(benchmark::State& state, const geometry::Mesh& mesh) {
  const geometry::Mesh normalized =
      geometry::normalize_mesh(geometry::unit_sphere_normalization(mesh), mesh);
  const geometry::TriangleBvh bvh(normalized);
  const auto cameras = geometry::cameras_on_sphere({});
  for (auto _ : state) {
    auto views = geometry::render_depth_views(bvh, cameras);
    benchmark::DoNotOptimize(views.data());
  }
}

}  // namespace

int main(int argc, char** argv) {
  const char* env = std::getenv("NSDF_BENCH_MESHES");
  if (!env || !*env) {
    std::cerr << "set NSDF_BENCH_MESHES to space-separated mesh paths "
                 "(tools/bench/run_preprocess_benchmarks.sh does)\n";
    return 2;
  }
  static std::vector<geometry::Mesh> meshes;
  std::vector<std::string> names;
  std::istringstream paths(env);
  for (std::string path; paths >> path;) {
    meshes.push_back(geometry::read_mesh(path));
    names.push_back(std::filesystem::path(path).stem().string());
  }
  for (size_t i = 0; i < meshes.size(); ++i) {
    benchmark::RegisterBenchmark(("WholeShape/" + names[i]).c_str(), whole_shape,
                                 std::cref(meshes[i]))
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  benchmark::RegisterBenchmark(("Sdf500k/" + names[0]).c_str(), sdf_only, std::cref(meshes[0]))
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark(("Surface30k/" + names[0]).c_str(), surface_only,
                               std::cref(meshes[0]))
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::RegisterBenchmark(("Views4x256/" + names[0]).c_str(), views_only,
                               std::cref(meshes[0]))
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime();
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
