#pragma once
// `interpolate`: walks through a trained shape space between two or more shapes given by id
// (codes of a `train` run, or of a `reconstruct` run with its train run's decoder). Between
// each consecutive pair of codes a and b, `steps` codes from a (t = 0) to b (t = 1):
//   linear  z(t) = (1 - t) a + t b
//   slerp   z(t) = sin((1 - t) w) / sin w * a + sin(t w) / sin w * b, w = angle(a, b)
//           (spherical: follows the arc between the codes; the linear path when they are
//           parallel)
// Each code is meshed (sparse, mesh_resolution, normalized units: the shapes' frames differ,
// so there are no original units in between), written as meshes/<mode>/<pair>_<step>.ply, and
// the steps are drawn side by side in images/<mode>_<pair>.png (geometry/Render). A list of
// what was written, with each step's t and code norm, goes to interpolation.csv.
//
// No sections besides `experiment`: the decoder, its loss (for Loss::to_sdf) and the codes come
// from `model`.

#include <string>
#include <vector>

#include "experiments/Experiment.h"
#include "experiments/Registries.h"
#include "experiments/TrainedModel.h"

namespace nsdf::experiments {

struct InterpolateOptions {
  std::string name;
  core::Path model;
  std::vector<std::string> shapes;
  int64_t steps = 5;
  std::string mode = "both";
  int64_t mesh_resolution = 128;
  double mesh_bound = 1.0;
  bool largest_component = false;
  int64_t image_size = 256;

  static void declare(core::OptionSet<InterpolateOptions>& s);
};

class InterpolateExperiment : public Experiment {
 public:
  using Options = InterpolateOptions;
  static constexpr const char* kDoc =
      "Latent interpolation between shapes of a trained shape space (linear and spherical): a "
      "mesh per step and a strip picture of each path.";
  static constexpr const char* kExample = "{model: train_run, shapes: [a, b]}";

  InterpolateExperiment(const Options& options, const ExperimentInputs& inputs);
  std::string name() const override { return options_.name; }
  void run(RunContext& context) override;

  /// The code at t in [0, 1] between a and b (mode "linear" or "slerp").
  static torch::Tensor interpolate(const torch::Tensor& a, const torch::Tensor& b, double t,
                                   const std::string& mode);

 private:
  Options options_;
  TrainedModel model_;
};

}  // namespace nsdf::experiments
