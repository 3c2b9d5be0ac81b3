#pragma once
// `reconstruct`: shapes a trained shape space has not seen, each found as the latent code that
// best explains its data with the decoder frozen (DeepSDF's auto-decoder inference, Park et al.
// 2019 Sec. 4.2, reconstruct.py; IGR's test-time latent fit).
//
// For every shape of the `data` section (a test split: sample file, DeepSDF folder or point
// clouds), a fresh code N(0, init_std^2) is optimized for `iterations` steps on
// samples_per_shape rows per step with the `loss` (DeepSDF: clamped_l1, 8000 samples, 800
// iterations, Adam 5e-3 divided by 10 at 400, code regularization 1e-4 * mean(z^2)). Many shapes
// are optimized together in one batch (shapes_per_batch): each code sees only its own shape's
// rows, the loss is the sum of the per-shape losses, and no gradient is computed for the decoder,
// so a batch of K shapes gives each code what K single runs would. Then each code's mesh is
// extracted (sparse, mesh_resolution), mapped back to the shape's original units, and evaluated
// with every `eval` evaluator against the shape's ground-truth surface; with
// compare_training, each shape is also compared with the nearest shape of the training set
// (ground truth to ground truth): a reconstruction worth having beats that baseline.
//
// Outputs: latents/latents.pt (codes by id), meshes/<id>.ply, eval/per_shape.csv,
// eval/metrics.json, eval/summary.md, eval/nearest_training.csv. Checkpoints every
// checkpoint_every iterations: a killed run resumes where it stopped (finished batches of
// shapes are kept in latents/latents.pt).
//
// Sections: data, loss, optimizer (its latent_lr), schedule (unit: iterations), eval.

#include <string>
#include <vector>

#include "experiments/Experiment.h"
#include "experiments/ExperimentSupport.h"
#include "experiments/Registries.h"
#include "experiments/TrainedModel.h"

namespace nsdf::experiments {

struct ReconstructOptions : InferenceOptions, GalleryOptions {
  std::string name;
  core::Path model;
  std::vector<std::string> shapes;
  int64_t iterations = 800;
  int64_t samples_per_shape = 8000;
  int64_t shapes_per_batch = 8;
  double init_std = 0.01;

  static void declare(core::OptionSet<ReconstructOptions>& s);
};

class ReconstructExperiment : public Experiment {
 public:
  using Options = ReconstructOptions;
  static constexpr const char* kDoc =
      "Reconstruct unseen shapes with a trained shape space: fresh codes optimized with the "
      "decoder frozen, many shapes per batch (DeepSDF's inference: 800 iterations, 8000 "
      "samples, lr 5e-3 / 10 at 400); meshes in original units, every evaluator, and the "
      "nearest training shape as a baseline.";
  static constexpr const char* kExample = "{model: train_run}";

  ReconstructExperiment(const Options& options, const ExperimentInputs& inputs);
  std::string name() const override { return options_.name; }
  void run(RunContext& context) override;

 private:
  Options options_;
  TrainedModel model_;
  data::DatasetRegistry::Spec data_;
  losses::LossRegistry::Spec loss_;
  optim::OptimizerRegistry::Spec optimizer_;
  optim::ScheduleRegistry::Spec schedule_;
  std::vector<eval::EvaluatorRegistry::Spec> evaluators_;
};

}  // namespace nsdf::experiments
