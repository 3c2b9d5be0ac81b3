#include "eval/Evaluator.h"

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

}  // namespace nsdf::eval
