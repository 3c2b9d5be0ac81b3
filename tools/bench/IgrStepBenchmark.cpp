// IgrStepBenchmark.cpp
//
// What it measures (Google Benchmark, real time per training step, CPU LibTorch)
//   One IGR training step as nsdf runs it: IgrLoss::compute (off-surface sampling, field, grad f,
//   surface + eikonal (+ normal) terms) on an IgrDecoder, backward, Adam step. The Python
//   counterpart written the way the official IGR code does it is tools/bench/igr_step.py;
//   tools/bench/run_igr_step_benchmarks.sh runs both and prints the ratios (IGR_STEP.md).
//
//     large : IGR decoder 8 x 512, skip at 4, Softplus(beta = 100), geometric init;
//             16384 surface points + 16384 Gaussian + 2048 uniform off-surface points
//     small : 4 x 256, no skip; 4096 surface points (+ 4096 + 512)
//
//   Benchmarks igr_step/<size>/<normals|no_normals>/<path>/threads:<t>, path:
//     explicit   IgrDecoder::forward_with_gradient (explicit gradient, hand-written backward)
//     autograd   the same decoder behind Decoder's default forward_with_gradient (autograd
//                grad with create_graph, then double backward): the path nsdf took before
//   normals: the points carry normals (tau = 1: grad f on every row); no_normals: grad f on the
//   off-surface rows only. Fixed data: points on a sphere of radius 0.5 with their normals,
//   per-point sigma 0.01, uniform samples in [-1.8, 1.8]^3 (IGR's global sigma), Adam with
//   lr 1e-6 (see kDefaultLearningRate).
//   Time is wall-clock per step; CPU is the process CPU time per step (all threads).
//   Counters: points (surface + off-surface rows per step), items_per_second (points/s).
//
// How to build
//   cmake -S /work/main -B /tmp/build-igrfast -G Ninja -DCMAKE_BUILD_TYPE=Release
//   cmake --build /tmp/build-igrfast --target nsdf_bench_igr_step -j2
//
// How to run
//   /tmp/build-igrfast/tools/nsdf_bench_igr_step --benchmark_filter='small/normals/explicit'
//   tools/bench/run_igr_step_benchmarks.sh [build_dir] [out_dir]
//
// Environment
//   NSDF_BENCH_STEPS=<k>   timed steps per benchmark (default 3 large, 10 small), after one
//                          untimed step (Adam state, allocator and BLAS warm-up)
//   NSDF_BENCH_LR=<lr>     Adam's learning rate (default 1e-6; IGR's is 0.005)
//   NSDF_BENCH_FLUSH_DENORMAL=1  at::globalContext().setFlushDenormal(true), as Python's
//                          torch.set_flush_denormal(True) (igr_step.py --flush-denormal)
//   OPENBLAS_CORETYPE      as for nsdf: when unset and OpenBLAS falls back to generic kernels,
//                          the program re-executes itself with it set (nsdf::ensure_fast_blas)

#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "core/Blas.h"
#include "losses/IgrLoss.h"
#include "models/IgrDecoder.h"

namespace {

// IGR's lr 0.005 throws the untrained network far off in the first steps (loss ~2000 after one
// step on a fixed batch, pre-activations beyond -100) and the times of the next steps then
// depend on the trajectory: subnormal activations slow the matrix products down up to 50x,
// differently for each implementation. A tiny lr keeps every timed step at the initialization
// (the same work on both sides); the cost of a step does not depend on lr. IGR_STEP.md.
constexpr double kDefaultLearningRate = 1e-6;

struct StepConfig {
  std::string name;
  std::vector<int64_t> dims;
  std::vector<int64_t> skip_in;
  int64_t points;
  int64_t default_steps;
};

/// The IGR decoder without its forward_with_gradient override: Decoder's autograd default.
class AutogradIgr : public nsdf::models::Decoder {
 public:
  explicit AutogradIgr(nsdf::models::IgrDecoder net)
      : net_(register_module("net", std::move(net))) {}
  torch::Tensor forward(const torch::Tensor& latent, const torch::Tensor& xyz) override {
    return net_->forward(latent, xyz);
  }
  int64_t latent_size() const override { return net_->latent_size(); }

