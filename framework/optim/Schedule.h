#pragma once
// Learning-rate schedules (registry family "schedule"): a factor applied to every group's base
// learning rate as a function of the step (the experiment's schedule unit: epochs for `train`,
// iterations for `fit`). A pure function of the step, so resuming at a step restores it.

#include <cstdint>

#include "core/Registry.h"

namespace nsdf::optim {

class Schedule {
 public:
  virtual ~Schedule() = default;
  /// Learning-rate factor at `step` (0-based).
  virtual double factor(int64_t step) const = 0;
};

using ScheduleRegistry = core::Registry<Schedule, int64_t>;  // arg: total steps of the run

/// Registers the built-in schedules (constant, step, cosine).
void register_builtin_schedules(ScheduleRegistry& registry);

}  // namespace nsdf::optim
