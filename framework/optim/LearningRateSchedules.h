#pragma once
// The built-in learning-rate schedules: constant, step decay (DeepSDF's
// StepLearningRateSchedule) and cosine annealing, each after an optional linear warm-up from 0.
// Factors are pure functions of the step, so a resumed run continues on the same curve.

#include "optim/Schedule.h"

namespace nsdf::optim {

struct ConstantOptions {
  int64_t warmup = 0;
  static void declare(core::OptionSet<ConstantOptions>& s);
};

class ConstantSchedule : public Schedule {
 public:
  using Options = ConstantOptions;
  static constexpr const char* kDoc = "Constant learning rate (after an optional linear warm-up).";
  ConstantSchedule(const Options& o, int64_t total_steps) : o_(o) {}
  double factor(int64_t step) const override;

 private:
  Options o_;
};

struct StepOptions {
  int64_t every = 500;
  double factor = 0.5;
  int64_t warmup = 0;
  static void declare(core::OptionSet<StepOptions>& s);
};

class StepSchedule : public Schedule {
 public:
  using Options = StepOptions;
  static constexpr const char* kDoc =
      "Step decay: lr * factor^floor(step / every), as DeepSDF's StepLearningRateSchedule.";
  StepSchedule(const Options& o, int64_t total_steps) : o_(o) {}
  double factor(int64_t step) const override;

 private:
  Options o_;
};

struct CosineOptions {
  double min_factor = 0.0;
  int64_t warmup = 0;
  static void declare(core::OptionSet<CosineOptions>& s);
};

class CosineSchedule : public Schedule {
 public:
  using Options = CosineOptions;
  static constexpr const char* kDoc =
      "Cosine annealing from 1 to min_factor over the run (Loshchilov & Hutter 2017), after an "
      "optional linear warm-up.";
  CosineSchedule(const Options& o, int64_t total_steps) : o_(o), total_(total_steps) {}
  double factor(int64_t step) const override;

 private:
  Options o_;
  int64_t total_;
};

}  // namespace nsdf::optim
