#pragma once
// `train`: learn a shape space with a latent auto-decoder (DeepSDF, Park et al. 2019, Sec. 4;
// IGR's shape space, Gropp et al. 2020, Sec. 5): one decoder shared by all shapes and one latent
// code per shape, optimized jointly.
//
// Each epoch visits every shape once in a random order, in batches of shapes_per_batch shapes
// with samples_per_shape rows each (data::BatchLoader: SDF samples balanced by sign for
// clamped_l1, or oriented surface points for igr). Schedules count epochs; the latent codes can
// have their own (`latent_schedule`; DeepSDF: decoder 5e-4 and codes 1e-3, both halved every 500
// epochs). The loop, metrics, checkpoints and exact resume are experiments/Trainer.h's.
//
// At the end: latents/latents.pt (the code of each shape, by id), meshes/<id>.ply in the shape's
// original units when mesh_resolution > 0, and the `eval` evaluators against each shape's
// ground-truth surface (experiments/ShapeEvaluation.h: eval/per_shape.csv, metrics.json,
// summary.md).
//
// Data-parallel (context.group: `nsdf launch`, `srun`): every rank holds the decoder and all
// codes, assembles its part of each global batch (shapes_per_batch shapes split into contiguous
// parts), weighs its loss by its share, and the ranks average gradients before each step
// (distributed/DataParallel.h); N ranks take the steps that one process takes. Rank 0 writes
// the outputs; the other ranks end after training.
//
// Sections: data (dataset), model, latent, loss, optimizer, schedule (step unit: epochs),
// latent_schedule (optional), eval (optional list of evaluators).

#include <vector>

#include "experiments/Experiment.h"
#include "experiments/ExperimentSupport.h"
#include "experiments/Registries.h"

namespace nsdf::experiments {

struct TrainOptions : GalleryOptions {
  std::string name;
  int64_t epochs = 100;
  int64_t shapes_per_batch = 8;
  int64_t samples_per_shape = 2048;
  int64_t checkpoint_every = 50;
  int64_t log_every = 1;
  double grad_clip = 0;
  int64_t mesh_resolution = 0;
  double mesh_bound = 1.0;
  int64_t mesh_shapes = 0;

  static void declare(core::OptionSet<TrainOptions>& s);
};

class TrainExperiment : public Experiment {
 public:
  using Options = TrainOptions;
  static constexpr const char* kDoc =
      "Shape-space training with a latent auto-decoder (DeepSDF, IGR): decoder + one code per "
      "shape, optimized jointly on SDF samples (clamped_l1) or oriented points (igr); "
      "checkpoints resume exactly; meshes and evaluates every shape at the end.";

  TrainExperiment(const Options& options, const ExperimentInputs& inputs);
  std::string name() const override { return options_.name; }
  void run(RunContext& context) override;
  bool data_parallel() const override { return true; }

 private:
  Options options_;
  data::DatasetRegistry::Spec data_;
  models::ModelRegistry::Spec model_;
  models::LatentRegistry::Spec latent_;
  losses::LossRegistry::Spec loss_;
  optim::OptimizerRegistry::Spec optimizer_;
  optim::ScheduleRegistry::Spec schedule_;
  optim::ScheduleRegistry::Spec latent_schedule_;
  std::vector<eval::EvaluatorRegistry::Spec> evaluators_;
};

}  // namespace nsdf::experiments
