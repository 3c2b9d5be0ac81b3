#include "experiments/Experiment.h"
#include "experiments/TrainExperiment.h"

namespace nsdf {

void register_builtin_experiments(ExperimentRegistry& registry) {
  registry.add<TrainExperiment>("train");
}

}  // namespace nsdf
