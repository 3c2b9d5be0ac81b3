#pragma once
// Shape datasets (registry family "dataset"): the training data of every multi-shape experiment
// (train, reconstruct, interpolate, complete), one interface for all sources.
//
// A dataset lists shapes by id and reads one shape at a time (load(i), thread-safe), in the
// shape's normalized frame: SDF samples split by sign (DeepSDF's pos/neg) or oriented surface
// points (IGR's shape spaces). It does not batch: data::BatchLoader draws batches from it,
// holding every shape in RAM when they fit the dataset's budget and streaming them otherwise,
// with the same batches either way. For evaluation it gives each shape's ground-truth surface
// in original units and the normalization that maps original to normalized units.
//
// A shape's id names its code (latents/latents.pt), its mesh (meshes/<id>.ply) and its metrics
// row (eval/per_shape.csv) everywhere; ids may contain '/' ("ShapeNetV2/03001627/1a6f..."),
// and the part before the last '/' is the shape's class for per-class metrics.

#include <torch/torch.h>

#include <cstdint>
#include <string>

#include "core/Registry.h"
#include "geometry/Mesh.h"
#include "geometry/Normalization.h"
#include "geometry/Observation.h"

namespace nsdf::data {

/// What a dataset trains on.
enum class SampleKind {
  Sdf,             ///< rows (x, y, z, sdf): DeepSDF's regression (clamped_l1)
  OrientedPoints,  ///< surface points with normals: IGR's shape spaces (igr loss)
};

/// One shape's training data in its normalized frame: CPU float32, contiguous.
struct ShapeData {
  torch::Tensor pos;      ///< [P, 4] rows with sdf >= 0 (Sdf)
  torch::Tensor neg;      ///< [Q, 4] rows with sdf < 0 (Sdf)
  torch::Tensor points;   ///< [M, 3] surface points (OrientedPoints)
  torch::Tensor normals;  ///< [M, 3] their unit normals, or undefined when unknown
  int64_t bytes() const;
};

/// How a dataset is held while training (a group of options every file-backed dataset has).
struct LoadingOptions {
  int64_t ram_budget_mb = 8192;  ///< hold every shape in RAM when they fit; else stream
  int64_t prefetch = 4;          ///< batches read ahead when streaming
  int64_t load_threads = 0;      ///< parallel shape reads (0: one per core)
};
template <class O>
void declare_loading(core::OptionSet<O>& s) {
  s.add("ram_budget_mb", &O::ram_budget_mb,
        "hold every shape in RAM when all of them fit in this many MiB (0: always stream); "
        "otherwise shapes are read per batch, ahead of the training loop")
      .non_negative();
  s.add("prefetch", &O::prefetch, "when streaming: batches read ahead of the training loop")
      .positive();
  s.add("load_threads", &O::load_threads, "shapes read in parallel (0: one per core)")
      .non_negative();
}

class ShapeDataset {
 public:
  virtual ~ShapeDataset() = default;
  /// Number of shapes.
  virtual int64_t size() const = 0;
  /// Stable id of shape i (see above).
  virtual std::string shape_id(int64_t i) const = 0;
  virtual SampleKind kind() const = 0;
  /// Reads shape i's training data. Thread-safe. Throws DataError / IoError naming the file.
  virtual ShapeData load(int64_t i) const = 0;
  /// The size of load(i) in bytes, for the RAM budget (an estimate from headers is fine).
  virtual int64_t bytes(int64_t i) const = 0;
  /// normalized = (original + offset) * scale for shape i (identity when the data has no
  /// original units).
  virtual geometry::Normalization normalization(int64_t i) const { return {}; }
  /// Ground-truth surface points of shape i in ORIGINAL units (normals when known), for surface
  /// metrics; empty when the dataset has none.
  virtual geometry::PointCloud surface(int64_t i) const { return {}; }
  /// Held-out rows (x, y, z, sdf) of shape i in normalized units (sdf_error); undefined when
  /// the dataset has none.
  virtual torch::Tensor test_samples(int64_t i) const { return {}; }
  /// The stored depth views of shape i (views/<k> of a sample file), in NORMALIZED units with
  /// their camera centres and kBackgroundPointsPerView free points on the rays without a
  /// return (geometry/Observation.h): the partial observations of shape completion. Empty when
  /// the dataset has none.
  virtual std::vector<geometry::ObservedView> depth_views(int64_t i) const { return {}; }
  /// How the data is held while training.
  virtual LoadingOptions loading() const { return {}; }

  /// The class of shape i: its id up to the last '/', "" for ids without one.
  std::string shape_class(int64_t i) const;
  /// Index of the shape with `id`, or -1.
  int64_t index_of(const std::string& id) const;
};

using DatasetRegistry = core::Registry<ShapeDataset>;

/// Registers the built-in datasets.
void register_builtin_datasets(DatasetRegistry& registry);

/// rows [N, 4] split by the sign of column 3: (sdf >= 0, sdf < 0); shared by the readers.
std::pair<torch::Tensor, torch::Tensor> split_by_sign(const torch::Tensor& rows);

}  // namespace nsdf::data
