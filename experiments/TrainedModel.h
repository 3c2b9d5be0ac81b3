#pragma once
// A finished run used by the experiments that build on a trained shape space (reconstruct,
// interpolate, complete): `experiment.model: RUN_DIR`. From a `train` run: its decoder (the
// `model` section of its config.yaml and the weights of checkpoints/latest.pt), the latent
// size, its loss (for Loss::to_sdf), its dataset (the training shapes, e.g. for the nearest
// training shape) and its codes (latents/latents.pt, by shape id). From a `reconstruct` (or
// `complete`) run: the codes it fitted, with the decoder of the train run it names.
//
// parse() only reads and validates configs (errors into the experiment's diagnostics, naming
// the run's config file); the decoder and the dataset are built when the experiment runs.

#include <map>
#include <memory>
#include <string>

#include "core/ConfigNode.h"
#include "experiments/Registries.h"

namespace nsdf::experiments {

class TrainedModel {
 public:
  /// Reads `dir` (the value of option `key`, for messages); errors go to in.diag.
  static TrainedModel parse(const ExperimentInputs& in, const std::string& dir,
                            const std::string& key);

  explicit operator bool() const { return static_cast<bool>(model_); }
  /// The train run holding the decoder.
  const std::string& train_dir() const { return train_dir_; }
  /// The run whose codes codes() returns (the train run, or a reconstruct run).
  const std::string& codes_dir() const { return codes_dir_; }
  int64_t latent_size() const { return latent_size_; }

  /// The decoder with its trained weights on `device`, in eval mode, parameters frozen.
  std::shared_ptr<models::Decoder> load_decoder(torch::Device device) const;
  /// The train run's loss (its to_sdf maps outputs to distances).
  std::shared_ptr<losses::Loss> loss() const { return loss_.build(); }
  /// The train run's dataset: its training shapes.
  std::shared_ptr<data::ShapeDataset> training_data() const { return data_.build(); }
  /// latents/latents.pt of codes_dir(): code by shape id.
  std::map<std::string, torch::Tensor> codes() const;

 private:
  std::string train_dir_, codes_dir_;
  int64_t latent_size_ = 0;
  models::ModelRegistry::Spec model_;
  losses::LossRegistry::Spec loss_;
  data::DatasetRegistry::Spec data_;
};

}  // namespace nsdf::experiments
