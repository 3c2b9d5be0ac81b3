#include "experiments/CompleteExperiment.h"
#include "experiments/Experiment.h"
#include "experiments/FitExperiment.h"
#include "experiments/InterpolateExperiment.h"
#include "experiments/ReconstructExperiment.h"
#include "experiments/TrainExperiment.h"

namespace nsdf::experiments {

void register_builtin_experiments(ExperimentRegistry& registry) {
  registry.add<TrainExperiment>("train");
  registry.add<FitExperiment>("fit");
  registry.add<ReconstructExperiment>("reconstruct");
  registry.add<InterpolateExperiment>("interpolate");
  registry.add<CompleteExperiment>("complete");
}

}  // namespace nsdf::experiments
