#include "preprocessing/DeepSdfLayout.h"

#include <algorithm>
#include <filesystem>

#include "core/Error.h"
#include "core/Log.h"
#include "core/Strings.h"
#include "geometry/DeepSdfFiles.h"
#include "geometry/MeshIo.h"
#include "preprocessing/Split.h"

namespace nsdf::preprocessing {

namespace fs = std::filesystem;

namespace {

std::vector<std::string> split_id(const std::string& id) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t slash = id.find('/', start);
    parts.push_back(id.substr(start, slash - start));
    if (slash == std::string::npos) return parts;
    start = slash + 1;
  }
}

std::string file_for(const std::string& dir, const std::string& folder, const std::string& id,
                      const std::string& ext) {
  const fs::path p = fs::path(dir) / folder / (id + ext);
  fs::create_directories(p.parent_path());
  return p.string();
}

}  // namespace

int64_t export_deepsdf(const SampleFile& file, const std::string& dir) {
  std::vector<std::vector<std::string>> entries;
  size_t depth = 0;
  bool uniform_depth = true;
  for (const std::string& id : file.shape_ids()) {
    const ShapeRecord s = file.read(id);
    geometry::SdfSamples samples;
    samples.pos = s.pos;
    samples.neg = s.neg;
    geometry::write_deepsdf_samples(file_for(dir, "SdfSamples", id, ".npz"), samples);
    geometry::write_deepsdf_normalization(file_for(dir, "NormalizationParameters", id, ".npz"),
                                          s.normalization);
    if (!s.surface_points.empty()) {
      geometry::write_point_cloud({s.surface_points, s.surface_normals},
                                  file_for(dir, "SurfaceSamples", id, ".ply"));
    }
    entries.push_back(split_id(id));
    if (depth == 0) depth = entries.back().size();
    uniform_depth = uniform_depth && entries.back().size() == depth;
  }
  if (!entries.empty() && uniform_depth && depth >= 2) {
    write_split((fs::path(dir) / "split.json").string(), entries);
  }
  return static_cast<int64_t>(file.shape_ids().size());
}

std::vector<std::string> deepsdf_shape_ids(const std::string& dir, const std::string& split) {
  const fs::path samples_dir = fs::path(dir) / "SdfSamples";
  NSDF_CHECK(fs::is_directory(samples_dir), core::IoError,
             "{}: no SdfSamples folder: not a DeepSDF data folder", dir);
  std::vector<std::string> ids;
  if (!split.empty()) {
    for (const auto& entry : read_split(split, 3)) ids.push_back(core::join(entry, "/"));
    NSDF_CHECK(!ids.empty(), core::DataError, "{}: the split lists no shapes", split);
    return ids;
  }
  for (const auto& f : fs::recursive_directory_iterator(samples_dir)) {
    if (!f.is_regular_file() || f.path().extension() != ".npz") continue;
    fs::path rel = fs::relative(f.path(), samples_dir);
    ids.push_back(rel.replace_extension().generic_string());
  }
  std::sort(ids.begin(), ids.end());
  NSDF_CHECK(!ids.empty(), core::DataError, "{}: no .npz files", samples_dir.string());
  return ids;
}

int64_t import_deepsdf(const std::string& dir, const std::string& split,
                       const std::string& output) {
  const fs::path samples_dir = fs::path(dir) / "SdfSamples";
  const std::vector<std::string> ids = deepsdf_shape_ids(dir, split);
  SampleFileInfo info;
  info.method = "deepsdf_import";
  info.parameters = fmt::format("source: {}\nsplit: {}\n", fs::absolute(dir).string(),
                                split.empty() ? "" : fs::absolute(split).string());
  SampleFileWriter writer(output, info);
  int64_t missing_normalization = 0, missing_surface = 0, nan_rows = 0;
  for (const std::string& id : ids) {
    ShapeRecord s;
    s.id = id;
    const std::string samples = (samples_dir / (id + ".npz")).string();
    geometry::SdfSamples sdf = geometry::read_deepsdf_samples(samples, geometry::NanSdfRows::Drop);
    nan_rows += sdf.dropped_nan_rows;
    s.pos = std::move(sdf.pos);
    s.neg = std::move(sdf.neg);
    s.source_path = samples;
    const fs::path norm = fs::path(dir) / "NormalizationParameters" / (id + ".npz");
    if (fs::exists(norm)) {
      s.normalization = geometry::read_deepsdf_normalization(norm.string());
    } else {
      ++missing_normalization;
    }
    const fs::path surface = fs::path(dir) / "SurfaceSamples" / (id + ".ply");
    if (fs::exists(surface)) {
      geometry::PointCloud cloud = geometry::read_point_cloud(surface.string());
      s.surface_points = std::move(cloud.P);
      s.surface_normals = std::move(cloud.N);
    } else {
      ++missing_surface;
    }
    writer.add(s);
  }
  writer.commit();
  if (nan_rows > 0) {
    core::log::warn("import: dropped {} sample rows whose sdf is NaN (as DeepSDF's loader does)",
              nan_rows);
  }
  if (missing_normalization > 0) {
    core::log::warn("import: {} of {} shapes have no NormalizationParameters file: identity used",
              missing_normalization, ids.size());
  }
  if (missing_surface > 0) {
    core::log::warn("import: {} of {} shapes have no SurfaceSamples file", missing_surface,
                    ids.size());
  }
  return static_cast<int64_t>(ids.size());
}

}  // namespace nsdf::preprocessing
