#pragma once
// `fit`: one surface from one point cloud (single-shape reconstruction). The recipe comes from
// the model and loss sections: DeepSDF-style regression along normals (clamped_l1), IGR, PHASE,
// SIREN.
//
//   input (points or a mesh to sample) -> drop non-finite rows (warning with the count)
//   -> normalize (unit sphere by default) -> normals (file, estimated when the loss needs them)
//   -> per-point sigma = distance to the k-th neighbour (IGR's off-surface sampling)
//   -> `iterations` optimizer steps on random subsets of points_per_step points
//      (metrics.jsonl every log_every steps, checkpoints every checkpoint_every: a killed run
//      resumes exactly with --resume)
//   -> sparse mesh at mesh_resolution of the loss's SDF (Loss::to_sdf: PHASE's log transform)
//   -> back to original units: meshes/<input name>.ply
//   -> eval/metrics.json: always the one-sided distance from the input points to the mesh (IGR's
//      d->; mean and max, and the mean as a fraction of the input's bounding-box diagonal), mesh
//      topology; and the `eval:` evaluators against ground_truth (a mesh or points; a mesh
//      input is its own ground truth), all in original units.
//
// Sections: model, loss, optimizer, schedule (step unit: iterations), eval (optional list).

#include <vector>

#include "core/Options.h"
#include "experiments/Experiment.h"
#include "experiments/Registries.h"
#include "geometry/Mesh.h"
#include "geometry/Normalization.h"

namespace nsdf::experiments {

struct FitOptions {
  std::string name;
  core::Path input;
  std::string shape;
  core::Path ground_truth;
  int64_t mesh_samples = 100000;
  std::string normals = "auto";
  int64_t normal_neighbors = 16;
  std::string normalize = "unit_sphere";
  int64_t sigma_neighbors = 50;
  int64_t iterations = 10000;
  int64_t points_per_step = 16384;
  int64_t checkpoint_every = 1000;
  int64_t log_every = 100;
  int64_t mesh_resolution = 256;
  double mesh_bound = 1.0;
  bool largest_component = false;
  int64_t eval_points = 1000000;
  int64_t image_size = 400;

  static void declare(core::OptionSet<FitOptions>& s);
};

/// The points a fit trains on, normalized, with what it knows about them.
struct FitPoints {
  geometry::PointCloud original;         ///< finite input points in original units
  geometry::PointCloud normalized;       ///< the same, normalized (normals when known)
  geometry::Normalization normalization;  ///< normalized = (original + offset) * scale
  std::vector<float> sigma;              ///< per-point sigma (empty: the loss's default)
  std::shared_ptr<const geometry::Mesh> ground_truth;  ///< original units, or null
};

class FitExperiment : public Experiment {
 public:
  using Options = FitOptions;
  static constexpr const char* kDoc =
      "Single-shape reconstruction: fit a decoder to one point cloud (or points sampled from a "
      "mesh) with the configured loss (clamped_l1 along normals, igr, phase, siren_sdf), mesh "
      "it sparsely, and report the input-to-mesh distance and ground-truth metrics.";
  static constexpr const char* kExample = "{shape: torus, iterations: 10}";

  FitExperiment(const Options& options, const ExperimentInputs& inputs);
  std::string name() const override { return options_.name; }
  void run(RunContext& context) override;

  /// Reads, cleans and normalizes the input (public for tests).
  FitPoints load_points(const losses::Loss& loss, uint64_t seed) const;
  /// The shape's name in outputs: the input file's stem, or the analytic shape's name.
  std::string shape_id() const;

 private:
  void evaluate(RunContext& ctx, const FitPoints& points, models::Decoder& decoder,
                const losses::Loss& loss, const geometry::Mesh& mesh, double fit_seconds) const;

  Options options_;
  models::ModelRegistry::Spec model_;
  losses::LossRegistry::Spec loss_;
  optim::OptimizerRegistry::Spec optimizer_;
  optim::ScheduleRegistry::Spec schedule_;
  std::vector<eval::EvaluatorRegistry::Spec> evaluators_;
};

}  // namespace nsdf::experiments
