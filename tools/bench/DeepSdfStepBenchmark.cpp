// DeepSdfStepBenchmark.cpp
//
// What it measures (Google Benchmark, real time, CPU LibTorch): where a DeepSDF training step
// of the published spec spends its time in nsdf (tools/bench/DEEPSDF.md).
//   relu_dropout/<impl>  ReLU + dropout 0.2 on one 81,920 x 512 activation (5 shapes x 16384
//                        samples: one layer of a step), forward and backward; impl fused
//                        (models::relu_dropout, nsdf's) or torch (relu, then torch::dropout, as
//                        DeepSDF's Python does) or relu (no dropout: the floor)
//   decoder/<dropout|no_dropout>  the 8 x 512 DeepSDF decoder (weight norm, latent_in 4, codes
//                        of 256 computed once per shape) on 5 x 16384 samples: forward, clamped
//                        L1, backward (no optimizer step)
//   reconstruct/shapes:<K>/per_shape:<0|1>  one reconstruction iteration of K shapes x 8000
//                        samples, decoder frozen (eval mode, no parameter gradients), gradients
//                        for the codes; per_shape 1: each code's part of the layers that take
//                        it computed once per shape (Decoder::forward_shapes, nsdf's path), 0:
//                        the code repeated on every row and concatenated (DeepSDF's)
//
// How to run
//   build/release/tools/nsdf_bench_deepsdf_step --benchmark_filter=relu_dropout
// Environment: NSDF_BENCH_THREADS (default 1).

#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include <cstdlib>
#include <string>

#include "BenchCommon.h"
#include "core/Blas.h"
#include "models/DeepSdfDecoder.h"
#include "models/ReluDropout.h"

namespace {

constexpr int64_t kShapes = 5;
constexpr int64_t kRows = 16384;

void relu_dropout_bench(benchmark::State& state, const std::string& impl) {
  torch::manual_seed(0);
  const torch::Tensor x0 = torch::randn({kShapes * kRows, 512});
  const torch::Tensor grad = torch::randn({kShapes * kRows, 512});  // as from the next layer
  for (auto _ : state) {
    torch::Tensor x = x0.clone().requires_grad_(true);
    torch::Tensor y;
    if (impl == "fused") {
      y = nsdf::models::relu_dropout(x, 0.2, true);
    } else if (impl == "torch") {
      y = torch::dropout(torch::relu(x), 0.2, true);
    } else {
      y = torch::relu(x);
    }
    if (state.range(0) == 0) continue;  // forward only
    y.backward(grad);
    benchmark::DoNotOptimize(x.grad().data_ptr<float>());
  }
}

void decoder_bench(benchmark::State& state, double dropout) {
  torch::manual_seed(0);
  nsdf::models::DeepSdfDecoderOptions o;
  o.dims = std::vector<int64_t>(8, 512);
  o.latent_in = {4};
  o.dropout = dropout;
  o.weight_norm = true;
  nsdf::models::DeepSdfDecoderImpl net(o, nsdf::models::ModelContext{256});
  net.train();
  const torch::Tensor codes = (torch::randn({kShapes, 256}) * 0.0625).requires_grad_(true);
  const torch::Tensor xyz = torch::rand({kShapes * kRows, 3}) * 2 - 1;
  const torch::Tensor sdf = xyz.norm(2, 1, true) - 0.5;
  for (auto _ : state) {
    net.zero_grad();
    const torch::Tensor pred = net.forward_shapes(codes, kRows, xyz);
    const torch::Tensor loss = (pred.clamp(-0.1, 0.1) - sdf.clamp(-0.1, 0.1)).abs().mean();
    loss.backward();
    benchmark::DoNotOptimize(loss.item<float>());
  }
}

/// One reconstruction iteration: decoder frozen (eval, no parameter gradients), K codes each on
/// its own 8000 samples.
void reconstruct_bench(benchmark::State& state) {
  const int64_t k = state.range(0);
  constexpr int64_t kSamples = 8000;
  torch::manual_seed(0);
  nsdf::models::DeepSdfDecoderOptions o;
  nsdf::models::DeepSdfDecoderImpl net(o, nsdf::models::ModelContext{256});
  net.eval();
  for (auto& p : net.parameters()) p.requires_grad_(false);
  const torch::Tensor codes = (torch::randn({k, 256}) * 0.01).requires_grad_(true);
  const torch::Tensor xyz = torch::rand({k * kSamples, 3}) * 2 - 1;
  const torch::Tensor sdf = xyz.norm(2, 1, true) - 0.5;
  for (auto _ : state) {
    if (codes.grad().defined()) codes.mutable_grad().zero_();
    const torch::Tensor pred =
        state.range(1) ? net.forward_shapes(codes, kSamples, xyz)
                       : net.forward(codes.repeat_interleave(kSamples, 0), xyz);
    const torch::Tensor loss = (pred.clamp(-0.1, 0.1) - sdf.clamp(-0.1, 0.1)).abs().mean();
    loss.backward();
    benchmark::DoNotOptimize(loss.item<float>());
  }
}

}  // namespace

int main(int argc, char** argv) {
  nsdf::core::ensure_fast_blas(argv);
  const char* threads = std::getenv("NSDF_BENCH_THREADS");
  torch::set_num_threads(threads ? std::atoi(threads) : 1);
  return nsdf::bench::run_benchmarks(argc, argv, [] {
    for (const std::string impl : {"fused", "torch", "relu"})
      nsdf::bench::register_ms("relu_dropout/" + impl, relu_dropout_bench, impl)
          ->ArgName("backward")
          ->Arg(0)
          ->Arg(1);
    nsdf::bench::register_ms("decoder/dropout", decoder_bench, 0.2)->Iterations(2);
    nsdf::bench::register_ms("decoder/no_dropout", decoder_bench, 0.0)->Iterations(2);
    nsdf::bench::register_ms("reconstruct", reconstruct_bench)
        ->ArgNames({"shapes", "per_shape"})
        ->ArgsProduct({{1, 8}, {0, 1}});
    return 0;
  });
}
