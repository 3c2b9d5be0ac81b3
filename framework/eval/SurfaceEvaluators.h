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

/// Evaluators that report a selection of the shared surface metrics.
class SurfaceMetricEvaluator : public Evaluator {
 public:
  using Options = ChamferOptions;
  explicit SurfaceMetricEvaluator(const Options& o) : o_(o) {}
  Metrics evaluate(const EvalInput& in) const override;

 protected:
  virtual Metrics select(const geometry::SurfaceMetrics& m, const EvalInput& in) const = 0;

 private:
  Options o_;
};

class ChamferEvaluator : public SurfaceMetricEvaluator {
 public:
  static constexpr const char* kDoc =
      "Chamfer distances in original units: chamfer_l1 = (mean d(pred->gt) + mean d(gt->pred)) "
      "/ 2 (IGR, DiGS), chamfer_l2 = mean d^2 + mean d^2 (DeepSDF), and the one-sided means "
      "pred_to_gt, gt_to_pred.";
  using SurfaceMetricEvaluator::SurfaceMetricEvaluator;

 protected:
  Metrics select(const geometry::SurfaceMetrics& m, const EvalInput& in) const override;
};

class HausdorffEvaluator : public SurfaceMetricEvaluator {
 public:
  static constexpr const char* kDoc =
      "Hausdorff distance max(max d(pred->gt), max d(gt->pred)) and both one-sided maxima, in "
      "original units.";
  using SurfaceMetricEvaluator::SurfaceMetricEvaluator;

 protected:
  Metrics select(const geometry::SurfaceMetrics& m, const EvalInput& in) const override;
};

class NormalConsistencyEvaluator : public SurfaceMetricEvaluator {
 public:
  static constexpr const char* kDoc =
      "Normal consistency: mean |cos| between each point's normal and its nearest neighbour's "
      "on the other surface, averaged over both directions (needs normals on both).";
  using SurfaceMetricEvaluator::SurfaceMetricEvaluator;

 protected:
  Metrics select(const geometry::SurfaceMetrics& m, const EvalInput& in) const override;
};

class FScoreEvaluator : public Evaluator {
 public:
  using Options = FScoreOptions;
  static constexpr const char* kDoc =
      "F-score at tau (Tatarchenko et al. 2019): harmonic mean of precision (predicted points "
      "within tau of the ground truth) and recall; tau defaults to 1% of the ground truth's "
      "bounding-box diagonal.";
  explicit FScoreEvaluator(const Options& o) : o_(o) {}
  Metrics evaluate(const EvalInput& in) const override;

 private:
  Options o_;
};

}  // namespace nsdf::eval
