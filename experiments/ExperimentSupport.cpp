#include "experiments/ExperimentSupport.h"

#include <algorithm>
#include <filesystem>

#include "core/Checkpoint.h"
#include "core/Log.h"
#include "geometry/CounterRng.h"

namespace nsdf::experiments {

namespace fs = std::filesystem;

std::vector<eval::EvaluatorRegistry::Spec> parse_evaluators(const ExperimentInputs& in) {
  std::vector<eval::EvaluatorRegistry::Spec> specs;
  in.root.expect_keys({"eval"});
  const core::ConfigNode eval = in.root.get("eval");
  if (!eval) return specs;
  if (!eval.is_sequence()) {
    in.diag.error(eval, "expected a list of evaluators, got " + eval.kind_name());
    return specs;
  }
  core::ConfigNode resolved = core::ConfigNode::sequence();
  for (const auto& item : eval.items()) {
    auto spec = in.registries.evaluators.parse(item, in.diag);
    if (spec) resolved.push_back(spec.resolved);
    specs.push_back(std::move(spec));
  }
  in.resolved.set("eval", resolved);
  return specs;
}

std::string check_run_name(const std::string& n) {
  const bool ok = n.find_first_of("/\\") == std::string::npos && n != "." && n != "..";
  return ok ? std::string() : "'" + n + "' is not a plain folder name";
}

std::string check_mesh_resolution(const int64_t& r) {
  const bool ok = r == 0 || (r >= 16 && r <= 2048 && (r & (r - 1)) == 0);
  return ok ? std::string()
            : fmt::format("must be 0 or a power of two in [16, 2048], got {}", r);
}

geometry::ExtractionOptions mesh_extraction_options(int64_t resolution, double bound) {
  geometry::ExtractionOptions eo;
  eo.resolution = static_cast<int>(resolution);
  eo.coarse_resolution = std::min(32, eo.resolution);
  eo.min = {-bound, -bound, -bound};
  eo.max = {bound, bound, bound};
  eo.safety = 2.0;
  return eo;
}

std::function<torch::Tensor(const torch::Tensor&)> sdf_of(const losses::Loss& loss) {
  return [&loss](const torch::Tensor& f) { return loss.to_sdf(f); };
}

eval::Metrics run_evaluators(const std::vector<std::shared_ptr<eval::Evaluator>>& evaluators,
                       const eval::EvalInput& input) {
  eval::Metrics all;
  for (const auto& evaluator : evaluators) {
    try {
      for (auto& metric : evaluator->evaluate(input)) all.push_back(std::move(metric));
    } catch (const core::DataError& e) {
      core::log::warn("shape {}: {}", input.shape_id, e.what());
    }
  }
  return all;
}

torch::Tensor initial_code(uint64_t seed, int64_t index, int64_t size, double std) {
  const geometry::CounterRng rng(
      geometry::splitmix64_mix(seed ^ 0x696e6974636f6465ULL) +
      geometry::CounterRng::kGamma * static_cast<uint64_t>(index + 1));
  torch::Tensor z = torch::empty({size}, torch::kFloat32);
  float* p = z.data_ptr<float>();
  for (int64_t k = 0; k < size; ++k) p[k] = static_cast<float>(std * rng.normal(k));
  return z;
}

std::vector<int64_t> selected_shapes(const data::ShapeDataset& dataset,
                                     const std::vector<std::string>& ids) {
  std::vector<int64_t> indices;
  if (ids.empty()) {
    for (int64_t i = 0; i < dataset.size(); ++i) indices.push_back(i);
    return indices;
  }
  for (const auto& id : ids) {
    const int64_t i = dataset.index_of(id);
    NSDF_CHECK(i >= 0, core::ConfigError,
               "experiment.shapes: '{}' is not a shape of the dataset ({} shapes, e.g. '{}')", id,
               dataset.size(), dataset.size() ? dataset.shape_id(0) : "");
    indices.push_back(i);
  }
  return indices;
}

}  // namespace nsdf::experiments
