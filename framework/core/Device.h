#pragma once
// Where and how a run computes: `device: auto|cpu|cuda[:N]`, `num_threads`, `seed`.

#include <torch/torch.h>

#include <cstdint>
#include <string>

namespace nsdf::core {

/// Parses "auto", "cpu", "cuda" or "cuda:N". "auto" picks CUDA when available. Throws
/// ConfigError for other text, and for CUDA when this LibTorch has none or N is out of range.
torch::Device parse_device(const std::string& text);

/// Seeds torch (CPU and CUDA) so a run is reproducible.
void seed_everything(uint64_t seed);

/// Sets torch's intra-op threads (0: one per core).
void set_threads(int64_t num_threads);

/// "LibTorch 1.13.1, CUDA none" etc.
std::string torch_version_string();

}  // namespace nsdf::core
