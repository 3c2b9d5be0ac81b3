#include "data/Dataset.h"

namespace nsdf::data {

int64_t ShapeData::bytes() const {
  int64_t n = 0;
  for (const auto* t : {&pos, &neg, &points, &normals})
    if (t->defined()) n += t->numel() * static_cast<int64_t>(t->element_size());
  return n;
}

std::string ShapeDataset::shape_class(int64_t i) const {
  const std::string id = shape_id(i);
  const auto slash = id.rfind('/');
  return slash == std::string::npos ? std::string() : id.substr(0, slash);
}

int64_t ShapeDataset::index_of(const std::string& id) const {
  for (int64_t i = 0; i < size(); ++i)
    if (shape_id(i) == id) return i;
  return -1;
}

std::pair<torch::Tensor, torch::Tensor> split_by_sign(const torch::Tensor& rows) {
  const torch::Tensor negative = rows.select(1, 3) < 0;
  return {rows.index({~negative}).contiguous(), rows.index({negative}).contiguous()};
}

}  // namespace nsdf::data
