#include "eval/Evaluator.h"
#include "eval/SdfErrorEvaluator.h"
#include "eval/SurfaceEvaluators.h"

namespace nsdf::eval {

void register_builtin_evaluators(EvaluatorRegistry& registry) {
  registry.add<SdfErrorEvaluator>("sdf_error");
  registry.add<ChamferEvaluator>("chamfer");
  registry.add<HausdorffEvaluator>("hausdorff");
  registry.add<NormalConsistencyEvaluator>("normal_consistency");
  registry.add<FScoreEvaluator>("fscore");
}

}  // namespace nsdf::eval
