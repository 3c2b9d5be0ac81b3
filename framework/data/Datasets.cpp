#include "data/Dataset.h"
#include "data/SyntheticDataset.h"

namespace nsdf::data {

torch::Tensor sample_balanced(const torch::Tensor& pos, const torch::Tensor& neg, int64_t n) {
  auto draw = [](const torch::Tensor& rows, int64_t k) {
    return rows.index_select(0, torch::randint(rows.size(0), {k}, torch::kLong));
  };
  if (pos.size(0) == 0) return draw(neg, n);
  if (neg.size(0) == 0) return draw(pos, n);
  const int64_t half = n / 2;
  return torch::cat({draw(pos, half), draw(neg, n - half)}, 0);
}

void register_builtin_datasets(DatasetRegistry& registry) {
  registry.add<SyntheticDataset>("synthetic");
}

}  // namespace nsdf::data
