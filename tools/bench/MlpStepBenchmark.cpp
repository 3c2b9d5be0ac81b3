// MlpStepBenchmark.cpp
//
// What it measures
//   Wall-clock (real) time of ONE training step of a plain MLP on the CPU with
//   LibTorch: forward pass, MSE loss, backward pass and an Adam update.  The
//   network is Linear/ReLU layers only (no activation after the last Linear),
//   fed with fixed random data, float32.  Two sizes are timed, each with
//   torch::set_num_threads(1) and torch::set_num_threads(2):
//
//     small : 3 -> 4 hidden layers x  64 -> 1, batch 16384
//     large : 3 -> 8 hidden layers x 512 -> 1, batch 16384
//
//   Almost all the work is in the GEMMs of the Linear layers (forward and
//   backward), which LibTorch hands to whatever libblas.so.3 the dynamic
//   loader resolves.  That makes this program the yardstick for choosing a
//   BLAS implementation: run the same binary with different LD_LIBRARY_PATHs.
//
//   Reported per benchmark: real time per step (ms) and items_per_second,
//   i.e. training points (batch rows) processed per second.  The context
//   header printed before the table names the BLAS libraries actually loaded
//   ("blas_libraries") and, for OpenBLAS, its build string and thread count.
//
// How to build (outside the main build tree, e.g. in /tmp/blasbench):
//   CMakeLists.txt with
//     find_package(Torch REQUIRED)      # /usr/lib/x86_64-linux-gnu/cmake/Torch
//     find_package(benchmark REQUIRED)
//     add_executable(mlp_step_benchmark MlpStepBenchmark.cpp)
//     target_link_libraries(mlp_step_benchmark ${TORCH_LIBRARIES} benchmark::benchmark)
//   then: cmake -S . -B build -DCMAKE_BUILD_TYPE=Release && cmake --build build
//
// How to run:
//   ./mlp_step_benchmark --benchmark_min_time=1
//   ./mlp_step_benchmark --benchmark_filter='large' --benchmark_repetitions=3
//   LD_LIBRARY_PATH=/path/to/openblas-openmp ./mlp_step_benchmark   # other BLAS
//   tools/bench/blas_variants.sh ./mlp_step_benchmark [out_dir]      # full comparison
//
//   Environment: MLP_BENCH_BATCH=<n> overrides the batch size of every
//   benchmark (default 16384); only meant for very slow BLAS builds.

#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <dlfcn.h>
#include <link.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

constexpr int64_t kInputFeatures = 3;
constexpr int64_t kOutputFeatures = 1;
constexpr int64_t kDefaultBatch = 16384;

struct MlpConfig {
  std::string name;
  int64_t hidden_layers;
  int64_t width;
};

int64_t batch_size() {
  const char* value = std::getenv("MLP_BENCH_BATCH");
  if (value == nullptr || *value == '\0') {
    return kDefaultBatch;
  }
  return std::max<int64_t>(1, std::strtoll(value, nullptr, 10));
}

// in -> [Linear(width) -> ReLU] x hidden_layers -> Linear(out)
torch::nn::Sequential make_mlp(int64_t hidden_layers, int64_t width) {
  torch::nn::Sequential mlp;
  int64_t features = kInputFeatures;
  for (int64_t layer = 0; layer < hidden_layers; ++layer) {
    mlp->push_back(torch::nn::Linear(features, width));
    mlp->push_back(torch::nn::ReLU());
    features = width;
  }
  mlp->push_back(torch::nn::Linear(features, kOutputFeatures));
  return mlp;
}

void training_step(
    torch::nn::Sequential& mlp,
    torch::optim::Adam& optimizer,
    const torch::Tensor& inputs,
    const torch::Tensor& targets) {
  optimizer.zero_grad();
  auto loss = torch::mse_loss(mlp->forward(inputs), targets);
  loss.backward();
  optimizer.step();
}

void mlp_step(benchmark::State& state, MlpConfig config, int threads) {
  torch::set_num_threads(threads);
  torch::manual_seed(0);

  const int64_t batch = batch_size();
  auto mlp = make_mlp(config.hidden_layers, config.width);
  torch::optim::Adam optimizer(
      mlp->parameters(), torch::optim::AdamOptions(1e-3));
  const auto inputs = torch::rand({batch, kInputFeatures}) * 2 - 1;
  const auto targets = torch::rand({batch, kOutputFeatures});

  // One untimed step: allocator warm-up, Adam state creation, BLAS thread start.
  training_step(mlp, optimizer, inputs, targets);

  for (auto _ : state) {
    training_step(mlp, optimizer, inputs, targets);
  }

  state.SetItemsProcessed(state.iterations() * batch);
  state.counters["batch"] = static_cast<double>(batch);
  state.counters["torch_threads"] = torch::get_num_threads();
}

// Paths of the loaded shared objects whose file name contains "blas"
// (libblas.so.3, libopenblas.so.0, ...), so the output shows which BLAS the
// dynamic loader really picked.
std::string loaded_blas_libraries() {
  std::string paths;
  dl_iterate_phdr(
      [](dl_phdr_info* info, size_t, void* data) {
        const std::string path = info->dlpi_name ? info->dlpi_name : "";
        const auto slash = path.find_last_of('/');
        const auto file = path.substr(slash == std::string::npos ? 0 : slash + 1);
        if (file.find("blas") != std::string::npos) {
          auto& out = *static_cast<std::string*>(data);
          out += (out.empty() ? "" : " ") + path;
        }
        return 0;
      },
      &paths);
  return paths.empty() ? "(none)" : paths;
}

// OpenBLAS build string and thread count, if the loaded BLAS is OpenBLAS.
void add_blas_context() {
  benchmark::AddCustomContext("blas_libraries", loaded_blas_libraries());
  using config_fn = char* (*)();
  using threads_fn = int (*)();
  if (auto get_config = reinterpret_cast<config_fn>(
          dlsym(RTLD_DEFAULT, "openblas_get_config"))) {
    benchmark::AddCustomContext("openblas_config", get_config());
  }
  if (auto get_threads = reinterpret_cast<threads_fn>(
          dlsym(RTLD_DEFAULT, "openblas_get_num_threads"))) {
    benchmark::AddCustomContext(
        "openblas_threads", std::to_string(get_threads()));
  }
}

void register_benchmarks() {
  const std::vector<MlpConfig> configs = {
      {"small", 4, 64},
      {"large", 8, 512},
  };
  for (const auto& config : configs) {
    for (int threads : {1, 2}) {
      const std::string name =
          "mlp_step/" + config.name + "/threads:" + std::to_string(threads);
      benchmark::RegisterBenchmark(name.c_str(), mlp_step, config, threads)
          ->UseRealTime()
          ->Unit(benchmark::kMillisecond);
    }
  }
}

} // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
    return 1;
  }
  add_blas_context();
  register_benchmarks();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
