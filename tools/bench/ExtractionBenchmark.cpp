// ExtractionBenchmark.cpp
//
// What it measures (Google Benchmark, real time, CPU LibTorch)
//   Meshing the zero level set of a neural SDF at 256^3 on [-1, 1]^3: the dense grid
//   (extract_dense: every one of the 257^3 = 16,974,593 grid points through the network, then
//   marching cubes) against the coarse-to-fine extraction (extract_sparse from a 32^3 coarse
//   grid, safety 1), both from SparseExtraction.h, with the field given by nsdf's decoder_field
//   (NoGradGuard, batches of 65,536 points).
//
//   The networks are IGR-style MLPs (Gropp et al. 2020): Linear layers with Softplus(beta = 100)
//   between them and IGR's geometric initialisation (hidden W ~ N(0, sqrt(2) / sqrt(out)),
//   b = 0; last W ~ N(sqrt(pi) / sqrt(in), 1e-5), b = -0.5), so that without any training the
//   field is close to the SDF of a sphere of radius 0.5, perturbed by the random hidden weights:
//   a closed, bumpy blob inside [-1, 1]^3 with a near-unit gradient, as a network looks at the
//   start of a fit. Fixed seeds.
//
//     mlp4x64  : 3 -> 4 hidden x 64  -> 1                        (dense 256^3 takes seconds)
//     mlp8x512 : 3 -> 8 hidden x 512 -> 1, skip at layer 4      (the IGR / DeepSDF size)
//
//   Benchmarks (each extraction is one iteration; repeat with --benchmark_repetitions):
//     field/<mlp>/batch:65536/torch_threads:<t>
//                                      network throughput alone, items/s = points/s, with
//                                      torch::set_num_threads(t), t = 1, 2
//     extract/<mlp>/dense/256          extract_dense
//     extract/<mlp>/sparse/256         extract_sparse, coarse 32
//     extract/mlp8x512/{dense,sparse}/64  the big network on a grid small enough for dense
//                                      (sparse from coarse 16), to compare meshes
//     extract/torus_sdf/{dense,sparse}/256 an analytic torus SDF (cheap field): what the
//                                      extraction itself costs around the field queries
//   Counters: queries (field evaluations), dense_queries ((res + 1)^3), query_ratio
//   (dense_queries / queries), triangles, vertices, max_abs_coord (largest |coordinate| of a
//   vertex: < 1 means the surface closes inside the grid), items_per_second (= queries/s).
//   A dense 256^3 run of mlp8x512 is not registered (~9 min on this CPU); derive it from
//   field/mlp8x512 throughput instead (run_geometry_benchmarks.sh prints that extrapolation).
//
//   After the run, the program prints one line per mesh (triangles, vertices, a hash of V and F)
//   and checks every (field, resolution) that ran both dense and sparse: it prints the triangle
//   counts and whether the two meshes are identical (same vertices in the same order, same
//   triangles), and exits with status 2 when they differ.
//
// How to build
//   cmake -S /work/main -B /tmp/build-bench -G Ninja -DCMAKE_BUILD_TYPE=Release
//   cmake --build /tmp/build-bench --target nsdf_bench_extraction -j2
//
// How to run
//   /tmp/build-bench/tools/nsdf_bench_extraction --benchmark_filter='mlp4x64'
//   tools/bench/run_geometry_benchmarks.sh [build_dir] [out_dir]
//
// Environment
//   NSDF_BENCH_TORCH_THREADS=<n>  torch::set_num_threads (default 1, see tools/bench/BLAS.md)
//   NSDF_BENCH_SAFETY=<s>         ExtractionOptions::safety of the sparse runs (default 1). The
//                                 mesh lines printed at the end carry a hash of V and F, so a
//                                 sparse mesh can be compared across safety values (a larger
//                                 safety keeps a superset of cells) when dense is too slow.
//   OPENBLAS_CORETYPE             as for nsdf: when unset and OpenBLAS falls back to generic
//                                 kernels, the program re-executes itself with it set
//                                 (nsdf::ensure_fast_blas); the context shows the kernels used.

#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/Blas.h"
#include "geometry/AnalyticShapes.h"
#include "geometry/Mesh.h"
#include "geometry/SparseExtraction.h"
#include "models/Decoder.h"
#include "models/DecoderField.h"

namespace g = nsdf::geometry;

namespace {

constexpr int64_t kBatch = 1 << 16;

// ---------------------------------------------------------------------------------------------
// The network.

class IgrMlpImpl : public nsdf::models::Decoder {
 public:
  IgrMlpImpl(int hidden_layers, int64_t width, std::vector<int> skip_in, double radius,
             uint64_t seed)
      : skip_in_(std::move(skip_in)) {
    torch::manual_seed(seed);
    constexpr int64_t kIn = 3;
    std::vector<int64_t> dims(hidden_layers + 2, width);
    dims.front() = kIn;
    dims.back() = 1;
    for (size_t l = 0; l + 1 < dims.size(); ++l) {
      const bool next_is_skip = is_skip(static_cast<int>(l) + 1);
      const int64_t out = next_is_skip ? dims[l + 1] - kIn : dims[l + 1];
      auto lin = register_module("lin" + std::to_string(l), torch::nn::Linear(dims[l], out));
      torch::NoGradGuard no_grad;
      if (l + 2 == dims.size()) {  // last layer
        lin->weight.normal_(std::sqrt(M_PI) / std::sqrt(static_cast<double>(dims[l])), 1e-5);
        lin->bias.fill_(-radius);
      } else {
        lin->weight.normal_(0.0, std::sqrt(2.0) / std::sqrt(static_cast<double>(out)));
        lin->bias.zero_();
      }
      layers_.push_back(lin);
    }
  }

