#pragma once
// Evaluators (registry family "evaluator") turn a trained field and ground truth into named
// metrics. Plain C++: the field is given as a function, so evaluators do not depend on
// LibTorch and run the same for any decoder. Mesh-based metrics (Chamfer, Hausdorff, normal
// consistency, F-score) use the same interface with the extracted mesh in the input.

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "core/Registry.h"

namespace nsdf {

struct EvalInput {
  std::string shape_id;
  /// The predicted signed distance at n points given as 3n floats (x y z rows).
  std::function<std::vector<float>(const std::vector<float>& xyz)> field;
  /// Ground-truth SDF samples: rows of (x, y, z, sdf).
  std::vector<float> samples;
};

using Metrics = std::vector<std::pair<std::string, double>>;

class Evaluator {
 public:
  virtual ~Evaluator() = default;
  virtual Metrics evaluate(const EvalInput& input) const = 0;
};

using EvaluatorRegistry = Registry<Evaluator>;

/// Registers the built-in evaluators (sdf_error).
void register_builtin_evaluators(EvaluatorRegistry& registry);

}  // namespace nsdf
