#pragma once
// Datasets of SDF samples, one set per shape (registry family "dataset").
//
// A dataset serves, for each shape, rows (x, y, z, sdf) in the shape's normalized frame. The
// experiment decides how to batch them (shapes per batch, samples per shape); sampling goes
// through torch's default generator so that checkpointed runs resume exactly.

#include <torch/torch.h>

#include <cstdint>
#include <string>

#include "core/Registry.h"
#include "geometry/Mesh.h"

namespace nsdf::data {

class SdfDataset {
 public:
  virtual ~SdfDataset() = default;
  /// Number of shapes.
  virtual int64_t size() const = 0;
  /// Stable id of shape i (file name, ShapeNet id, ...), used for latents/<id> and meshes/.
  virtual std::string shape_id(int64_t i) const = 0;
  /// n rows (x, y, z, sdf) of shape i, half with sdf >= 0 and half with sdf < 0 when the
  /// shape has both (DeepSDF's balanced sampling), drawn with replacement.
  virtual torch::Tensor sample(int64_t i, int64_t n) const = 0;
  /// Held-out rows (x, y, z, sdf) of shape i for evaluation; not used in training.
  virtual torch::Tensor test_samples(int64_t i) const = 0;
  /// Ground-truth surface points of shape i in the dataset's frame (for surface metrics);
  /// empty when the dataset has none.
  virtual geometry::PointCloud surface_points(int64_t i) const { return {}; }
};

using DatasetRegistry = core::Registry<SdfDataset>;

/// Registers the built-in datasets (synthetic).
void register_builtin_datasets(DatasetRegistry& registry);

/// Balanced draw of n rows from `pos` (sdf >= 0) and `neg` (sdf < 0) rows, with replacement.
torch::Tensor sample_balanced(const torch::Tensor& pos, const torch::Tensor& neg, int64_t n);

}  // namespace nsdf::data
