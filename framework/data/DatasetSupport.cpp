// Helpers of the file-backed datasets; see DatasetSupport.h.
#include "data/DatasetSupport.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

#include "core/Strings.h"

namespace nsdf::data {

torch::Tensor row_tensor(const std::vector<float>& values, int64_t columns) {
  const auto rows = static_cast<int64_t>(values.size()) / columns;
  torch::Tensor t = torch::empty({rows, columns}, torch::kFloat32);
  if (!values.empty()) std::memcpy(t.data_ptr<float>(), values.data(), t.numel() * sizeof(float));
  return t;
}

std::string join_at_most(const std::vector<std::string>& items, const std::string& separator) {
  const size_t n = std::min(items.size(), kMaxNamedItems);
  std::string out =
      core::join(std::vector<std::string>(items.begin(), items.begin() + n), separator);
  if (items.size() > n) out += fmt::format("{}... and {} more", separator, items.size() - n);
  return out;
}

}  // namespace nsdf::data
