#include "experiments/Experiment.h"
#include "experiments/FitExperiment.h"
#include "experiments/TrainExperiment.h"

namespace nsdf::experiments {

void register_builtin_experiments(ExperimentRegistry& registry) {
  registry.add<TrainExperiment>("train");
  registry.add<FitExperiment>("fit");
}

}  // namespace nsdf::experiments
