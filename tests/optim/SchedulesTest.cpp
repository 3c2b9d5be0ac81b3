#include "optim/Schedule.h"

#include <gtest/gtest.h>

#include "core/ConfigLoader.h"
#include "optim/Optimizer.h"

namespace nsdf::optim {
namespace {

std::shared_ptr<Schedule> make(const std::string& yaml, int64_t total) {
  ScheduleRegistry r("schedule");
  register_builtin_schedules(r);
  return r.create(core::parse_yaml(yaml, "t.yaml"), total);
}

TEST(Schedules, StepDecaysEveryInterval) {
  const auto s = make("{type: step, every: 500, factor: 0.5}", 2000);
  EXPECT_DOUBLE_EQ(s->factor(0), 1.0);
  EXPECT_DOUBLE_EQ(s->factor(499), 1.0);
  EXPECT_DOUBLE_EQ(s->factor(500), 0.5);
  EXPECT_DOUBLE_EQ(s->factor(1999), 0.125);
}

TEST(Schedules, CosineWithWarmup) {
  const auto s = make("{type: cosine, warmup: 10, min_factor: 0.1}", 110);
  EXPECT_DOUBLE_EQ(s->factor(0), 0.1);  // warm-up: (step + 1) / warmup
  EXPECT_DOUBLE_EQ(s->factor(9), 1.0);
  EXPECT_DOUBLE_EQ(s->factor(10), 1.0);
  EXPECT_NEAR(s->factor(60), 0.55, 1e-12);
  EXPECT_NEAR(s->factor(110), 0.1, 1e-12);
}

TEST(Optimizers, GroupsHaveTheirOwnLearningRatesScaledBySchedules) {
  OptimizerRegistry r("optimizer");
  register_builtin_optimizers(r);
  const torch::Tensor w = torch::zeros({3}, torch::requires_grad());
  const torch::Tensor z = torch::zeros({2}, torch::requires_grad());
  const auto opt = r.create(core::parse_yaml("{type: adamw, lr: 0.1, latent_lr: 0.01}", "t.yaml"),
                            {ParamGroup{"decoder", {w}}, ParamGroup{"latent", {z}}});
  EXPECT_DOUBLE_EQ(opt->lr(0), 0.1);
  EXPECT_DOUBLE_EQ(opt->lr(1), 0.01);
  opt->set_lr_factor(0.5);
  EXPECT_DOUBLE_EQ(opt->lr(0), 0.05);
  EXPECT_DOUBLE_EQ(opt->lr(1), 0.005);
}

}  // namespace
}  // namespace nsdf::optim