  torch::Tensor forward(const torch::Tensor& /*latent*/, const torch::Tensor& xyz) override {
    torch::Tensor h = xyz;
    for (size_t l = 0; l < layers_.size(); ++l) {
      if (is_skip(static_cast<int>(l))) h = torch::cat({h, xyz}, 1) / std::sqrt(2.0);
      h = layers_[l]->forward(h);
      if (l + 1 < layers_.size()) h = torch::softplus(h, /*beta=*/100, /*threshold=*/20);
    }
    return h;
  }

  int64_t latent_size() const override { return 0; }

 private:
  bool is_skip(int layer) const {
    for (int s : skip_in_)
      if (s == layer) return true;
    return false;
  }

  std::vector<int> skip_in_;
  std::vector<torch::nn::Linear> layers_;
};
TORCH_MODULE(IgrMlp);

struct Network {
  std::string name;
  IgrMlp mlp{nullptr};
  g::FieldFn field;
};

Network make_network(const std::string& name) {
  Network net;
  net.name = name;
  if (name == "mlp4x64") {
    net.mlp = IgrMlp(4, 64, std::vector<int>{}, 0.5, 1);
  } else if (name == "mlp8x512") {
    net.mlp = IgrMlp(8, 512, std::vector<int>{4}, 0.5, 2);
  } else {
    throw std::invalid_argument("unknown network " + name);
  }
  net.mlp->eval();
  net.field = nsdf::models::decoder_field(*net.mlp, torch::Tensor(), torch::kCPU);
  return net;
}

const Network& network(const std::string& name) {
  static std::map<std::string, std::unique_ptr<Network>> cache;
  auto& slot = cache[name];
  if (!slot) slot = std::make_unique<Network>(make_network(name));
  return *slot;
}

g::FieldFn torus_field() {
  g::AnalyticShape torus;
  torus.kind = g::AnalyticShape::Kind::Torus;
  torus.size = {0.6, 0.3, 0.0};
  return [torus](const float* xyz, int64_t n, float* out) {
    for (int64_t i = 0; i < n; ++i)
      out[i] = static_cast<float>(torus.sdf({xyz[3 * i], xyz[3 * i + 1], xyz[3 * i + 2]}));
  };
}

g::FieldFn field_by_name(const std::string& name) {
  if (name == "torus_sdf") return torus_field();
  return network(name).field;
}

// ---------------------------------------------------------------------------------------------
// Meshes seen by each benchmark, compared after the run.

struct MeshSummary {
  int64_t vertices = 0, triangles = 0;
  uint64_t hash = 0;
};

uint64_t mesh_hash(const g::Mesh& mesh) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a over the raw bytes of V and F
  auto add = [&h](const void* data, size_t bytes) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < bytes; ++i) h = (h ^ p[i]) * 1099511628211ull;
  };
  add(mesh.V.data(), mesh.V.size() * sizeof(g::Vec3f));
  add(mesh.F.data(), mesh.F.size() * sizeof(g::Tri));
  return h;
}

// key "<field>/<resolution>" -> "dense" / "sparse" -> summary
std::map<std::string, std::map<std::string, MeshSummary>>& seen_meshes() {
  static std::map<std::string, std::map<std::string, MeshSummary>> seen;
  return seen;
}

// ---------------------------------------------------------------------------------------------

