// SignedDistanceBenchmark.cpp
//
// What it measures (Google Benchmark, real time; plain C++, no LibTorch)
//   Signed distances of DeepSDF-style sample points to a real mesh, the core of mesh
//   preprocessing, and its parts, so that run_signed_distance_benchmarks.sh can put them side by
//   side with Open3D's RaycastingScene on the same points.
//
//   Mesh: NSDF_BENCH_MESH (default /work/shared/data/stanford/bun_zipper.ply, the Stanford bunny,
//   69,451 triangles with holes in its base), normalized as DeepSDF does (bounding box centre to
//   the origin, farthest vertex at 1 / 1.03). Points: NSDF_BENCH_SAMPLES (default 500,000), 47%
//   area-uniform surface samples + N(0, 0.005) per axis (variance, i.e. sigma 0.0707), 47% +
//   N(0, 0.0005) (sigma 0.0224), 6% uniform in [-1, 1]^3 (DeepSDF's training recipe), shuffled,
//   fixed seeds.
//
//   sdf_total/<n>/threads:<t>        SignedDistance construction (orient_faces, TriangleBvh,
//                                    FastWindingNumber) + signed_distances of all points: what
//                                    one shape costs. Compare with Open3D's scene +
//                                    compute_distance.
//   sdf_query/<n>/threads:<t>        signed_distances on a prebuilt SignedDistance.
//                                    Compare with Open3D's compute_distance on a built scene.
//   sdf_build/threads:<t>            SignedDistance construction alone.
//   unsigned_query/<n>/threads:<t>   TriangleBvh::distances (the unsigned part alone).
//   winding_query/<n>/threads:<t>    FastWindingNumber::winding_numbers (the sign part alone).
//   parity_query/<n/10>/threads:<t>  signed_distances with the ray-parity sign (5 rays), on the
//                                    first tenth of the points (it is slower).
//   <t> is the TBB thread limit (tbb::global_control), 1 or 2. Counters: items_per_second
//   (points/s), inside (fraction of negative distances), threads.
//
// How to build
//   cmake -S /work/main -B /tmp/build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release
//   cmake --build /tmp/build-bench --target nsdf_bench_signed_distance -j2
//
// How to run
//   /tmp/build-bench/tools/nsdf_bench_signed_distance
//   tools/bench/run_signed_distance_benchmarks.sh [build_dir] [out_dir]   # + Open3D, interleaved
//
// Environment
//   NSDF_BENCH_MESH=<file>        the mesh (any format read_mesh reads)
//   NSDF_BENCH_SAMPLES=<n>        number of points (default 500000)
//   NSDF_BENCH_POINTS_DIR=<dir>   write vertices.npy (float32 #V x 3, normalized), faces.npy
//                                 (int32 #F x 3), points.npy (float32 n x 3) and sdf.npy (float32
//                                 n, nsdf's signed distances with default options) there, for the
//                                 Open3D side and the value comparison.

#include <benchmark/benchmark.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "BenchCommon.h"
#include "geometry/Mesh.h"
#include "geometry/MeshIo.h"
#include "geometry/Normalization.h"
#include "geometry/Npy.h"
#include "geometry/Sampling.h"
#include "geometry/SignedDistance.h"
#include "geometry/TriangleBvh.h"
#include "geometry/WindingNumber.h"

namespace g = nsdf::geometry;
namespace fs = std::filesystem;

