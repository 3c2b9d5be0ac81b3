#include "eval/Evaluator.h"
#include "eval/SdfErrorEvaluator.h"

namespace nsdf {

void register_builtin_evaluators(EvaluatorRegistry& registry) {
  registry.add<SdfErrorEvaluator>("sdf_error");
}

}  // namespace nsdf
