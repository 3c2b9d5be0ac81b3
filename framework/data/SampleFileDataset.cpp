// The `sdf_samples` dataset: shapes of an nsdf sample file; see SampleFileDataset.h.
#include "data/SampleFileDataset.h"

#include <fmt/format.h>

#include <map>
#include <set>

#include "core/Error.h"
#include "core/Log.h"
#include "core/Strings.h"
#include "data/DatasetSupport.h"
#include "data/DepthObservation.h"
#include "preprocessing/SampleFile.h"

namespace nsdf::data {

void SampleFileDatasetOptions::declare(core::OptionSet<SampleFileDatasetOptions>& s) {
  using O = SampleFileDatasetOptions;
  s.add("file", &O::file, "sample file (.h5) written by `nsdf preprocess`").required().non_empty();
  s.add("shapes", &O::shapes,
        "ids of the shapes to train on, in this order; empty: every shape of the file");
  declare_loading(s);
}

SampleFileDataset::SampleFileDataset(const Options& options)
    : options_(options),
      file_(std::make_unique<const preprocessing::SampleFile>(options.file.str())) {
  const std::string& path = file_->path();
  std::map<std::string, std::string> failed;
  for (const auto& [id, reason] : file_->failures()) failed.emplace(id, reason);
  if (options_.shapes.empty()) {
    ids_ = file_->shape_ids();
    if (!failed.empty()) {
      std::vector<std::string> lines;
      for (const auto& [id, reason] : file_->failures()) lines.push_back(id + ": " + reason);
      core::log::warn("{}: {} failed preprocessing and {} left out:\n  {}", path,
                      failed.size() == 1 ? "1 shape" : fmt::format("{} shapes", failed.size()),
                      failed.size() == 1 ? "is" : "are", join_at_most(lines, "\n  "));
    }
  } else {
    std::set<std::string> seen;
    std::vector<std::string> missing;
    for (const std::string& id : options_.shapes) {
      NSDF_CHECK(seen.insert(id).second, core::DataError,
                 "{}: shapes lists '{}' twice (sdf_samples dataset)", path, id);
      if (file_->index_of(id) >= 0) continue;
      const auto f = failed.find(id);
      missing.push_back(f == failed.end() ? "'" + id + "'"
                                          : fmt::format("'{}' (failed: {})", id, f->second));
    }
    NSDF_CHECK(missing.empty(), core::DataError,
               "{}: {} of the {} listed shapes are not in the file (it holds {}): {}", path,
               missing.size(), options_.shapes.size(), file_->shape_ids().size(),
               join_at_most(missing, ", "));
    ids_ = options_.shapes;
  }
  NSDF_CHECK(!ids_.empty(), core::DataError, "{}: the file holds no shapes ({} failed)", path,
             failed.size());
  int64_t total = 0;
  for (const std::string& id : ids_) {
    bytes_.push_back(file_->sample_bytes(id));
    total += bytes_.back();
  }
  core::log::info("data: sdf_samples: {} shapes from {} ({} of samples)", size(), path,
                  core::format_bytes(total));
}

SampleFileDataset::~SampleFileDataset() = default;

ShapeData SampleFileDataset::load(int64_t i) const {
  const preprocessing::ShapeRecord s =
      file_->read(ids_.at(i), preprocessing::ShapeParts::SamplesOnly);
  ShapeData data;
  data.pos = row_tensor(s.pos, 4);
  data.neg = row_tensor(s.neg, 4);
  return data;
}

geometry::Normalization SampleFileDataset::normalization(int64_t i) const {
  return file_->normalization(ids_.at(i));
}

geometry::PointCloud SampleFileDataset::surface(int64_t i) const {
  return file_->surface(ids_.at(i));
}

std::vector<geometry::ObservedView> SampleFileDataset::depth_views(int64_t i) const {
  std::vector<geometry::ObservedView> views;
  for (auto& v : file_->views(ids_.at(i))) {
    geometry::ObservedView view;
    view.points = std::move(v.points);
    view.normals = std::move(v.normals);
    const auto& m = v.camera_to_world;
    const geometry::PinholeCamera camera = pinhole_camera(
        {v.intrinsics.begin(), v.intrinsics.end()}, {m.begin(), m.end()},
        static_cast<int>(v.width), static_cast<int>(v.height), file_->path());
    view.camera = camera.position();
    view.free_points = geometry::background_points(
        v.depth, camera, geometry::kBackgroundPointsPerView, static_cast<uint64_t>(i));
    views.push_back(std::move(view));
  }
  return views;
}

}  // namespace nsdf::data
