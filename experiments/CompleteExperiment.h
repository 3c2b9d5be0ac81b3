#pragma once
// `complete`: whole shapes from partial observations with a trained shape space (DeepSDF, Park
// et al. 2019, Sec. 6.3; no code was released). For each observation (the depth views
// `views` of each shape of the `data` section, or the files of experiment.observation):
//
//   observed points -> unit normals facing the camera (estimated when missing) and the
//   direction to the camera (geometry/Observation.h)
//   -> into the shape space's frame: the known normalization (views of a preprocessed shape,
//      or observation.offset / scale), else the points' own unit-sphere normalization (a wrong
//      frame for a partial view: it is smaller and off-centre), or `frame` as chosen; with
//      `similarity`, a scale and translation per code optimized jointly with it from there
//   -> each step, per code: samples_per_iteration SDF samples at +-eta along the normals of
//      random observed points (sdf = +-eta), through the `loss` (clamped_l1), and
//      free_space_samples points known to be empty, which only pay for negative predictions:
//      free_space_weight * mean(relu(-sdf)) (one-sided: free space is outside the shape); half
//      on the rays in front of observed points (up to free_space_depth before the surface),
//      half on the rays of depth pixels without a return (the silhouette: the camera saw
//      nothing there), when the observation is a depth image
//   -> `inits` codes per observation optimized in one batch (init 0 from N(0, init_std^2) as
//      DeepSDF, the others from other draws); the one with the lowest observation loss (mean
//      |sdf| at the observed points, in the observation's units, + the free-space term) wins
//   -> mesh (sparse, mesh_resolution) mapped back to the observation's units, meshes/<id>.ply;
//      every `eval` evaluator against the ground truth when there is one, and always the
//      one-sided distance from the observed points to the completed surface; with
//      compare_training, the nearest training shape's Chamfer distance to the ground truth;
//      images/<id>.png: partial input | completion | ground truth.
//
// Outputs: latents/latents.pt (the winning codes by id), latents/frames.csv (each shape's final
// map into the shape space's frame), meshes/, images/, eval/ (per_shape.csv, metrics.json,
// summary.md). Checkpoints every checkpoint_every iterations; killed runs resume.
//
// Sections: data (optional with observation), loss, optimizer (latent_lr: codes and frames),
// schedule (unit: iterations), eval.

#include <string>
#include <vector>

#include "experiments/Experiment.h"
#include "experiments/ExperimentSupport.h"
#include "experiments/Registries.h"
#include "experiments/TrainedModel.h"

namespace nsdf::experiments {

struct CompleteOptions : InferenceOptions {
  std::string name;
  core::Path model;
  std::vector<int64_t> views{0};
  std::vector<std::string> shapes;
  int64_t inits = 4;
  double init_std = 0.01;
  int64_t iterations = 800;
  int64_t samples_per_iteration = 8000;
  int64_t free_space_samples = 4000;
  double eta = 0.01;
  double free_space_depth = 0.25;
  double free_space_weight = 1.0;
  std::string frame = "auto";
  bool similarity = false;
  bool similarity_scale = true;
  int64_t normal_neighbors = 16;
  int64_t observations_per_batch = 4;
  int64_t image_size = 320;

  static void declare(core::OptionSet<CompleteOptions>& s);
};

class CompleteExperiment : public Experiment {
 public:
  using Options = CompleteOptions;
  static constexpr const char* kDoc =
      "Complete shapes from partial views with a trained shape space (DeepSDF Sec. 6.3): SDF "
      "samples at +-eta along the observed normals, one-sided free-space samples on the camera "
      "rays, the observation mapped into the shape space's frame (known, given, or a scale and "
      "translation optimized with the code), several initializations per observation; meshes "
      "in the observation's units, every evaluator, pictures.";
  static constexpr const char* kExample = "{model: train_run}";

  CompleteExperiment(const Options& options, const ExperimentInputs& inputs);
  std::string name() const override { return options_.name; }
  void run(RunContext& context) override;

 private:
  Options options_;
  TrainedModel model_;
  data::DatasetRegistry::Spec data_;
  data::ObservationRegistry::Spec observation_;
  losses::LossRegistry::Spec loss_;
  optim::OptimizerRegistry::Spec optimizer_;
  optim::ScheduleRegistry::Spec schedule_;
  std::vector<eval::EvaluatorRegistry::Spec> evaluators_;
};

}  // namespace nsdf::experiments
