#include "eval/SurfaceEvaluators.h"

#include "core/Error.h"

namespace nsdf::eval {

const SurfaceSamples& EvalInput::surfaces(int64_t points, uint64_t seed) const {
  auto& slot = cache_[{points, seed}];
  if (!slot) {
    NSDF_CHECK(prediction && ground_truth, core::DataError,
               "shape '{}': surface metrics need a predicted mesh and a ground truth", shape_id);
    auto s = std::make_shared<SurfaceSamples>();
    s->pred = geometry::evaluation_points(*prediction, points, seed);
    s->gt = geometry::evaluation_points(*ground_truth, points, seed + 1);
    s->match = geometry::match_surfaces(s->pred.P, s->gt.P);
    s->gt_diagonal = geometry::bounding_box_diagonal(s->gt.P);
    slot = std::move(s);
  }
  return *slot;
}

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

// chamfer, hausdorff and normal_consistency differ only in which metrics they report.
using Select = Metrics (*)(const geometry::SurfaceMetrics& m, const EvalInput& in);

class SurfaceMetricEvaluator : public Evaluator {
 public:
  SurfaceMetricEvaluator(const ChamferOptions& o, Select select) : o_(o), select_(select) {}
  Metrics evaluate(const EvalInput& in) const override { return select_(metrics_of(in, o_), in); }

 private:
  ChamferOptions o_;
  Select select_;
};

Metrics select_chamfer(const geometry::SurfaceMetrics& m, const EvalInput&) {
  return {{"chamfer_l1", m.chamfer_l1},
          {"chamfer_l2", m.chamfer_l2},
          {"pred_to_gt", m.pred_to_gt},
          {"gt_to_pred", m.gt_to_pred}};
}

Metrics select_hausdorff(const geometry::SurfaceMetrics& m, const EvalInput&) {
  return {{"hausdorff", m.hausdorff},
          {"hausdorff_pred_to_gt", m.hausdorff_pred_to_gt},
          {"hausdorff_gt_to_pred", m.hausdorff_gt_to_pred}};
}

Metrics select_normal_consistency(const geometry::SurfaceMetrics& m, const EvalInput& in) {
  NSDF_CHECK(m.normal_consistency.has_value(), core::DataError,
             "shape '{}': normal_consistency needs normals on both surfaces (the ground truth "
             "has none)",
             in.shape_id);
  return {{"normal_consistency", *m.normal_consistency}};
}

class FScoreEvaluator : public Evaluator {
 public:
  using Options = FScoreOptions;
  static constexpr const char* kDoc =
      "F-score at tau (Tatarchenko et al. 2019): harmonic mean of precision (predicted points "
      "within tau of the ground truth) and recall; tau defaults to 1% of the ground truth's "
      "bounding-box diagonal.";
  explicit FScoreEvaluator(const Options& o) : o_(o) {}
  Metrics evaluate(const EvalInput& in) const override {
    const SurfaceSamples& s = in.surfaces(o_.points, static_cast<uint64_t>(o_.seed));
    const double tau = o_.tau > 0 ? o_.tau : o_.tau_fraction * s.gt_diagonal;
    const auto m = metrics_of(in, o_, tau);
    return {{"fscore", m.fscore}, {"precision", m.precision}, {"recall", m.recall}, {"tau", tau}};
  }

 private:
  Options o_;
};

}  // namespace

void ChamferOptions::declare(core::OptionSet<ChamferOptions>& s) { declare_sampling(s); }

void FScoreOptions::declare(core::OptionSet<FScoreOptions>& s) {
  declare_sampling(s);
  s.add("tau", &FScoreOptions::tau, "distance threshold in original units (0: use tau_fraction)")
      .non_negative();
  s.add("tau_fraction", &FScoreOptions::tau_fraction,
        "threshold as a fraction of the ground truth's bounding-box diagonal")
      .positive();
}

void register_surface_evaluators(EvaluatorRegistry& registry) {
  auto add = [&](const char* name, const char* doc, Select select) {
    registry.add<ChamferOptions>(name, doc, [select](const ChamferOptions& o) {
      return std::make_shared<SurfaceMetricEvaluator>(o, select);
    });
  };
  add("chamfer",
      "Chamfer distances in original units: chamfer_l1 = (mean d(pred->gt) + mean d(gt->pred)) "
      "/ 2 (IGR, DiGS), chamfer_l2 = mean d^2 + mean d^2 (DeepSDF), and the one-sided means "
      "pred_to_gt, gt_to_pred.",
      select_chamfer);
  add("hausdorff",
      "Hausdorff distance max(max d(pred->gt), max d(gt->pred)) and both one-sided maxima, in "
      "original units.",
      select_hausdorff);
  add("normal_consistency",
      "Normal consistency: mean |cos| between each point's normal and its nearest neighbour's "
      "on the other surface, averaged over both directions (needs normals on both).",
      select_normal_consistency);
  registry.add<FScoreEvaluator>("fscore");
}

}  // namespace nsdf::eval
