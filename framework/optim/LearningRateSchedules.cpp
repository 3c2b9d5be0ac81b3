#include "optim/LearningRateSchedules.h"

#include <algorithm>
#include <cmath>

namespace nsdf::optim {

namespace {

double warmup_factor(int64_t step, int64_t warmup) {
  return warmup > 0 && step < warmup ? static_cast<double>(step + 1) / warmup : 1.0;
}

}  // namespace

void ConstantOptions::declare(core::OptionSet<ConstantOptions>& s) {
  s.add("warmup", &ConstantOptions::warmup, "steps of linear warm-up from 0").non_negative();
}

double ConstantSchedule::factor(int64_t step) const { return warmup_factor(step, o_.warmup); }

void StepOptions::declare(core::OptionSet<StepOptions>& s) {
  s.add("every", &StepOptions::every, "multiply by `factor` every this many steps").positive();
  s.add("factor", &StepOptions::factor, "decay factor").positive();
  s.add("warmup", &StepOptions::warmup, "steps of linear warm-up from 0").non_negative();
}

double StepSchedule::factor(int64_t step) const {
  return warmup_factor(step, o_.warmup) * std::pow(o_.factor, step / o_.every);
}

void CosineOptions::declare(core::OptionSet<CosineOptions>& s) {
  s.add("min_factor", &CosineOptions::min_factor, "final factor at the last step").range(0, 1);
  s.add("warmup", &CosineOptions::warmup, "steps of linear warm-up from 0").non_negative();
}

double CosineSchedule::factor(int64_t step) const {
  if (step < o_.warmup) return warmup_factor(step, o_.warmup);
  const double span = std::max<int64_t>(1, total_ - o_.warmup);
  const double t = std::min(1.0, (step - o_.warmup) / span);
  return o_.min_factor + (1 - o_.min_factor) * 0.5 * (1 + std::cos(M_PI * t));
}

}  // namespace nsdf::optim
