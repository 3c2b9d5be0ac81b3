#pragma once
// Surface evaluators: reconstruction metrics between the predicted mesh and the ground truth,
// in original units (formulas in geometry/SurfaceDistance.h). All of them take their points and
// nearest neighbours from EvalInput::surfaces(points, seed), so evaluators with the same
// `points` and `seed` share one set of samples and queries.
//
//   chamfer             chamfer_l1 (IGR/DiGS: mean of both one-sided means of distances),
//                       chamfer_l2 (DeepSDF: sum of both mean squared distances),
//                       pred_to_gt, gt_to_pred (one-sided means)
//   hausdorff           hausdorff, hausdorff_pred_to_gt, hausdorff_gt_to_pred
//   normal_consistency  mean |cos| between nearest neighbours' normals, both ways
//   fscore              fscore, precision, recall at tau (default 1% of the ground truth's
//                       bounding-box diagonal)

#include "eval/Evaluator.h"

namespace nsdf::eval {

struct SurfaceSampling {
  int64_t points = 30000;
  int64_t seed = 0;
};

struct ChamferOptions : SurfaceSampling {
  static void declare(core::OptionSet<ChamferOptions>& s);
};

struct FScoreOptions : SurfaceSampling {
  double tau = 0;             // absolute threshold; 0: tau_fraction of the GT diagonal
  double tau_fraction = 0.01;
  static void declare(core::OptionSet<FScoreOptions>& s);
};

/// Registers chamfer, hausdorff, normal_consistency, fscore.
void register_surface_evaluators(EvaluatorRegistry& registry);

}  // namespace nsdf::eval
