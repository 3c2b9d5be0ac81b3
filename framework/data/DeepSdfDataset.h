#pragma once
// `deepsdf`: DeepSDF's own data folder (SdfSamples/, SurfaceSamples/, NormalizationParameters/)
// and split files, trained on directly, with no conversion step. Every listed SdfSamples file is
// checked at construction from its zip directory and array headers, so a missing or damaged
// file stops the run before training, not hours into it.

#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "core/Options.h"
#include "data/Dataset.h"

namespace nsdf::data {

struct DeepSdfDatasetOptions : LoadingOptions {
  core::Path root;
  core::Path split;

  static void declare(core::OptionSet<DeepSdfDatasetOptions>& s);
};

class DeepSdfDataset : public ShapeDataset {
 public:
  using Options = DeepSdfDatasetOptions;
  static constexpr const char* kDoc =
      "DeepSDF's preprocessed data (Park et al. 2019, github.com/facebookresearch/DeepSDF) read "
      "in place: shape '<dataset>/<class>/<instance>' trains on SdfSamples/<id>.npz (pos, neg: "
      "float32 N x 4 rows x, y, z, sdf in normalized units; rows whose sdf is NaN are dropped "
      "and counted, as DeepSDF's loader does) and is evaluated against SurfaceSamples/<id>.ply "
      "(original units) mapped by NormalizationParameters/<id>.npz (offset, scale); those two "
      "are optional. Shapes are the entries of a DeepSDF split {\"<dataset>\": {\"<class>\": "
      "[\"<instance>\", ...]}} (several classes train one model), or every SdfSamples npz.";
  static constexpr const char* kExample = "{root: data/deepsdf, split: planes_train.json}";

  /// Lists the shapes and checks every SdfSamples file's headers. Throws IoError when the
  /// root, its SdfSamples folder or the split is missing; DataError for a malformed split and
  /// one DataError naming every missing or malformed SdfSamples file.
  explicit DeepSdfDataset(const Options& options);

  int64_t size() const override { return static_cast<int64_t>(ids_.size()); }
  std::string shape_id(int64_t i) const override { return ids_.at(i); }
  SampleKind kind() const override { return SampleKind::Sdf; }
  /// SdfSamples/<id>.npz, NaN rows dropped (a warning per file, once).
  ShapeData load(int64_t i) const override;
  /// From the npz headers read at construction.
  int64_t bytes(int64_t i) const override { return bytes_.at(i); }
  /// NormalizationParameters/<id>.npz; identity (with a warning, once) when missing.
  geometry::Normalization normalization(int64_t i) const override;
  /// SurfaceSamples/<id>.ply; empty (with a warning, once) when missing.
  geometry::PointCloud surface(int64_t i) const override;
  LoadingOptions loading() const override { return options_; }

  /// The file of shape i under `folder` ("SdfSamples", ...) with extension `ext` (".npz").
  std::string file(const std::string& folder, int64_t i, const std::string& ext) const;

 private:
  /// Whether `file` has not been warned about yet (and now is); thread-safe.
  bool first_warning(const std::string& file) const;
  /// Whether the evaluation file `path` of shape i exists; if not, warns once that the shape
  /// goes `without` it.
  bool optional_file(const std::string& path, int64_t i, const char* without) const;

  Options options_;
  std::vector<std::string> ids_;
  std::vector<int64_t> bytes_;
  mutable std::mutex warned_mutex_;
  mutable std::set<std::string> warned_;
};

}  // namespace nsdf::data
