// The `deepsdf` dataset: DeepSDF's folders read in place; see DeepSdfDataset.h.
#include "data/DeepSdfDataset.h"

#include <fmt/format.h>
#include <tbb/parallel_for.h>

#include <chrono>
#include <filesystem>
#include <set>

#include "core/Error.h"
#include "core/Log.h"
#include "core/Strings.h"
#include "data/DatasetSupport.h"
#include "geometry/DeepSdfFiles.h"
#include "geometry/MeshIo.h"
#include "preprocessing/DeepSdfLayout.h"

namespace nsdf::data {

namespace fs = std::filesystem;

void DeepSdfDatasetOptions::declare(core::OptionSet<DeepSdfDatasetOptions>& s) {
  using O = DeepSdfDatasetOptions;
  s.add("root", &O::root,
        "DeepSDF data folder holding SdfSamples/ (and, for evaluation, SurfaceSamples/ and "
        "NormalizationParameters/)")
      .required()
      .non_empty();
  s.add("split", &O::split,
        "DeepSDF split file {dataset: {class: [instance, ...]}}, any number of classes; empty: "
        "every SdfSamples/<dataset>/<class>/<instance>.npz, sorted");
  declare_loading(s);
}

DeepSdfDataset::DeepSdfDataset(const Options& options) : options_(options) {
  const std::string& root = options_.root.str();
  const std::string& split = options_.split.str();
  std::error_code ec;
  NSDF_CHECK(fs::is_directory(root, ec), core::IoError, "{}: {} (deepsdf dataset root)", root,
             fs::exists(root, ec) ? "not a folder" : "no such folder");
  NSDF_CHECK(split.empty() || fs::exists(split, ec), core::IoError,
             "{}: no such file (deepsdf dataset split)", split);
  ids_ = preprocessing::deepsdf_shape_ids(root, split);

  // Every file's headers, before any training: one bad file among thousands should stop the
  // run now, and the user should learn about all of them at once.
  const auto t0 = std::chrono::steady_clock::now();
  bytes_.assign(ids_.size(), 0);
  std::vector<std::string> problems(ids_.size());
  tbb::parallel_for(size_t{0}, ids_.size(), [&](size_t i) {
    const std::string path = file("SdfSamples", static_cast<int64_t>(i), ".npz");
    try {
      const geometry::SdfSampleRows rows = geometry::read_deepsdf_sample_rows(path);
      NSDF_CHECK(rows.pos + rows.neg > 0, core::DataError, "{}: no samples (pos and neg are empty)",
                 path);
      bytes_[i] = (rows.pos + rows.neg) * 4 * static_cast<int64_t>(sizeof(float));
    } catch (const core::Error& e) {
      problems[i] = e.what();
    }
  });
  std::vector<std::string> bad;
  for (const std::string& p : problems)
    if (!p.empty()) bad.push_back(p);
  if (!bad.empty()) {
    throw core::DataError(
        fmt::format("{}: {} of the {} SdfSamples files {} missing or malformed\n  {}",
                    split.empty() ? root : split, bad.size(), ids_.size(),
                    bad.size() == 1 ? "is" : "are", join_at_most(bad, "\n  ")));
  }

  std::set<std::string> classes;
  int64_t total = 0;
  for (int64_t i = 0; i < size(); ++i) {
    classes.insert(shape_class(i));
    total += bytes_[static_cast<size_t>(i)];
  }
  core::log::info("data: deepsdf: {} shapes in {} {} from {} ({} of samples, checked in {:.1f} s)",
                  size(), classes.size(), classes.size() == 1 ? "class" : "classes", root,
                  core::format_bytes(total),
                  std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
}

std::string DeepSdfDataset::file(const std::string& folder, int64_t i,
                                 const std::string& ext) const {
  return (fs::path(options_.root.str()) / folder / (ids_.at(i) + ext)).string();
}

bool DeepSdfDataset::first_warning(const std::string& file) const {
  std::lock_guard<std::mutex> lock(warned_mutex_);
  return warned_.insert(file).second;
}

ShapeData DeepSdfDataset::load(int64_t i) const {
  const std::string path = file("SdfSamples", i, ".npz");
  const geometry::SdfSamples s = geometry::read_deepsdf_samples(path, geometry::NanSdfRows::Drop);
  if (s.dropped_nan_rows > 0 && first_warning(path)) {
    core::log::warn("{}: dropped {} rows whose sdf is NaN (as DeepSDF's loader does)", path,
                    s.dropped_nan_rows);
  }
  NSDF_CHECK(!s.pos.empty() || !s.neg.empty(), core::DataError, "{}: no samples{}", path,
             s.dropped_nan_rows > 0 ? " once the rows whose sdf is NaN are dropped" : "");
  ShapeData data;
  data.pos = row_tensor(s.pos, 4);
  data.neg = row_tensor(s.neg, 4);
  return data;
}

bool DeepSdfDataset::optional_file(const std::string& path, int64_t i, const char* without) const {
  std::error_code ec;
  if (fs::exists(path, ec)) return true;
  if (first_warning(path))
    core::log::warn("{}: no such file: shape '{}' {}", path, ids_.at(i), without);
  return false;
}

geometry::Normalization DeepSdfDataset::normalization(int64_t i) const {
  const std::string path = file("NormalizationParameters", i, ".npz");
  if (!optional_file(path, i,
                     "keeps the identity normalization (its meshes stay in normalized units)"))
    return {};
  return geometry::read_deepsdf_normalization(path);
}

geometry::PointCloud DeepSdfDataset::surface(int64_t i) const {
  const std::string path = file("SurfaceSamples", i, ".ply");
  if (!optional_file(path, i, "has no ground-truth surface points (no surface metrics)")) return {};
  return geometry::read_point_cloud(path);
}

}  // namespace nsdf::data
