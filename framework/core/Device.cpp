#include "core/Device.h"

#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/version.h>

#include "core/Error.h"

#include <algorithm>
#include <thread>

namespace nsdf::core {

torch::Device parse_device(const std::string& text) {
  if (text == "auto") return torch::cuda::is_available() ? torch::Device(torch::kCUDA, 0)
                                                        : torch::Device(torch::kCPU);
  if (text == "cpu") return torch::Device(torch::kCPU);
  if (text == "cuda" || text.rfind("cuda:", 0) == 0) {
    int index = 0;
    if (text.size() > 5) {
      const std::string n = text.substr(5);
      NSDF_CHECK(!n.empty() && n.find_first_not_of("0123456789") == std::string::npos,
                 ConfigError, "device '{}': expected cuda:N with N a GPU index", text);
      index = std::stoi(n);
    }
    NSDF_CHECK(torch::cuda::is_available(), ConfigError,
               "device '{}': this LibTorch has no usable CUDA (use device: cpu or auto)", text);
    const int count = static_cast<int>(torch::cuda::device_count());
    NSDF_CHECK(index < count, ConfigError, "device '{}': only {} CUDA device(s) visible", text,
               count);
    return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
  }
  throw ConfigError(fmt::format("device '{}': expected auto, cpu, cuda or cuda:N", text));
}

void seed_everything(uint64_t seed) { torch::manual_seed(seed); }

void set_threads(int64_t num_threads) {
  // Torch's own default differs between builds (Debian's 1.13 starts with one thread).
  const int n = num_threads > 0
                    ? static_cast<int>(num_threads)
                    : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  torch::set_num_threads(n);
}

std::string torch_version_string() {
  const auto& hooks = at::detail::getCUDAHooks();
  if (!hooks.hasCUDART())
    return fmt::format("LibTorch {}, CUDA none (CPU-only build)", TORCH_VERSION);
  const long v = hooks.versionCUDART();  // e.g. 12040
  return fmt::format("LibTorch {}, CUDA {}.{} ({} device(s) visible)", TORCH_VERSION, v / 1000,
                     (v % 1000) / 10, torch::cuda::device_count());
}

}  // namespace nsdf::core