namespace {

using nsdf::bench::register_ms;

std::string env_or(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

struct Data {
  g::Mesh mesh;
  std::vector<g::Vec3f> points;
};

// DeepSDF's sample recipe (FACTS.md): 47% + N(0, 0.005), 47% + N(0, 0.0005) (variances), 6%
// uniform in [-1, 1]^3, in the unit-sphere normalization with buffer 1.03.
Data make_data() {
  Data d;
  const g::Mesh original =
      g::read_mesh(env_or("NSDF_BENCH_MESH", "/work/shared/data/stanford/bun_zipper.ply"));
  d.mesh = g::normalize_mesh(g::unit_sphere_normalization(original, 1.03), original);
  const int64_t n = std::stoll(env_or("NSDF_BENCH_SAMPLES", "500000"));
  const int64_t n_uniform = n * 6 / 100, n_surface = n - n_uniform, n_wide = n_surface / 2;
  const std::vector<g::Vec3f> surface = g::sample_surface(d.mesh, n_surface, 1).P;
  std::mt19937_64 rng(2);
  std::normal_distribution<float> wide(0.0f, std::sqrt(0.005f)), narrow(0.0f, std::sqrt(0.0005f));
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  d.points.reserve(n);
  for (int64_t i = 0; i < n_surface; ++i) {
    auto& noise = i < n_wide ? wide : narrow;
    const g::Vec3f& p = surface[i];
    d.points.push_back({p[0] + noise(rng), p[1] + noise(rng), p[2] + noise(rng)});
  }
  for (int64_t i = 0; i < n_uniform; ++i)
    d.points.push_back({uniform(rng), uniform(rng), uniform(rng)});
  // Shuffled: a sampler hands points over in no useful order, so the batch sorting is measured.
  std::shuffle(d.points.begin(), d.points.end(), rng);
  return d;
}

const Data& data() {
  static const Data d = make_data();
  return d;
}

void export_data(const std::string& dir) {
  const Data& d = data();
  fs::create_directories(dir);
  auto flat = [](const std::vector<g::Vec3f>& P) {
    std::vector<float> out;
    out.reserve(P.size() * 3);
    for (const g::Vec3f& p : P) out.insert(out.end(), p.begin(), p.end());
    return out;
  };
  g::write_npy((fs::path(dir) / "vertices.npy").string(), flat(d.mesh.V),
               {static_cast<int64_t>(d.mesh.V.size()), 3});
  g::NpyArray faces;
  faces.dtype = "<i4";
  faces.shape = {static_cast<int64_t>(d.mesh.F.size()), 3};
  for (const g::Tri& t : d.mesh.F) faces.data.insert(faces.data.end(), t.begin(), t.end());
  g::write_npy((fs::path(dir) / "faces.npy").string(), faces);
  g::write_npy((fs::path(dir) / "points.npy").string(), flat(d.points),
               {static_cast<int64_t>(d.points.size()), 3});
  const std::vector<float> sdf = g::SignedDistance(d.mesh).signed_distances(d.points);
  g::write_npy((fs::path(dir) / "sdf.npy").string(), sdf, {static_cast<int64_t>(sdf.size())});
}

double inside_fraction(const std::vector<float>& sdf) {
  int64_t inside = 0;
  for (float v : sdf) inside += v < 0;
  return static_cast<double>(inside) / static_cast<double>(std::max<size_t>(1, sdf.size()));
}

void finish(benchmark::State& state, int64_t items, int threads) {
  state.SetItemsProcessed(state.iterations() * items);
  state.counters["threads"] = threads;
}

void bm_sdf_total(benchmark::State& state, int threads) {
  const Data& d = data();
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
  std::vector<float> sdf;
  for (auto _ : state) {
    const g::SignedDistance field(d.mesh);
    sdf = field.signed_distances(d.points);
    benchmark::DoNotOptimize(sdf.data());
  }
  finish(state, static_cast<int64_t>(d.points.size()), threads);
  state.counters["inside"] = inside_fraction(sdf);
}

void bm_sdf_query(benchmark::State& state, int threads) {
  const Data& d = data();
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
  const g::SignedDistance field(d.mesh);
  std::vector<float> sdf;
  for (auto _ : state) {
    sdf = field.signed_distances(d.points);
    benchmark::DoNotOptimize(sdf.data());
  }
  finish(state, static_cast<int64_t>(d.points.size()), threads);
  state.counters["inside"] = inside_fraction(sdf);
}

void bm_sdf_build(benchmark::State& state, int threads) {
  const Data& d = data();
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
  for (auto _ : state) {
    const g::SignedDistance field(d.mesh);
    benchmark::DoNotOptimize(&field);
  }
  finish(state, static_cast<int64_t>(d.mesh.F.size()), threads);
}

void bm_unsigned_query(benchmark::State& state, int threads) {
  const Data& d = data();
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
  const g::TriangleBvh bvh(d.mesh);
  for (auto _ : state) {
    std::vector<float> dist = bvh.distances(d.points);
    benchmark::DoNotOptimize(dist.data());
  }
  finish(state, static_cast<int64_t>(d.points.size()), threads);
}

void bm_winding_query(benchmark::State& state, int threads) {
  const Data& d = data();
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
  const g::FastWindingNumber winding(std::make_shared<const g::TriangleBvh>(d.mesh));
  for (auto _ : state) {
    std::vector<float> w = winding.winding_numbers(d.points);
    benchmark::DoNotOptimize(w.data());
  }
  finish(state, static_cast<int64_t>(d.points.size()), threads);
}

void bm_parity_query(benchmark::State& state, int threads) {
  const Data& d = data();
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
  g::SignedDistanceOptions options;
  options.sign_method = g::SignMethod::RayParity;
  const g::SignedDistance field(d.mesh, options);
  const std::vector<g::Vec3f> points(d.points.begin(), d.points.begin() + d.points.size() / 10);
  std::vector<float> sdf;
  for (auto _ : state) {
    sdf = field.signed_distances(points);
    benchmark::DoNotOptimize(sdf.data());
  }
  finish(state, static_cast<int64_t>(points.size()), threads);
  state.counters["inside"] = inside_fraction(sdf);
}

void register_benchmarks() {
  const std::string n = std::to_string(data().points.size());
  const std::string tenth = std::to_string(data().points.size() / 10);
  for (int threads : {1, 2}) {
    const std::string t = "/threads:" + std::to_string(threads);
    register_ms("sdf_total/" + n + t, bm_sdf_total, threads);
    register_ms("sdf_query/" + n + t, bm_sdf_query, threads);
    register_ms("sdf_build" + t, bm_sdf_build, threads);
    register_ms("unsigned_query/" + n + t, bm_unsigned_query, threads);
    register_ms("winding_query/" + n + t, bm_winding_query, threads);
    register_ms("parity_query/" + tenth + t, bm_parity_query, threads);
  }
}

}  // namespace

int main(int argc, char** argv) {
  return nsdf::bench::run_benchmarks(argc, argv, [] {
    const std::string mesh = env_or("NSDF_BENCH_MESH", "/work/shared/data/stanford/bun_zipper.ply");
    if (!fs::exists(mesh)) {
      std::fprintf(stderr, "nsdf_bench_signed_distance: mesh %s not found (set NSDF_BENCH_MESH)\n",
                   mesh.c_str());
      return 1;
    }
    benchmark::AddCustomContext("mesh", mesh);
    benchmark::AddCustomContext("mesh_faces", std::to_string(data().mesh.F.size()));
    benchmark::AddCustomContext("points", std::to_string(data().points.size()));
    if (const std::string dir = env_or("NSDF_BENCH_POINTS_DIR", ""); !dir.empty()) {
      export_data(dir);
    }
    register_benchmarks();
    return 0;
  });
}
