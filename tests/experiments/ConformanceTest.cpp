// Every registered component, of every family, passes the same checks: it builds from its
// example config (a dataset that needs files: from its fixture, support/DatasetFixtures.h),
// handles a tiny batch, writes a resolved config that parses back to itself, and rejects an
// unknown key.

#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "core/ConfigLoader.h"
#include "core/Log.h"
#include "data/BatchLoader.h"
#include "experiments/Registries.h"
#include "support/DatasetFixtures.h"
#include "support/TestFiles.h"

namespace nsdf::experiments {
namespace {

// `config` (a YAML flow map without `type`) as the config of component `name`.
core::ConfigNode config_of(const std::string& config, const std::string& name) {
  core::ConfigNode node = core::parse_yaml(config, "<example>");
  node.set("type", core::ConfigNode::scalar(name));
  return node;
}

core::ConfigNode example(const core::RegistryBase& reg, const std::string& name) {
  return config_of(reg.info(name).example, name);
}

// Builds component `name` from `config` (its kExample unless given) after checking the
// resolved config round trip and the rejection of an unknown key.
template <class R, class... A>
typename R::Ptr build_and_check_config(const R& reg, const std::string& name,
                                       const std::string& config, A&&... args) {
  SCOPED_TRACE(reg.family() + " '" + name + "'");
  // Resolved config round trip.
  core::Diagnostics diag;
  const auto spec = reg.parse(config_of(config, name), diag);
  EXPECT_TRUE(diag.empty()) << diag.str();
  const std::string yaml = spec.resolved.to_yaml();
  core::Diagnostics diag2;
  const auto again = reg.parse(core::parse_yaml(yaml, "resolved.yaml"), diag2);
  EXPECT_TRUE(diag2.empty()) << diag2.str();
  EXPECT_EQ(again.resolved.to_yaml(), yaml);
  // Unknown keys are rejected.
  core::ConfigNode bad = config_of(config, name);
  bad.set("no_such_option", core::ConfigNode::scalar("1"));
  try {
    reg.create(bad, args...);
    ADD_FAILURE() << "unknown key accepted";
  } catch (const core::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("no_such_option: unknown key"), std::string::npos);
  }
  return reg.create(config_of(config, name), std::forward<A>(args)...);
}

template <class R, class... A>
typename R::Ptr build_and_check(const R& reg, const std::string& name, A&&... args) {
  return build_and_check_config(reg, name, reg.info(name).example, std::forward<A>(args)...);
}

class Conformance : public ::testing::Test {
 protected:
  void SetUp() override {
    register_builtins(r);
    torch::manual_seed(0);
    core::log::set_console(false);
  }
  void TearDown() override { core::log::set_console(true); }
  Registries r;
};

// A dataset whose kExample needs files is built from its fixture (tests/support/
// DatasetFixtures.h), written into a temporary folder; any other from its kExample.
TEST_F(Conformance, Datasets) {
  const test::TempDir dir;
  for (const auto& name : r.datasets.names()) {
    SCOPED_TRACE("dataset '" + name + "'");
    const auto fixture = test::dataset_fixtures().find(name);
    const bool has_fixture = fixture != test::dataset_fixtures().end();
    std::shared_ptr<data::ShapeDataset> ds;
    try {
      const std::string config =
          has_fixture ? fixture->second(dir.path() / name) : r.datasets.info(name).example;
      ds = build_and_check_config(r.datasets, name, config);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "dataset '" << name << "' does not build from "
                    << (has_fixture ? "its fixture" : "its kExample") << ": " << e.what()
                    << (has_fixture ? ""
                                    : "\n(a dataset whose example needs files gets a fixture in "
                                      "tests/support/DatasetFixtures.h)");
      continue;
    }
    ASSERT_GT(ds->size(), 0);
    EXPECT_FALSE(ds->shape_id(0).empty());
    EXPECT_GT(ds->bytes(0), 0);
    data::BatchPlan plan;
    plan.samples_per_shape = 64;
    data::BatchLoader loader(ds, plan);
    const data::Batch batch = loader.get(0, 0);
    EXPECT_EQ(batch.xyz.sizes(), (std::vector<int64_t>{64, 3}));
    if (ds->kind() == data::SampleKind::Sdf) {
      EXPECT_EQ(batch.sdf.sizes(), (std::vector<int64_t>{64, 1}));
    }
  }
}

TEST_F(Conformance, ModelsWithAndWithoutLatent) {
  for (const auto& name : r.models.names()) {
    for (int64_t latent : {0, 4}) {
      const auto m = build_and_check(r.models, name, models::ModelContext{latent});
      const torch::Tensor z = latent ? torch::randn({5, latent}) : torch::Tensor();
      const torch::Tensor out = m->forward(z, torch::randn({5, 3}));
      EXPECT_EQ(out.sizes(), (std::vector<int64_t>{5, 1})) << name;
      out.sum().backward();
    }
  }
}

TEST_F(Conformance, Latents) {
  for (const auto& name : r.latents.names()) {
    const auto t = build_and_check(r.latents, name, int64_t{6});
    EXPECT_EQ(t->forward(torch::tensor({0, 5}, torch::kLong)).size(0), 2);
  }
}

TEST_F(Conformance, LossesGiveAFiniteDifferentiableScalar) {
  const auto decoder = r.models.create(example(r.models, "deepsdf"), models::ModelContext{4});
  for (const auto& name : r.losses.names()) {
    const auto loss = build_and_check(r.losses, name);
    losses::LossBatch b;
    b.xyz = torch::randn({16, 3}).requires_grad_(true);
    b.sdf = torch::randn({16, 1}) * 0.1;
    b.codes = torch::randn({2, 4}, torch::requires_grad());
    b.latent = b.codes.repeat_interleave(8, 0);
    const losses::LossResult res = loss->compute(*decoder, b);
    EXPECT_EQ(res.total.dim(), 0) << name;
    EXPECT_TRUE(std::isfinite(res.total.item<double>())) << name;
    res.total.backward();
  }
}

TEST_F(Conformance, OptimizersTakeAStep) {
  for (const auto& name : r.optimizers.names()) {
    const torch::Tensor w = torch::ones({3}, torch::requires_grad());
    const auto opt = build_and_check(
        r.optimizers, name, std::vector<optim::ParamGroup>{optim::ParamGroup{"decoder", {w}}});
    opt->zero_grad();
    (w * w).sum().backward();
    opt->step();
    EXPECT_LT(w.sum().item<double>(), 3.0) << name;
  }
}

TEST_F(Conformance, Schedules) {
  for (const auto& name : r.schedules.names()) {
    const auto s = build_and_check(r.schedules, name, int64_t{100});
    for (int64_t step : {0, 50, 99}) {
      EXPECT_GT(s->factor(step), 0.0) << name;
      EXPECT_LE(s->factor(step), 1.0) << name;
    }
  }
}

TEST_F(Conformance, EvaluatorsOnAnExactField) {
  for (const auto& name : r.evaluators.names()) {
    const auto ev = build_and_check(r.evaluators, name);
    eval::EvalInput in;
    in.shape_id = "sphere";
    for (float x : {0.1f, 0.4f, 0.9f}) in.samples.insert(in.samples.end(), {x, 0, 0, x - 0.5f});
    in.field = [](const float* xyz, int64_t n, float* out) {
      for (int64_t i = 0; i < n; ++i) out[i] = xyz[3 * i] - 0.5f;
    };
    auto octahedron = std::make_shared<geometry::Mesh>();
    octahedron->V = {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}};
    octahedron->F = {{0, 2, 4}, {2, 1, 4}, {1, 3, 4}, {3, 0, 4},
                     {2, 0, 5}, {1, 2, 5}, {3, 1, 5}, {0, 3, 5}};
    in.prediction = in.ground_truth = octahedron;
    const eval::Metrics m = ev->evaluate(in);
    ASSERT_FALSE(m.empty()) << name;
    for (const auto& [metric, value] : m) EXPECT_TRUE(std::isfinite(value)) << metric;
  }
}

TEST_F(Conformance, EveryFamilyHasBuiltins) {
  for (const auto* reg : r.all()) EXPECT_FALSE(reg->names().empty()) << reg->family();
}

}  // namespace
}  // namespace nsdf::experiments
