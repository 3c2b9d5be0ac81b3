#pragma once
// `sdf_samples`: the HDF5 sample files `nsdf preprocess` writes (preprocessing/SampleFile.h),
// one file per split, kept open for the whole run. HDF5 stays out of this header: the reader
// is only declared here.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/Options.h"
#include "data/Dataset.h"

namespace nsdf::preprocessing {
class SampleFile;
}

namespace nsdf::data {

struct SampleFileDatasetOptions : LoadingOptions {
  core::Path file;
  std::vector<std::string> shapes;

  static void declare(core::OptionSet<SampleFileDatasetOptions>& s);
};

class SampleFileDataset : public ShapeDataset {
 public:
  using Options = SampleFileDatasetOptions;
  static constexpr const char* kDoc =
      "SDF samples from an nsdf sample file (HDF5, format nsdf.sdf_samples, written by `nsdf "
      "preprocess`; schema in preprocessing/README.md): each shape trains on its pos / neg rows "
      "(x, y, z, sdf, normalized units) and is evaluated against its surface_points and "
      "surface_normals (original units) mapped by its normalization_offset / "
      "normalization_scale attributes. Shapes the file records as failed are left out, with a "
      "warning.";
  static constexpr const char* kExample = "{file: data/chairs_train.h5}";

  /// Opens the file and lists its shapes (options.shapes, or all). Throws IoError when the file
  /// cannot be opened, DataError when it is not a sample file, holds no shapes, or lacks a
  /// listed shape.
  explicit SampleFileDataset(const Options& options);
  ~SampleFileDataset() override;

  int64_t size() const override { return static_cast<int64_t>(ids_.size()); }
  std::string shape_id(int64_t i) const override { return ids_.at(i); }
  SampleKind kind() const override { return SampleKind::Sdf; }
  /// The shape's pos and neg rows (one HDF5 read each, under the HDF5 lock).
  ShapeData load(int64_t i) const override;
  /// From the datasets' dimensions, read at construction.
  int64_t bytes(int64_t i) const override { return bytes_.at(i); }
  geometry::Normalization normalization(int64_t i) const override;
  geometry::PointCloud surface(int64_t i) const override;
  /// The shape's views/<k>: back-projected points, their normals and the camera centre.
  std::vector<geometry::ObservedView> depth_views(int64_t i) const override;
  LoadingOptions loading() const override { return options_; }

 private:
  Options options_;
  std::unique_ptr<const preprocessing::SampleFile> file_;
  std::vector<std::string> ids_;
  std::vector<int64_t> bytes_;
};

}  // namespace nsdf::data
