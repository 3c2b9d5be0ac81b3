#include "experiments/TrainedModel.h"

#include <filesystem>

#include "core/Checkpoint.h"
#include "core/ConfigLoader.h"
#include "core/Error.h"

namespace nsdf::experiments {

namespace fs = std::filesystem;

namespace {

// The run's config, or an empty node after reporting why there is none.
core::ConfigNode read_run_config(const ExperimentInputs& in, const std::string& dir,
                                 const std::string& key) {
  const fs::path config = fs::path(dir) / "config.yaml";
  if (dir.empty() || !fs::is_directory(dir) || !fs::exists(config)) {
    in.diag.error(in.root.mark(), key,
                  fmt::format("'{}' is not a run folder (it has no config.yaml): give the "
                              "folder of a finished `train` run, runs/<name>/<id>",
                              dir));
    return {};
  }
  try {
    return core::load_config(config.string());
  } catch (const core::Error& e) {
    in.diag.error(in.root.mark(), key, fmt::format("cannot read its config: {}", e.what()));
    return {};
  }
}

std::string experiment_type(const core::ConfigNode& config) {
  const core::ConfigNode exp = config.peek("experiment");
  const core::ConfigNode type = exp && exp.is_map() ? exp.peek("type") : core::ConfigNode();
  return type && type.is_scalar() ? type.as_scalar() : std::string();
}

}  // namespace

TrainedModel TrainedModel::parse(const ExperimentInputs& in, const std::string& dir,
                                 const std::string& key) {
  TrainedModel m;
  core::ConfigNode config = read_run_config(in, dir, key);
  if (!config) return m;
  m.codes_dir_ = dir;
  m.train_dir_ = dir;
  const std::string type = experiment_type(config);
  if (type == "reconstruct" || type == "complete") {
    // The codes are this run's; the decoder is that of the train run it was made from.
    const core::ConfigNode model = config.peek("experiment").peek("model");
    m.train_dir_ = model && model.is_scalar() ? model.as_scalar() : std::string();
    config = read_run_config(in, m.train_dir_, key);
    if (!config) return m;
  } else if (type != "train") {
    in.diag.error(in.root.mark(), key,
                  fmt::format("'{}' is a `{}` run; a trained shape space is a `train` run (or a "
                              "reconstruct run, for its codes)",
                              dir, type));
    return m;
  }
  if (!fs::exists(fs::path(m.train_dir_) / "checkpoints" / "latest.pt")) {
    in.diag.error(in.root.mark(), key,
                  fmt::format("'{}' has no checkpoints/latest.pt: it has not trained yet",
                              m.train_dir_));
    return m;
  }
  // The train run's sections, parsed as the train run did (its config is fully resolved).
  const core::ConfigNode latent = config.peek("latent");
  const core::ConfigNode size = latent && latent.is_map() ? latent.peek("size") : core::ConfigNode();
  if (!size || !size.is_scalar()) {
    in.diag.error(config.mark(), "latent.size", "the train run's config has no latent size");
    return m;
  }
  m.latent_size_ = std::stoll(size.as_scalar());
  m.model_ = core::parse_component(config, "model", in.registries.models, in.diag);
  m.loss_ = core::parse_component(config, "loss", in.registries.losses, in.diag);
  m.data_ = core::parse_component(config, "data", in.registries.datasets, in.diag);
  return m;
}

std::shared_ptr<models::Decoder> TrainedModel::load_decoder(torch::Device device) const {
  auto decoder = model_.build(models::ModelContext{latent_size_});
  const fs::path latest = fs::path(train_dir_) / "checkpoints" / "latest.pt";
  core::Checkpoint::load(latest.string()).load_module("decoder", *decoder);
  decoder->to(device);
  decoder->eval();
  for (auto& p : decoder->parameters()) p.requires_grad_(false);
  return decoder;
}

std::map<std::string, torch::Tensor> TrainedModel::codes() const {
  const fs::path file = fs::path(codes_dir_) / "latents" / "latents.pt";
  NSDF_CHECK(fs::exists(file), core::DataError,
             "{}: no latent codes (the run did not finish?)", file.string());
  return core::Checkpoint::load(file.string()).tensors();
}

}  // namespace nsdf::experiments
