#pragma once
// Checkpoints as one flat dictionary of named tensors, pickled with torch::pickle_save so that
// Python reads them with a plain `torch.load(path)`:
//
//   decoder.<parameter name>   model parameters and buffers
//   latent.codes               latent code table (auto-decoders)
//   optimizer                  the optimizer's serialized state (bytes, uint8)
//   rng.torch                  state of the default CPU generator
//   step                       int64 scalar: number of completed steps
//
// Files are written atomically (temp + fsync + rename): a run killed at any moment leaves the
// previous checkpoint intact.

#include <torch/torch.h>

#include <map>
#include <string>
#include <vector>

namespace nsdf::core {

/// "[3, 4]": a tensor's shape for messages.
std::string shape_string(const torch::Tensor& t);

class Checkpoint {
 public:
  void put(const std::string& key, const torch::Tensor& tensor);
  /// The tensor under `key`; throws DataError naming the file and key when absent.
  torch::Tensor get(const std::string& key) const;
  bool has(const std::string& key) const { return tensors_.count(key) > 0; }
  /// Every key, in order.
  std::vector<std::string> keys() const {
    std::vector<std::string> out;
    for (const auto& entry : tensors_) out.push_back(entry.first);
    return out;
  }
  const std::map<std::string, torch::Tensor>& tensors() const { return tensors_; }

  /// Parameters and buffers of `module` as "<prefix>.<name>" (CPU copies).
  void put_module(const std::string& prefix, const torch::nn::Module& module);
  /// Copies "<prefix>.<name>" tensors back into `module`; every parameter must be present with
  /// the same shape.
  void load_module(const std::string& prefix, torch::nn::Module& module) const;

  /// The optimizer's full state (per-parameter moments, step counts, groups) as bytes.
  void put_optimizer(const std::string& key, torch::optim::Optimizer& optimizer);
  void load_optimizer(const std::string& key, torch::optim::Optimizer& optimizer) const;

  /// State of the default CPU random generator (dropout, sampling).
  void put_rng(const std::string& key);
  void load_rng(const std::string& key) const;
  /// The default CPU generator's state (a uint8 tensor), and setting it.
  static torch::Tensor rng_state();
  static void set_rng_state(const torch::Tensor& state);

  void save(const std::string& path) const;
  static Checkpoint load(const std::string& path);

 private:
  std::map<std::string, torch::Tensor> tensors_;
  std::string source_;  // file it was loaded from, for messages
};

}  // namespace nsdf::core
