#include "core/Checkpoint.h"

#include <ATen/CPUGeneratorImpl.h>

#include <filesystem>
#include <sstream>

#include "core/Error.h"
#include "core/Files.h"

namespace nsdf::core {

namespace {

torch::Tensor bytes_to_tensor(const std::string& bytes) {
  auto t = torch::empty({static_cast<int64_t>(bytes.size())}, torch::kUInt8);
  std::memcpy(t.data_ptr<uint8_t>(), bytes.data(), bytes.size());
  return t;
}

std::string tensor_to_bytes(const torch::Tensor& t) {
  const auto c = t.contiguous().to(torch::kCPU);
  return std::string(reinterpret_cast<const char*>(c.data_ptr<uint8_t>()),
                     static_cast<size_t>(c.numel()));
}

}  // namespace

std::string shape_string(const torch::Tensor& t) {
  std::string s = "[";
  for (int64_t i = 0; i < t.dim(); ++i) s += (i ? ", " : "") + std::to_string(t.size(i));
  return s + "]";
}

void Checkpoint::put(const std::string& key, const torch::Tensor& tensor) {
  tensors_[key] = tensor.detach().to(torch::kCPU).contiguous().clone();
}

torch::Tensor Checkpoint::get(const std::string& key) const {
  auto it = tensors_.find(key);
  NSDF_CHECK(it != tensors_.end(), DataError, "{}: checkpoint has no entry '{}'",
             source_.empty() ? "checkpoint" : source_, key);
  return it->second;
}

void Checkpoint::put_module(const std::string& prefix, const torch::nn::Module& module) {
  for (const auto& p : module.named_parameters(/*recurse=*/true))
    put(prefix + "." + p.key(), p.value());
  for (const auto& b : module.named_buffers(/*recurse=*/true))
    put(prefix + "." + b.key(), b.value());
}

void Checkpoint::load_module(const std::string& prefix, torch::nn::Module& module) const {
  torch::NoGradGuard no_grad;
  auto copy = [&](const std::string& name, torch::Tensor& target) {
    const torch::Tensor src = get(prefix + "." + name);
    NSDF_CHECK(src.sizes() == target.sizes(), DataError,
               "{}: '{}.{}' has shape {} but the model expects {}", source_, prefix, name,
               shape_string(src), shape_string(target));
    target.copy_(src);
  };
  for (auto& p : module.named_parameters(true)) copy(p.key(), p.value());
  for (auto& b : module.named_buffers(true)) copy(b.key(), b.value());
}

void Checkpoint::put_optimizer(const std::string& key, torch::optim::Optimizer& optimizer) {
  torch::serialize::OutputArchive archive;
  optimizer.save(archive);
  std::ostringstream out;
  archive.save_to(out);
  tensors_[key] = bytes_to_tensor(out.str());
}

void Checkpoint::load_optimizer(const std::string& key, torch::optim::Optimizer& optimizer) const {
  std::istringstream in(tensor_to_bytes(get(key)));
  torch::serialize::InputArchive archive;
  archive.load_from(in);
  optimizer.load(archive);
}

torch::Tensor Checkpoint::rng_state() {
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  return gen.get_state().clone();
}

void Checkpoint::set_rng_state(const torch::Tensor& state) {
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_state(state);
}

void Checkpoint::put_rng(const std::string& key) { tensors_[key] = rng_state(); }

void Checkpoint::load_rng(const std::string& key) const { set_rng_state(get(key)); }

void Checkpoint::save(const std::string& path) const {
  c10::Dict<std::string, torch::Tensor> dict;
  for (const auto& [k, v] : tensors_) dict.insert(k, v);
  const std::vector<char> bytes = torch::pickle_save(dict);
  write_file_atomic(path, std::string_view(bytes.data(), bytes.size()));
}

Checkpoint Checkpoint::load(const std::string& path) {
  const std::string data = read_file(path);
  Checkpoint ck;
  ck.source_ = path;
  c10::IValue value;
  try {
    value = torch::pickle_load(std::vector<char>(data.begin(), data.end()));
  } catch (const c10::Error& e) {
    throw DataError(fmt::format("{}: not a readable nsdf checkpoint: {}", path,
                                e.what_without_backtrace()));
  }
  NSDF_CHECK(value.isGenericDict(), DataError, "{}: not an nsdf checkpoint (expected a dict)",
             path);
  for (const auto& item : value.toGenericDict()) {
    NSDF_CHECK(item.key().isString() && item.value().isTensor(), DataError,
               "{}: not an nsdf checkpoint (expected a dict of named tensors)", path);
    ck.tensors_[item.key().toStringRef()] = item.value().toTensor();
  }
  return ck;
}

}  // namespace nsdf::core
