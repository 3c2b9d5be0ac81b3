#pragma once
// What the file-backed datasets share: tensors from the float rows their readers return, and
// error and warning texts that name many files or shapes without flooding the terminal.

#include <torch/torch.h>

#include <cstddef>
#include <string>
#include <vector>

namespace nsdf::data {

/// How many items a message names before it counts the rest.
inline constexpr size_t kMaxNamedItems = 20;

/// `values` (row-major, `columns` per row) as a [rows, columns] float32 CPU tensor (a copy).
torch::Tensor row_tensor(const std::vector<float>& values, int64_t columns);

/// The first kMaxNamedItems of `items` joined by `separator`, then "<separator>... and N more"
/// when there are more.
std::string join_at_most(const std::vector<std::string>& items, const std::string& separator);

}  // namespace nsdf::data
