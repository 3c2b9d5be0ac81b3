#include "eval/Evaluator.h"
#include "eval/SdfErrorEvaluator.h"
#include "eval/SurfaceEvaluators.h"

namespace nsdf::eval {

void register_builtin_evaluators(EvaluatorRegistry& registry) {
  registry.add<SdfErrorEvaluator>("sdf_error");
  register_surface_evaluators(registry);
}

}  // namespace nsdf::eval
