#pragma once
// What the experiments share besides the training loop (experiments/Trainer.h): the `eval:`
// list, option checks, mesh extraction settings, and running evaluators on one shape.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/Options.h"
#include "experiments/Experiment.h"
#include "experiments/Registries.h"

namespace nsdf::experiments {

/// The optional `eval:` list of evaluators of the root config (recorded in in.resolved).
std::vector<eval::EvaluatorRegistry::Spec> parse_evaluators(const ExperimentInputs& in);

/// An optional component section `key`: an empty Spec when the config has none.
template <class R>
typename R::Spec parse_optional_section(const ExperimentInputs& in, const R& registry,
                                        const std::string& key) {
  in.root.expect_keys({key});
  if (!in.root.get(key)) return {};
  return parse_section(in, registry, key);
}

/// Option check for an experiment's `name`: a plain folder name (runs/<name>/<id>).
std::string check_run_name(const std::string& name);

/// Declares an experiment's `name` option (every experiment has one, with the same doc and check).
template <class O>
void declare_run_name(core::OptionSet<O>& s) {
  s.add("name", &O::name, "run name: runs/<name>/<id> (default: the config file's name)")
      .check(check_run_name, "a folder name");
}

/// Option check for `mesh_resolution`: 0 (no mesh) or a power of two in [16, 2048].
std::string check_mesh_resolution(const int64_t& resolution);

/// What the inference experiments (reconstruct, complete) share: checkpoint and log cadence,
/// meshes, and the nearest-training baseline.
struct InferenceOptions {
  int64_t checkpoint_every = 100;
  int64_t log_every = 50;
  int64_t mesh_resolution = 256;
  double mesh_bound = 1.0;
  bool largest_component = false;
  bool compare_training = true;
  int64_t compare_points = 10000;
};
template <class O>
void declare_inference(core::OptionSet<O>& s) {
  using I = InferenceOptions;
  s.add("checkpoint_every", &I::checkpoint_every, "iterations between checkpoints").positive();
  s.add("log_every", &I::log_every, "iterations between metrics.jsonl lines").positive();
  s.add("mesh_resolution", &I::mesh_resolution,
        "grid resolution of the meshes (0: none; a power of two >= 16; DeepSDF: 256)")
      .check(check_mesh_resolution, "0 or a power of two");
  s.add("mesh_bound", &I::mesh_bound,
        "the mesh grid spans [-mesh_bound, mesh_bound]^3 (the shape space's units)")
      .positive();
  s.add("largest_component", &I::largest_component, "keep each mesh's largest component");
  s.add("compare_training", &I::compare_training,
        "compare each shape's ground truth with every training shape's and report the nearest "
        "(the retrieval baseline a reconstruction should beat)");
  s.add("compare_points", &I::compare_points,
        "points of each surface in that comparison (Chamfer conventions as the chamfer "
        "evaluator)")
      .positive();
}

/// The picture grid of shape-space runs (train, reconstruct): images/shapes.png, ground truth |
/// prediction per shape (experiments/ShapePictures.h).
struct GalleryOptions {
  int64_t image_size = 160;
  int64_t image_shapes = 16;
};
template <class O>
void declare_gallery(core::OptionSet<O>& s) {
  using G = GalleryOptions;
  s.add("image_size", &G::image_size,
        "pixels per panel of images/shapes.png: ground truth | prediction per shape (0: none)")
      .non_negative();
  s.add("image_shapes", &G::image_shapes, "shapes in images/shapes.png (the first ones)")
      .positive();
}

/// Sparse extraction of a trained field on [-bound, bound]^3: coarse grid 32^3 (or the final
/// one when smaller) and safety 2, because decoders are only roughly 1-Lipschitz.
geometry::ExtractionOptions mesh_extraction_options(int64_t resolution, double bound = 1.0);

/// Loss::to_sdf as a function for decoder_field: meshes and metrics see signed distances.
std::function<torch::Tensor(const torch::Tensor&)> sdf_of(const losses::Loss& loss);

/// A fresh code for shape `index` of an inference run (reconstruct, complete): N(0, std^2)
/// entries from a counter-based stream of (seed, index), so a shape starts the same whichever
/// shapes share its batch.
torch::Tensor initial_code(uint64_t seed, int64_t index, int64_t size, double std);

/// The dataset indices of `ids` (experiment.shapes), in that order; every shape when empty.
/// ConfigError naming an id the dataset does not have.
std::vector<int64_t> selected_shapes(const data::ShapeDataset& dataset,
                                     const std::vector<std::string>& ids);

/// Runs each evaluator on `input` and returns their metrics in order. A DataError of one
/// evaluator (say, no ground truth for it) is logged as a warning; the others still count.
eval::Metrics run_evaluators(const std::vector<std::shared_ptr<eval::Evaluator>>& evaluators,
                       const eval::EvalInput& input);

}  // namespace nsdf::experiments
