// GeometryBenchmark.cpp
//
// What it measures (Google Benchmark, real time; plain C++, no LibTorch)
//   The geometry core on synthetic data generated at start-up, so that no file is needed:
//
//   parse/<format>/torus       parse_ply / parse_obj of a file held in memory (pure parsing)
//   read_mesh/<format>/torus   read_mesh from the file (page cache warm: read + parse + validate)
//       The mesh is marching cubes of a torus SDF (R 0.6, r 0.3) on a 320^3 grid over [-1, 1]^3,
//       523,408 triangles and 261,704 vertices, written by write_mesh to a temporary folder as
//       ascii PLY, binary PLY and OBJ. Counters: bytes_per_second (file bytes),
//       items_per_second (= faces/s).
//   kdtree_build/<n>/threads:<t>
//       KdTree construction on n = 100k and 1M points (items/s = points/s).
//   kdtree_nearest/tree:<n>/queries:100k/threads:<t>
//   kdtree_knn16/tree:100k/queries:100k/threads:<t>
//       nearest_all / knn_all (k = 16) of 100k queries on a prebuilt tree (items/s = queries/s).
//   chamfer/100k_x_100k/threads:<t>
//       What a Chamfer evaluation costs: match_surfaces (two KD-trees, nearest in both
//       directions) + surface_metrics; items/s = points of both sets per second. The counter
//       chamfer_l1 is the value, for checking against another implementation.
//   nearest_small/{brute_force,kdtree_query,kdtree_build+query}/10k_x_10k/threads:1
//       10k nearest-point queries on 10k points by exhaustive search vs the KD-tree, to show the
//       speed-up; the KD-tree answers are checked against brute force (counter matches = 1).
//
//   <t> is the TBB thread limit (tbb::global_control), 1 or 2. Building a tree is serial
//   (nanoflann), so build times should not depend on it; the query batches are parallel.
//
//   Point sets are area-uniform samples (Sampling.h) of marching-cubes meshes of the torus: tree
//   points and Chamfer "ground truth" from the 320^3 mesh, queries and Chamfer "prediction" from
//   a 128^3 mesh of the same torus (a coarser reconstruction), all with fixed seeds.
//
// How to build
//   cmake -S /work/main -B /tmp/build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release
//   cmake --build /tmp/build-bench --target nsdf_bench_geometry -j2
//
// How to run
//   /tmp/build-bench/tools/nsdf_bench_geometry
//   /tmp/build-bench/tools/nsdf_bench_geometry --benchmark_filter='kdtree|chamfer'
//   tools/bench/run_geometry_benchmarks.sh [build_dir] [out_dir]   # everything + scipy comparison
//
// Environment
//   NSDF_BENCH_DATA=/work/shared/data   also parse stanford/bun_zipper.ply (ascii mesh) and
//                                       srb/gargoyle.ply (binary point cloud) when present.
//   NSDF_BENCH_POINTS_DIR=<dir>         write the point sets as float32 .npy files (N x 3) there
//                                       (tree_100k, tree_1M, queries_100k, chamfer_pred,
//                                       chamfer_gt, small_points, small_queries), for the scipy
//                                       comparison in run_geometry_benchmarks.sh.
//   NSDF_BENCH_TMP=<dir>                where the mesh files go (default: a new folder under
//                                       $TMPDIR or /tmp, removed at exit).

#include <benchmark/benchmark.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "BenchCommon.h"
#include "geometry/AnalyticShapes.h"
#include "geometry/KdTree.h"
#include "geometry/MarchingCubes.h"
#include "geometry/Mesh.h"
#include "geometry/MeshIo.h"
#include "geometry/Npy.h"
#include "geometry/ObjIo.h"
#include "geometry/PlyIo.h"
#include "geometry/Sampling.h"
#include "geometry/SurfaceDistance.h"

namespace g = nsdf::geometry;
namespace fs = std::filesystem;