 private:
  nsdf::models::IgrDecoder net_;
};

double learning_rate() {
  const char* v = std::getenv("NSDF_BENCH_LR");
  return v == nullptr || *v == '\0' ? kDefaultLearningRate : std::strtod(v, nullptr);
}

int64_t steps_for(const StepConfig& config) {
  const char* v = std::getenv("NSDF_BENCH_STEPS");
  if (v == nullptr || *v == '\0') return config.default_steps;
  return std::max<int64_t>(1, std::strtoll(v, nullptr, 10));
}

void igr_step(benchmark::State& state, StepConfig config, bool normals, bool explicit_gradient,
              int threads) {
  torch::set_num_threads(threads);
  torch::manual_seed(0);
  nsdf::models::IgrDecoderOptions o;
  o.dims = config.dims;
  o.skip_in = config.skip_in;
  nsdf::models::IgrDecoder igr(o, nsdf::models::ModelContext{0});
  std::shared_ptr<nsdf::models::Decoder> decoder = igr.ptr();
  if (!explicit_gradient) decoder = std::make_shared<AutogradIgr>(igr);

  nsdf::losses::IgrLossOptions lo;  // lambda 0.1, tau 1, uniform_fraction 1/8 (IGR's)
  lo.domain = 1.8;
  nsdf::losses::IgrLoss loss(lo);
  const int64_t n = config.points;
  nsdf::losses::LossBatch batch;
  const torch::Tensor dirs = torch::nn::functional::normalize(
      torch::randn({n, 3}), torch::nn::functional::NormalizeFuncOptions().dim(1));
  batch.xyz = dirs * 0.5;
  if (normals) batch.normals = dirs;
  batch.sigma = torch::full({n, 1}, 0.01);
  torch::optim::Adam adam(decoder->parameters(), torch::optim::AdamOptions(learning_rate()));

  auto step = [&] {
    adam.zero_grad();
    const nsdf::losses::LossResult r = loss.compute(*decoder, batch);
    r.total.backward();
    adam.step();
  };
  step();  // untimed: Adam state, allocator and pool, BLAS threads
  for (auto _ : state) step();

  const int64_t rows = n + n + n / 8;
  state.SetItemsProcessed(state.iterations() * rows);
  state.counters["points"] = static_cast<double>(rows);
  state.counters["torch_threads"] = torch::get_num_threads();
}

void register_benchmarks() {
  const std::vector<StepConfig> configs = {
      {"large", std::vector<int64_t>(8, 512), {4}, 16384, 3},
      {"small", std::vector<int64_t>(4, 256), {}, 4096, 10},
  };
  for (const auto& config : configs) {
    for (bool normals : {true, false}) {
      for (bool explicit_gradient : {true, false}) {
        for (int threads : {1, 2}) {
          const std::string name =
              "igr_step/" + config.name + "/" + (normals ? "normals" : "no_normals") + "/" +
              (explicit_gradient ? "explicit" : "autograd") + "/threads:" + std::to_string(threads);
          benchmark::RegisterBenchmark(name.c_str(), igr_step, config, normals, explicit_gradient,
                                       threads)
              ->Iterations(steps_for(config))
              ->MeasureProcessCPUTime()  // CPU: every thread's time, as Python's process_time
              ->UseRealTime()
              ->Unit(benchmark::kMillisecond);
        }
      }
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  nsdf::core::ensure_fast_blas(argv);  // may re-execute with OPENBLAS_CORETYPE set
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  const char* core = nsdf::core::blas_core_name();
  benchmark::AddCustomContext("blas_core", *core ? core : "(not OpenBLAS)");
  const char* coretype = std::getenv("OPENBLAS_CORETYPE");
  benchmark::AddCustomContext("OPENBLAS_CORETYPE", coretype ? coretype : "(unset)");
  const char* flush = std::getenv("NSDF_BENCH_FLUSH_DENORMAL");
  const bool flush_denormal = flush != nullptr && *flush == '1';
  if (flush_denormal) at::globalContext().setFlushDenormal(true);
  benchmark::AddCustomContext("flush_denormal", flush_denormal ? "yes" : "no");
  benchmark::AddCustomContext("lr", std::to_string(learning_rate()));
  register_benchmarks();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
