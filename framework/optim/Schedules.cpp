#include "optim/LearningRateSchedules.h"
#include "optim/Schedule.h"

namespace nsdf::optim {

void register_builtin_schedules(ScheduleRegistry& registry) {
  registry.add<ConstantSchedule>("constant");
  registry.add<StepSchedule>("step");
  registry.add<CosineSchedule>("cosine");
}

}  // namespace nsdf::optim