void bm_field(benchmark::State& state, std::string name, int threads) {
  const int saved_threads = torch::get_num_threads();
  torch::set_num_threads(threads);
  const g::FieldFn field = field_by_name(name);
  // Uniform points in [-1, 1]^3, like a dense grid.
  torch::manual_seed(7);
  const torch::Tensor xyz = torch::rand({kBatch, 3}) * 2 - 1;
  std::vector<float> out(kBatch);
  field(xyz.data_ptr<float>(), 4096, out.data());  // warm-up: allocator, BLAS threads
  for (auto _ : state) {
    field(xyz.data_ptr<float>(), kBatch, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
  state.counters["torch_threads"] = torch::get_num_threads();
  torch::set_num_threads(saved_threads);
}

// NSDF_BENCH_SAFETY overrides ExtractionOptions::safety (default 1, exact for 1-Lipschitz fields).
double safety() {
  const char* v = std::getenv("NSDF_BENCH_SAFETY");
  return v != nullptr && *v != '\0' ? std::atof(v) : 1.0;
}

void bm_extract(benchmark::State& state, std::string name, bool sparse, int resolution,
                int coarse) {
  const g::FieldFn field = field_by_name(name);
  g::ExtractionOptions options;
  options.resolution = resolution;
  options.coarse_resolution = coarse;
  options.batch_size = kBatch;
  options.safety = safety();
  g::ExtractionResult result;
  for (auto _ : state) {
    result = sparse ? g::extract_sparse(field, options) : g::extract_dense(field, options);
    benchmark::DoNotOptimize(result.mesh.F.data());
  }
  state.SetItemsProcessed(state.iterations() * result.queries);
  state.counters["queries"] = static_cast<double>(result.queries);
  state.counters["dense_queries"] = static_cast<double>(result.dense_queries);
  state.counters["query_ratio"] =
      static_cast<double>(result.dense_queries) / static_cast<double>(result.queries);
  state.counters["triangles"] = static_cast<double>(result.mesh.F.size());
  state.counters["vertices"] = static_cast<double>(result.mesh.V.size());
  state.counters["torch_threads"] = torch::get_num_threads();
  state.counters["safety"] = options.safety;
  float extent = 0;  // max |coordinate|: below 1 when the surface is closed inside the grid
  for (const auto& v : result.mesh.V)
    for (float c : v) extent = std::max(extent, std::abs(c));
  state.counters["max_abs_coord"] = extent;
  if (result.mesh.F.empty()) state.SkipWithError("empty mesh: the field has no zero set");
  seen_meshes()[name + "/" + std::to_string(resolution)][sparse ? "sparse" : "dense"] = {
      static_cast<int64_t>(result.mesh.V.size()), static_cast<int64_t>(result.mesh.F.size()),
      mesh_hash(result.mesh)};
}

void register_benchmarks() {
  using benchmark::kMillisecond;
  for (const char* name : {"mlp4x64", "mlp8x512"}) {
    for (int threads : {1, 2}) {
      const std::string bm_name = std::string("field/") + name +
                                  "/batch:65536/torch_threads:" + std::to_string(threads);
      benchmark::RegisterBenchmark(bm_name.c_str(), bm_field, std::string(name), threads)
          ->UseRealTime()
          ->Unit(kMillisecond);
    }
  }
  struct Case {
    const char* field;
    const char* mode;
    int resolution, coarse;
  };
  const Case cases[] = {
      {"mlp4x64", "dense", 256, 32},   {"mlp4x64", "sparse", 256, 32},
      {"mlp8x512", "sparse", 256, 32}, {"mlp8x512", "dense", 64, 16},
      {"mlp8x512", "sparse", 64, 16},  {"torus_sdf", "dense", 256, 32},
      {"torus_sdf", "sparse", 256, 32},
  };
  for (const Case& c : cases) {
    const std::string bm_name = std::string("extract/") + c.field + "/" + c.mode + "/" +
                                std::to_string(c.resolution);
    benchmark::RegisterBenchmark(bm_name.c_str(), bm_extract, std::string(c.field),
                                 std::string(c.mode) == "sparse", c.resolution, c.coarse)
        ->UseRealTime()
        ->Unit(kMillisecond)
        ->Iterations(1);
  }
}

// Prints the dense/sparse comparison; returns false when some pair differs.
bool check_meshes() {
  bool ok = true;
  for (const auto& [key, modes] : seen_meshes()) {
    for (const auto& [mode, m] : modes) {
      std::cout << "mesh " << key << " " << mode << ": " << m.triangles << " triangles, "
                << m.vertices << " vertices, hash " << std::hex << m.hash << std::dec << "\n";
    }
  }
  for (const auto& [key, modes] : seen_meshes()) {
    const auto dense = modes.find("dense"), sparse = modes.find("sparse");
    if (dense == modes.end() || sparse == modes.end()) continue;
    const MeshSummary& d = dense->second;
    const MeshSummary& s = sparse->second;
    const bool same_count = d.triangles == s.triangles && d.vertices == s.vertices;
    const bool identical = same_count && d.hash == s.hash;
    std::cout << "mesh check " << key << ": dense " << d.triangles << " triangles / "
              << d.vertices << " vertices, sparse " << s.triangles << " triangles / "
              << s.vertices << " vertices, identical: " << (identical ? "yes" : "NO") << "\n";
    ok = ok && identical;
  }
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  nsdf::core::ensure_fast_blas(argv);  // may re-execute with OPENBLAS_CORETYPE set
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  int threads = 1;
  if (const char* v = std::getenv("NSDF_BENCH_TORCH_THREADS"); v != nullptr && *v != '\0') {
    threads = std::max(1, std::atoi(v));
  }
  torch::set_num_threads(threads);
  const char* core = nsdf::core::blas_core_name();
  benchmark::AddCustomContext("blas_core", *core ? core : "(not OpenBLAS)");
  const char* coretype = std::getenv("OPENBLAS_CORETYPE");
  benchmark::AddCustomContext("OPENBLAS_CORETYPE", coretype ? coretype : "(unset)");
  benchmark::AddCustomContext("torch_threads", std::to_string(torch::get_num_threads()));
  register_benchmarks();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  std::cout.flush();
  return check_meshes() ? 0 : 2;
}
