#pragma once
// `train`: learn a shape space with DeepSDF's auto-decoder (Park et al. 2019, Sec. 4): one
// decoder shared by all shapes and one latent code per shape, optimized jointly.
//
// Each epoch visits every shape once in a random order, in batches of shapes_per_batch shapes
// with samples_per_shape SDF samples each. Metrics are logged per epoch; checkpoints (decoder,
// codes, optimizer, RNG, epoch) every checkpoint_every epochs and at the end, so a killed run
// resumes exactly. At the end it saves the codes by shape id, extracts meshes/<shape>.ply when
// mesh_resolution > 0, and runs the `eval` evaluators (surface metrics against the dataset's
// ground-truth surface points need the meshes).
//
// Sections: data (dataset), model, latent, loss, optimizer, schedule (step unit: epochs),
// eval (optional list of evaluators).

#include <vector>

#include "experiments/Experiment.h"
#include "experiments/Registries.h"

namespace nsdf::experiments {

struct TrainOptions {
  std::string name;
  int64_t epochs = 100;
  int64_t shapes_per_batch = 8;
  int64_t samples_per_shape = 2048;
  int64_t checkpoint_every = 50;
  int64_t log_every = 1;
  int64_t mesh_resolution = 0;

  static void declare(core::OptionSet<TrainOptions>& s);
};

class TrainExperiment : public Experiment {
 public:
  using Options = TrainOptions;
  static constexpr const char* kDoc =
      "Shape-space training with a latent auto-decoder (DeepSDF): decoder + one code per shape, "
      "optimized jointly on SDF samples; checkpoints resume exactly; evaluates at the end.";

  TrainExperiment(const Options& options, const ExperimentInputs& inputs);
  std::string name() const override { return options_.name; }
  void run(RunContext& context) override;

 private:
  std::vector<std::shared_ptr<const geometry::Mesh>> extract_meshes(
      RunContext& ctx, const data::SdfDataset& dataset, models::Decoder& decoder,
      models::LatentTableImpl& latents, const losses::Loss& loss) const;
  void evaluate(RunContext& ctx, const data::SdfDataset& dataset, models::Decoder& decoder,
                models::LatentTableImpl& latents, const losses::Loss& loss,
                const std::vector<std::shared_ptr<const geometry::Mesh>>& meshes) const;

  Options options_;
  data::DatasetRegistry::Spec data_;
  models::ModelRegistry::Spec model_;
  models::LatentRegistry::Spec latent_;
  losses::LossRegistry::Spec loss_;
  optim::OptimizerRegistry::Spec optimizer_;
  optim::ScheduleRegistry::Spec schedule_;
  std::vector<eval::EvaluatorRegistry::Spec> evaluators_;
};

}  // namespace nsdf::experiments
