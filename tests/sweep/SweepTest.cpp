#include "sweep/Sweep.h"

#include <gtest/gtest.h>

#include <set>

#include "core/ConfigLoader.h"
#include "core/Error.h"

namespace nsdf::sweep {
namespace {

std::vector<SweepRun> runs_of(const std::string& yaml, core::Diagnostics& diag) {
  const core::ConfigNode root = core::parse_yaml(yaml, "sweep.yaml");
  const SweepOptions o = core::option_set<SweepOptions>().parse(root, diag);
  return expand(o, diag);
}

std::vector<SweepRun> runs_of(const std::string& yaml) {
  core::Diagnostics diag;
  auto runs = runs_of(yaml, diag);
  EXPECT_EQ(diag.str(), "");
  return runs;
}

TEST(Sweep, GridZipAndSeedsMultiply) {
  const auto runs = runs_of(
      "base: fit.yaml\noverrides: [experiment.iterations=10]\n"
      "grid: {loss.lambda: [0.1, 1], model.dims: [[64, 64], [128]]}\n"
      "zip: {optimizer.lr: [0.001, 0.01], schedule.every: [5, 50]}\nseeds: 2\n");
  ASSERT_EQ(runs.size(), 2u * 2u * 2u * 2u);
  EXPECT_EQ(runs[0].name, "lambda-0.1_dims-64x64_lr-0.001_every-5_seed-0");
  EXPECT_EQ(runs[0].overrides,
            (std::vector<std::string>{"experiment.iterations=10", "loss.lambda=0.1",
                                      "model.dims=[64, 64]", "optimizer.lr=0.001",
                                      "schedule.every=5", "seed=0"}));
  EXPECT_EQ(runs[1].name, "lambda-0.1_dims-64x64_lr-0.001_every-5_seed-1");
  EXPECT_EQ(runs[2].name, "lambda-0.1_dims-64x64_lr-0.01_every-50_seed-0");
  EXPECT_EQ(runs.back().name, "lambda-1_dims-128_lr-0.01_every-50_seed-1");
  std::set<std::string> names;
  for (const auto& r : runs) names.insert(r.name);
  EXPECT_EQ(names.size(), runs.size());
}

TEST(Sweep, ClashingKeyEndsAreNamedInFull) {
  const auto runs = runs_of("base: f.yaml\ngrid: {model.dims: [[8]], latent.dims: [4, 5]}\n");
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].name, "model.dims-8_latent.dims-4");
  // Identical values get numbered.
  std::vector<SweepRun> same(2);
  same[0].values = same[1].values = {{"a.b", "1"}};
  name_runs(same);
  EXPECT_EQ(same[0].name, "b-1");
  EXPECT_EQ(same[1].name, "b-1-2");
}

TEST(Sweep, RandomSamplesAreSeededAndInRange) {
  const std::string yaml =
      "base: f.yaml\nrandom:\n  count: 50\n  seed: 3\n  axes:\n"
      "    optimizer.lr: {log_uniform: [1.0e-4, 1.0e-2]}\n    loss.tau: {uniform: [0.5, 2]}\n"
      "    experiment.iterations: {int_uniform: [10, 12]}\n    model.dims: {choice: [[8], [16, 16]]}\n";
  const auto a = runs_of(yaml), b = runs_of(yaml);
  ASSERT_EQ(a.size(), 50u);
  std::set<std::string> iterations, dims;
  double lr_lo = 1, lr_hi = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].overrides, b[i].overrides);  // the same seed, the same runs
    ASSERT_EQ(a[i].values.size(), 4u);
    const double lr = std::stod(a[i].values[0].second);
    lr_lo = std::min(lr_lo, lr);
    lr_hi = std::max(lr_hi, lr);
    const double tau = std::stod(a[i].values[1].second);
    EXPECT_GE(tau, 0.5);
    EXPECT_LE(tau, 2);
    iterations.insert(a[i].values[2].second);
    dims.insert(a[i].values[3].second);
  }
  EXPECT_GE(lr_lo, 1e-4);
  EXPECT_LE(lr_hi, 1e-2);
  EXPECT_LT(lr_lo, 3e-4);  // log-uniform: the low decade is drawn as often as the high one
  EXPECT_GT(lr_hi, 3e-3);
  EXPECT_EQ(iterations, (std::set<std::string>{"10", "11", "12"}));
  EXPECT_EQ(dims, (std::set<std::string>{"[8]", "[16, 16]"}));
  const auto other = runs_of(
      "base: f.yaml\nrandom: {count: 50, seed: 4, axes: {optimizer.lr: {log_uniform: [1.0e-4, "
      "1.0e-2]}, loss.tau: {uniform: [0.5, 2]}, experiment.iterations: {int_uniform: [10, 12]}, "
      "model.dims: {choice: [[8], [16, 16]]}}}\n");
  EXPECT_NE(other[0].overrides, a[0].overrides);
}

TEST(Sweep, BadAxesNameTheLine) {
  core::Diagnostics diag;
  runs_of("base: f.yaml\nzip:\n  a.b: [1, 2]\n  c.d: [1, 2, 3]\n", diag);
  EXPECT_NE(diag.str().find("sweep.yaml:4:"), std::string::npos) << diag.str();
  EXPECT_NE(diag.str().find("'c.d' has 3 values, 'a.b' has 2"), std::string::npos) << diag.str();

  core::Diagnostics d2;
  runs_of("base: f.yaml\ngrid: {a.b: 3}\n", d2);
  EXPECT_NE(d2.str().find("must be a non-empty list"), std::string::npos) << d2.str();

  core::Diagnostics d3;
  runs_of("base: f.yaml\nrandom: {count: 2, axes: {a.b: {normal: [0, 1]}}}\n", d3);
  EXPECT_NE(d3.str().find("expected one of {uniform: [a, b]}"), std::string::npos) << d3.str();

  core::Diagnostics d4;
  runs_of("base: f.yaml\nrandom: {count: 2, axes: {a.b: {log_uniform: [0, 1]}}}\n", d4);
  EXPECT_NE(d4.str().find("a > 0"), std::string::npos) << d4.str();

  core::Diagnostics d5;
  const core::ConfigNode root = core::parse_yaml("grid: {a: [1]}\n", "s.yaml");
  core::option_set<SweepOptions>().parse(root, d5);
  EXPECT_NE(d5.str().find("base"), std::string::npos) << d5.str();  // required
}

TEST(Sweep, NoAxesIsOneRun) {
  const auto runs = runs_of("base: f.yaml\noverrides: [seed=3]\n");
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].name, "run");
  EXPECT_EQ(runs[0].overrides, (std::vector<std::string>{"seed=3"}));
}

}  // namespace
}  // namespace nsdf::sweep
