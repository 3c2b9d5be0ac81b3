#pragma once
// What the geometry benchmark binaries share (Google Benchmark): registering a benchmark timed in
// wall-clock time and reported in milliseconds, and the frame of main() (command line, setup,
// run). Header-only, included by the benchmark sources next to it.

#include <benchmark/benchmark.h>

#include <string>
#include <utility>

namespace nsdf::bench {

/// Registers fn(state, args...) as `name`, timed in real (wall-clock) time, which is what
/// parallel work must be measured in (CPU time would add up the threads), and reported in
/// milliseconds. Returns the benchmark for further settings.
template <class Fn, class... Args>
benchmark::internal::Benchmark* register_ms(const std::string& name, Fn&& fn, Args&&... args) {
  return benchmark::RegisterBenchmark(name.c_str(), std::forward<Fn>(fn),
                                      std::forward<Args>(args)...)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
}

/// The body of a benchmark binary's main(): parses the command line (an unknown argument ends
/// the program with exit code 1), runs `setup` (context lines, data, registrations), which
/// returns 0 to go on or an exit code to stop with, then runs the benchmarks the command line
/// selects.
template <class Setup>
int run_benchmarks(int argc, char** argv, Setup&& setup) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  if (const int code = setup(); code != 0) return code;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace nsdf::bench
