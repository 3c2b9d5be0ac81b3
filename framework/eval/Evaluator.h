#pragma once
// Evaluators (registry family "evaluator") turn a trained field and ground truth into named
// metrics. Plain C++: the field is given as a function, so evaluators do not depend on
// LibTorch and run the same for any decoder. Surface metrics (Chamfer, Hausdorff, normal
// consistency, F-score) compare the extracted mesh with the ground truth in original units.

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/Registry.h"
#include "geometry/Mesh.h"
#include "geometry/SparseExtraction.h"
#include "geometry/SurfaceDistance.h"

namespace nsdf::eval {

/// Points sampled on the prediction and the ground truth and their nearest-neighbour match:
/// computed once per shape and shared by every surface evaluator.
struct SurfaceSamples {
  geometry::PointCloud pred, gt;
  geometry::SurfaceMatch match;
  double gt_diagonal = 0;  // bounding-box diagonal of the ground-truth points
};

struct EvalInput {
  std::string shape_id;
  /// The predicted signed distance, queried in batches (x y z rows).
  geometry::FieldFn field;
  /// Ground-truth SDF samples: rows of (x, y, z, sdf).
  std::vector<float> samples;
  /// The reconstructed mesh and the ground truth (a mesh, or points: a Mesh without faces),
  /// both in original units, for surface metrics.
  std::shared_ptr<const geometry::Mesh> prediction, ground_truth;

  /// `points` samples on each surface (clouds: all points, or a subset of that many) and their
  /// match; computed on first use for each (points, seed) and cached.
  const SurfaceSamples& surfaces(int64_t points, uint64_t seed) const;

 private:
  mutable std::map<std::pair<int64_t, uint64_t>, std::shared_ptr<SurfaceSamples>> cache_;
};

using Metrics = std::vector<std::pair<std::string, double>>;

class Evaluator {
 public:
  virtual ~Evaluator() = default;
  virtual Metrics evaluate(const EvalInput& input) const = 0;
};

using EvaluatorRegistry = core::Registry<Evaluator>;

/// Registers the built-in evaluators (sdf_error, chamfer, hausdorff, normal_consistency,
/// fscore).
void register_builtin_evaluators(EvaluatorRegistry& registry);

}  // namespace nsdf::eval
