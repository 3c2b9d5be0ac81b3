#include "eval/SurfaceEvaluators.h"

#include "core/Error.h"

namespace nsdf::eval {

namespace {

template <class O>
void declare_sampling(core::OptionSet<O>& s) {
  s.add("points", &O::points,
        "points sampled on each surface (a point cloud ground truth: at most this many of its "
        "points)")
      .positive();
  s.add("seed", &O::seed, "seed of the surface samples").non_negative();
}

geometry::SurfaceMetrics metrics_of(const EvalInput& in, const SurfaceSampling& o,
                                    double tau = 0) {
  const SurfaceSamples& s = in.surfaces(o.points, static_cast<uint64_t>(o.seed));
  return geometry::surface_metrics(s.pred, s.gt, s.match, tau > 0 ? tau : 0.01 * s.gt_diagonal);
}

}  // namespace

Metrics SurfaceMetricEvaluator::evaluate(const EvalInput& in) const {
  return select(metrics_of(in, o_), in);
}

Metrics ChamferEvaluator::select(const geometry::SurfaceMetrics& m, const EvalInput&) const {
  return {{"chamfer_l1", m.chamfer_l1},
          {"chamfer_l2", m.chamfer_l2},
          {"pred_to_gt", m.pred_to_gt},
          {"gt_to_pred", m.gt_to_pred}};
}

Metrics HausdorffEvaluator::select(const geometry::SurfaceMetrics& m, const EvalInput&) const {
  return {{"hausdorff", m.hausdorff},
          {"hausdorff_pred_to_gt", m.hausdorff_pred_to_gt},
          {"hausdorff_gt_to_pred", m.hausdorff_gt_to_pred}};
}

Metrics NormalConsistencyEvaluator::select(const geometry::SurfaceMetrics& m,
                                           const EvalInput& in) const {
  NSDF_CHECK(m.normal_consistency.has_value(), core::DataError,
             "shape '{}': normal_consistency needs normals on both surfaces (the ground truth "
             "has none)",
             in.shape_id);
  return {{"normal_consistency", *m.normal_consistency}};
}

Metrics FScoreEvaluator::evaluate(const EvalInput& in) const {
  const SurfaceSamples& s = in.surfaces(o_.points, static_cast<uint64_t>(o_.seed));
  const double tau = o_.tau > 0 ? o_.tau : o_.tau_fraction * s.gt_diagonal;
  const auto m = metrics_of(in, o_, tau);
  return {{"fscore", m.fscore}, {"precision", m.precision}, {"recall", m.recall}, {"tau", tau}};
}

void ChamferOptions::declare(core::OptionSet<ChamferOptions>& s) { declare_sampling(s); }

void FScoreOptions::declare(core::OptionSet<FScoreOptions>& s) {
  declare_sampling(s);
  s.add("tau", &FScoreOptions::tau, "distance threshold in original units (0: use tau_fraction)")
      .non_negative();
  s.add("tau_fraction", &FScoreOptions::tau_fraction,
        "threshold as a fraction of the ground truth's bounding-box diagonal")
      .positive();
}

}  // namespace nsdf::eval