namespace {

using nsdf::bench::register_ms;

// ---------------------------------------------------------------------------------------------
// Synthetic data, built once on first use.

constexpr int kFineResolution = 320;    // 523,408 triangles
constexpr int kCoarseResolution = 128;  // a coarser "reconstruction" of the same torus

g::Mesh torus_mesh(int resolution) {
  g::AnalyticShape torus;
  torus.kind = g::AnalyticShape::Kind::Torus;
  torus.size = {0.6, 0.3, 0.0};
  const int n = resolution + 1;
  const double h = 2.0 / resolution;
  std::vector<float> values(static_cast<size_t>(n) * n * n);
  tbb::parallel_for(0, n, [&](int k) {
    for (int j = 0; j < n; ++j)
      for (int i = 0; i < n; ++i)
        values[i + static_cast<size_t>(n) * (j + static_cast<size_t>(n) * k)] =
            static_cast<float>(torus.sdf({-1 + h * i, -1 + h * j, -1 + h * k}));
  });
  return g::marching_cubes(values, {n, n, n}, {-1, -1, -1}, h);
}

const g::Mesh& fine_torus() {
  static const g::Mesh mesh = torus_mesh(kFineResolution);
  return mesh;
}

const g::Mesh& coarse_torus() {
  static const g::Mesh mesh = torus_mesh(kCoarseResolution);
  return mesh;
}

std::vector<g::Vec3f> samples(const g::Mesh& mesh, int64_t n, uint64_t seed) {
  return g::sample_surface(mesh, n, seed).P;
}

struct PointSets {
  std::vector<g::Vec3f> tree_100k, tree_1M, queries_100k;
  g::PointCloud chamfer_pred, chamfer_gt;
  std::vector<g::Vec3f> small_points, small_queries;
};

void export_points(const PointSets& s) {
  const char* dir = std::getenv("NSDF_BENCH_POINTS_DIR");
  if (dir == nullptr || *dir == '\0') return;
  fs::create_directories(dir);
  auto write = [&](const std::string& name, const std::vector<g::Vec3f>& P) {
    std::vector<float> flat;
    flat.reserve(P.size() * 3);
    for (const auto& p : P) flat.insert(flat.end(), p.begin(), p.end());
    g::write_npy((fs::path(dir) / (name + ".npy")).string(), flat,
                 {static_cast<int64_t>(P.size()), 3});
  };
  write("tree_100k", s.tree_100k);
  write("tree_1M", s.tree_1M);
  write("queries_100k", s.queries_100k);
  write("chamfer_pred", s.chamfer_pred.P);
  write("chamfer_gt", s.chamfer_gt.P);
  write("small_points", s.small_points);
  write("small_queries", s.small_queries);
}

const PointSets& point_sets() {
  static const PointSets sets = [] {
    PointSets s;
    s.tree_100k = samples(fine_torus(), 100'000, 1);
    s.tree_1M = samples(fine_torus(), 1'000'000, 2);
    s.queries_100k = samples(coarse_torus(), 100'000, 3);
    s.chamfer_gt = g::evaluation_points(fine_torus(), 100'000, 4);
    s.chamfer_pred = g::evaluation_points(coarse_torus(), 100'000, 5);
    s.small_points = samples(fine_torus(), 10'000, 6);
    s.small_queries = samples(coarse_torus(), 10'000, 7);
    export_points(s);
    return s;
  }();
  return sets;
}

// ---------------------------------------------------------------------------------------------
// Mesh files.

std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class TempDir {
 public:
  TempDir() {
    if (const char* dir = std::getenv("NSDF_BENCH_TMP"); dir != nullptr && *dir != '\0') {
      path_ = dir;
      fs::create_directories(path_);
      return;
    }
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") +
                          "/nsdf-bench-geometry-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
    owned_ = true;
  }
  ~TempDir() {
    std::error_code ec;
    if (owned_) fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool owned_ = false;
};

enum class Format { PlyAscii, PlyBinary, Obj };

struct MeshFile {
  std::string path;
  std::string bytes;
  int64_t faces = 0;
  int64_t vertices = 0;
};

TempDir& temp_dir() {
  static TempDir dir;
  return dir;
}

const MeshFile& torus_file(Format format) {
  static std::array<std::unique_ptr<MeshFile>, 3> files;
  auto& file = files[static_cast<int>(format)];
  if (!file) {
    file = std::make_unique<MeshFile>();
    const g::Mesh& mesh = fine_torus();
    const char* name = format == Format::PlyAscii    ? "torus_ascii.ply"
                       : format == Format::PlyBinary ? "torus_binary.ply"
                                                     : "torus.obj";
    file->path = (fs::path(temp_dir().path()) / name).string();
    g::write_mesh(mesh, file->path, /*binary=*/format != Format::PlyAscii);
    file->bytes = read_bytes(file->path);
    file->faces = static_cast<int64_t>(mesh.F.size());
    file->vertices = static_cast<int64_t>(mesh.V.size());
  }
  return *file;
}

void set_file_counters(benchmark::State& state, int64_t bytes, int64_t items, int64_t faces,
                       int64_t vertices) {
  state.SetBytesProcessed(state.iterations() * bytes);
  state.SetItemsProcessed(state.iterations() * items);
  state.counters["file_MB"] = static_cast<double>(bytes) / 1e6;
  state.counters["faces"] = static_cast<double>(faces);
  state.counters["vertices"] = static_cast<double>(vertices);
}

void bm_parse_torus(benchmark::State& state, Format format) {
  const MeshFile& file = torus_file(format);
  for (auto _ : state) {
    g::Mesh mesh = format == Format::Obj ? g::parse_obj(file.bytes, file.path)
                                         : g::parse_ply(file.bytes, file.path);
    benchmark::DoNotOptimize(mesh.F.data());
    if (static_cast<int64_t>(mesh.F.size()) != file.faces) state.SkipWithError("face count");
  }
  set_file_counters(state, static_cast<int64_t>(file.bytes.size()), file.faces, file.faces,
                    file.vertices);
}

void bm_read_mesh_torus(benchmark::State& state, Format format) {
  const MeshFile& file = torus_file(format);
  for (auto _ : state) {
    g::Mesh mesh = g::read_mesh(file.path);
    benchmark::DoNotOptimize(mesh.F.data());
    if (static_cast<int64_t>(mesh.F.size()) != file.faces) state.SkipWithError("face count");
  }
  set_file_counters(state, static_cast<int64_t>(file.bytes.size()), file.faces, file.faces,
                    file.vertices);
}

// A real file from NSDF_BENCH_DATA: a mesh (items = faces) or a point cloud (items = points).
void bm_parse_real(benchmark::State& state, std::string path, bool point_cloud) {
  const std::string bytes = read_bytes(path);
  int64_t faces = 0, vertices = 0;
  for (auto _ : state) {
    if (point_cloud) {
      g::PointCloud cloud = g::parse_ply_point_cloud(bytes, path);
      benchmark::DoNotOptimize(cloud.P.data());
      vertices = static_cast<int64_t>(cloud.P.size());
    } else {
      g::Mesh mesh = g::parse_ply(bytes, path);
      benchmark::DoNotOptimize(mesh.F.data());
      faces = static_cast<int64_t>(mesh.F.size());
      vertices = static_cast<int64_t>(mesh.V.size());
    }
  }
  set_file_counters(state, static_cast<int64_t>(bytes.size()), point_cloud ? vertices : faces,
                    faces, vertices);
}

// ---------------------------------------------------------------------------------------------
// KD-tree, Chamfer, brute force.

void bm_kdtree_build(benchmark::State& state, const std::vector<g::Vec3f>* points, int threads) {
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
  for (auto _ : state) {
    g::KdTree tree(*points);  // includes copying the points, as every caller pays it
    benchmark::DoNotOptimize(&tree);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(points->size()));
  state.counters["threads"] = threads;
}

void bm_kdtree_nearest(benchmark::State& state, const std::vector<g::Vec3f>* points, int threads) {
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
  const auto& queries = point_sets().queries_100k;
  const g::KdTree tree(*points);
  double sum = 0;
  for (auto _ : state) {
    const std::vector<g::Neighbor> hits = tree.nearest_all(queries);
    benchmark::DoNotOptimize(hits.data());
    sum = 0;
    for (const auto& h : hits) sum += std::sqrt(h.squared_distance);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(queries.size()));
  state.counters["threads"] = threads;
  state.counters["mean_dist"] = sum / static_cast<double>(queries.size());
}

void bm_kdtree_knn(benchmark::State& state, int k, int threads) {
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
  const auto& queries = point_sets().queries_100k;
  const g::KdTree tree(point_sets().tree_100k);
  std::vector<int32_t> indices;
  std::vector<float> sq_dists;
  for (auto _ : state) {
    tree.knn_all(queries, k, indices, sq_dists);
    benchmark::DoNotOptimize(indices.data());
    benchmark::DoNotOptimize(sq_dists.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(queries.size()));
  state.counters["threads"] = threads;
  state.counters["k"] = k;
}

void bm_chamfer(benchmark::State& state, int threads) {
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
  const auto& pred = point_sets().chamfer_pred;
  const auto& gt = point_sets().chamfer_gt;
  g::SurfaceMetrics metrics;
  for (auto _ : state) {
    const g::SurfaceMatch match = g::match_surfaces(pred.P, gt.P);
    metrics = g::surface_metrics(pred, gt, match, 0.01);
    benchmark::DoNotOptimize(&metrics);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(pred.P.size() + gt.P.size()));
  state.counters["threads"] = threads;
  state.counters["chamfer_l1"] = metrics.chamfer_l1;
  state.counters["chamfer_l2"] = metrics.chamfer_l2;
}

// Exhaustive nearest point, ties to the lowest index, float arithmetic like the KD-tree. The
// squared distances to all points are computed first (structure of arrays, a loop the compiler
// vectorises), then the first minimum is taken: a fair brute force, not a strawman.
std::vector<g::Neighbor> brute_force_nearest(const std::vector<g::Vec3f>& points,
                                             const std::vector<g::Vec3f>& queries) {
  const size_t n = points.size();
  std::vector<float> xs(n), ys(n), zs(n), d(n);
  for (size_t i = 0; i < n; ++i) {
    xs[i] = points[i][0];
    ys[i] = points[i][1];
    zs[i] = points[i][2];
  }
  std::vector<g::Neighbor> out(queries.size());
  for (size_t q = 0; q < queries.size(); ++q) {
    const float qx = queries[q][0], qy = queries[q][1], qz = queries[q][2];
    for (size_t i = 0; i < n; ++i) {
      const float dx = xs[i] - qx, dy = ys[i] - qy, dz = zs[i] - qz;
      d[i] = dx * dx + dy * dy + dz * dz;
    }
    const auto best = std::min_element(d.begin(), d.end());
    out[q] = {static_cast<int32_t>(best - d.begin()), *best};
  }
  return out;
}

enum class SmallMode { BruteForce, KdQuery, KdBuildAndQuery };

void bm_nearest_small(benchmark::State& state, SmallMode mode) {
  tbb::global_control limit(tbb::global_control::max_allowed_parallelism, 1);
  const auto& points = point_sets().small_points;
  const auto& queries = point_sets().small_queries;
  const g::KdTree prebuilt(points);
  std::vector<g::Neighbor> hits;
  for (auto _ : state) {
    switch (mode) {
      case SmallMode::BruteForce:
        hits = brute_force_nearest(points, queries);
        break;
      case SmallMode::KdQuery:
        hits = prebuilt.nearest_all(queries);
        break;
      case SmallMode::KdBuildAndQuery: {
        const g::KdTree tree(points);
        hits = tree.nearest_all(queries);
        break;
      }
    }
    benchmark::DoNotOptimize(hits.data());
  }
  // Both methods must give the same neighbours (equal distances; the index may differ only
  // between exactly equidistant points, where both take the lowest).
  const std::vector<g::Neighbor> reference = mode == SmallMode::BruteForce
                                                  ? prebuilt.nearest_all(queries)
                                                  : brute_force_nearest(points, queries);
  state.counters["matches"] = hits == reference ? 1 : 0;
  if (hits != reference) state.SkipWithError("KD-tree and brute force disagree");
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(queries.size()));
  state.counters["threads"] = 1;
}

// ---------------------------------------------------------------------------------------------

std::string data_file(const char* relative) {
  const char* root = std::getenv("NSDF_BENCH_DATA");
  if (root == nullptr || *root == '\0') return {};
  const fs::path path = fs::path(root) / relative;
  return fs::exists(path) ? path.string() : std::string();
}

void register_benchmarks() {
  const std::array<std::pair<Format, const char*>, 3> formats = {
      {{Format::PlyAscii, "ply_ascii"}, {Format::PlyBinary, "ply_binary"}, {Format::Obj, "obj"}}};
  for (const auto& [format, name] : formats) {
    register_ms("parse/" + std::string(name) + "/torus", bm_parse_torus, format);
  }
  for (const auto& [format, name] : formats) {
    register_ms("read_mesh/" + std::string(name) + "/torus", bm_read_mesh_torus, format);
  }
  if (const std::string bunny = data_file("stanford/bun_zipper.ply"); !bunny.empty()) {
    register_ms("parse/ply_ascii/bun_zipper", bm_parse_real, bunny, false);
  }
  if (const std::string gargoyle = data_file("srb/gargoyle.ply"); !gargoyle.empty()) {
    register_ms("parse_points/ply_binary/gargoyle", bm_parse_real, gargoyle, true);
  }

  // Point sets are created on first use: only the benchmarks that run pay for them.
  struct Lazy {
    static const std::vector<g::Vec3f>* p100k() { return &point_sets().tree_100k; }
    static const std::vector<g::Vec3f>* p1M() { return &point_sets().tree_1M; }
  };

  for (int threads : {1, 2}) {
    const std::string t = "/threads:" + std::to_string(threads);
    register_ms("kdtree_build/100k" + t,
                [threads](benchmark::State& s) { bm_kdtree_build(s, Lazy::p100k(), threads); });
    register_ms("kdtree_build/1M" + t,
                [threads](benchmark::State& s) { bm_kdtree_build(s, Lazy::p1M(), threads); });
    register_ms("kdtree_nearest/tree:100k/queries:100k" + t,
                [threads](benchmark::State& s) { bm_kdtree_nearest(s, Lazy::p100k(), threads); });
    register_ms("kdtree_nearest/tree:1M/queries:100k" + t,
                [threads](benchmark::State& s) { bm_kdtree_nearest(s, Lazy::p1M(), threads); });
    register_ms("kdtree_knn16/tree:100k/queries:100k" + t, bm_kdtree_knn, 16, threads);
    register_ms("chamfer/100k_x_100k" + t, bm_chamfer, threads);
  }
  register_ms("nearest_small/brute_force/10k_x_10k/threads:1", bm_nearest_small,
              SmallMode::BruteForce);
  register_ms("nearest_small/kdtree_query/10k_x_10k/threads:1", bm_nearest_small,
              SmallMode::KdQuery);
  register_ms("nearest_small/kdtree_build+query/10k_x_10k/threads:1", bm_nearest_small,
              SmallMode::KdBuildAndQuery);
}

}  // namespace

int main(int argc, char** argv) {
  return nsdf::bench::run_benchmarks(argc, argv, [] {
    benchmark::AddCustomContext("torus_mesh", "marching cubes " + std::to_string(kFineResolution) +
                                                  "^3 of torus R=0.6 r=0.3");
    if (const char* data = std::getenv("NSDF_BENCH_DATA")) {
      benchmark::AddCustomContext("NSDF_BENCH_DATA", data);
    }
    // The scipy comparison needs the point files even when no KD-tree benchmark is selected.
    if (const char* dir = std::getenv("NSDF_BENCH_POINTS_DIR"); dir != nullptr && *dir != '\0') {
      point_sets();
    }
    register_benchmarks();
    return 0;
  });
}
