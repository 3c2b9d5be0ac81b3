#include "optim/Schedules.h"

#include <algorithm>
#include <cmath>

namespace nsdf::optim {

namespace {

double warmup_factor(int64_t step, int64_t warmup) {
  return warmup > 0 && step < warmup ? static_cast<double>(step + 1) / warmup : 1.0;
}

struct ConstantOptions {
  int64_t warmup = 0;
  static void declare(core::OptionSet<ConstantOptions>& s) {
    s.add("warmup", &ConstantOptions::warmup, "steps of linear warm-up from 0").non_negative();
  }
};

class ConstantSchedule : public Schedule {
 public:
  using Options = ConstantOptions;
  static constexpr const char* kDoc = "Constant learning rate (after an optional linear warm-up).";
  ConstantSchedule(const Options& o, int64_t) : o_(o) {}
  double factor(int64_t step) const override { return warmup_factor(step, o_.warmup); }

 private:
  Options o_;
};

struct StepOptions {
  int64_t every = 500;
  double factor = 0.5;
  int64_t warmup = 0;
  static void declare(core::OptionSet<StepOptions>& s) {
    s.add("every", &StepOptions::every, "multiply by `factor` every this many steps").positive();
    s.add("factor", &StepOptions::factor, "decay factor").positive();
    s.add("warmup", &StepOptions::warmup, "steps of linear warm-up from 0").non_negative();
  }
};

class StepSchedule : public Schedule {
 public:
  using Options = StepOptions;
  static constexpr const char* kDoc =
      "Step decay: lr * factor^floor(step / every), as DeepSDF's StepLearningRateSchedule.";
  StepSchedule(const Options& o, int64_t) : o_(o) {}
  double factor(int64_t step) const override {
    return warmup_factor(step, o_.warmup) * std::pow(o_.factor, step / o_.every);
  }

 private:
  Options o_;
};

struct CosineOptions {
  double min_factor = 0.0;
  int64_t warmup = 0;
  static void declare(core::OptionSet<CosineOptions>& s) {
    s.add("min_factor", &CosineOptions::min_factor, "final factor at the last step").range(0, 1);
    s.add("warmup", &CosineOptions::warmup, "steps of linear warm-up from 0").non_negative();
  }
};

class CosineSchedule : public Schedule {
 public:
  using Options = CosineOptions;
  static constexpr const char* kDoc =
      "Cosine annealing from 1 to min_factor over the run (Loshchilov & Hutter 2017), after an "
      "optional linear warm-up.";
  CosineSchedule(const Options& o, int64_t total) : o_(o), total_(total) {}
  double factor(int64_t step) const override {
    if (step < o_.warmup) return warmup_factor(step, o_.warmup);
    const double span = std::max<int64_t>(1, total_ - o_.warmup);
    const double t = std::min(1.0, (step - o_.warmup) / span);
    return o_.min_factor + (1 - o_.min_factor) * 0.5 * (1 + std::cos(M_PI * t));
  }

 private:
  Options o_;
  int64_t total_;
};

}  // namespace

void register_builtin_schedules(ScheduleRegistry& registry) {
  registry.add<ConstantSchedule>("constant");
  registry.add<StepSchedule>("step");
  registry.add<CosineSchedule>("cosine");
}

}  // namespace nsdf::optim
