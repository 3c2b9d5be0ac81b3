#include "data/PointCloudDataset.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "core/Error.h"
#include "core/Log.h"
#include "geometry/PointInput.h"
#include "geometry/TextScan.h"
#include "preprocessing/Hdf5.h"
#include "preprocessing/SampleFile.h"
#include "preprocessing/ShapeSampling.h"

namespace nsdf::data {

namespace fs = std::filesystem;

namespace {

constexpr size_t kMinPoints = 100;
constexpr int64_t kBytesPerPoint = 24;  // a float32 point and its normal

/// Drops the rows whose normal has (nearly) zero length and scales the other normals to unit
/// length. Returns the number of rows dropped.
int64_t make_unit_normals(geometry::PointCloud& c) {
  if (c.N.empty()) return 0;
  size_t kept = 0;
  for (size_t i = 0; i < c.P.size(); ++i) {
    const geometry::Vec3f& n = c.N[i];
    const double len = std::sqrt(double(n[0]) * n[0] + double(n[1]) * n[1] + double(n[2]) * n[2]);
    if (!(len > 1e-12)) continue;
    c.P[kept] = c.P[i];
    c.N[kept] = {float(n[0] / len), float(n[1] / len), float(n[2] / len)};
    ++kept;
  }
  const auto dropped = static_cast<int64_t>(c.P.size() - kept);
  c.P.resize(kept);
  c.N.resize(kept);
  return dropped;
}

/// The `normalize` transform of a shape read from a file: from the mesh's vertices when it was
/// sampled from a mesh (DeepSDF normalizes meshes), else from the points; center always uses the
/// points (IGR: the mean of the surface samples).
geometry::Normalization normalization_of(const std::string& how, const geometry::InputPoints& in,
                                         const std::string& path) {
  try {
    if (how == "center") return geometry::mean_centering_normalization(in.cloud.P);
    if (how == "unit_sphere") {
      return in.from_mesh ? geometry::unit_sphere_normalization(in.mesh)
                          : geometry::unit_sphere_normalization(in.cloud.P);
    }
    if (how == "bbox")
      return geometry::bounding_box_normalization(in.from_mesh ? in.mesh.V : in.cloud.P);
  } catch (const core::DataError& e) {
    throw core::DataError(fmt::format("{}: normalize {}: {}", path, how, e.what()));
  }
  return {};
}

torch::Tensor rows_of(const std::vector<geometry::Vec3f>& v) {
  if (v.empty()) return {};
  const auto n = static_cast<int64_t>(v.size());
  return torch::from_blob(const_cast<float*>(v.front().data()), {n, 3}, torch::kFloat32).clone();
}

}  // namespace

void PointCloudDatasetOptions::declare(core::OptionSet<PointCloudDatasetOptions>& s) {
  using O = PointCloudDatasetOptions;
  s.add("layout", &O::layout,
        "auto: the sample file when `file` is set, dfaust for a 4-level split or a tree of "
        "<subject>/<sequence>/*.npy, else folder; dfaust: IGR's <root>/<subject>/<sequence>/"
        "<shape>.npy; folder: meshes and point files under root")
      .one_of({"auto", "dfaust", "folder"});
  s.add("root", &O::root, "folder of the shapes (D-Faust frames, meshes or point files)");
  s.add("split", &O::split,
        "split file of the shapes under root: IGR's {scans: {subject: {sequence: [shape, ...]}}}, "
        "DeepSDF's {dataset: {class: [instance, ...]}} or {name: [instance, ...]} (default: "
        "every file found)");
  s.add("file", &O::file,
        "instead of root: an nsdf sample file (HDF5); its shapes' surface_points and "
        "surface_normals");
  s.add("extensions", &O::extensions,
        "file types taken from a folder, in lookup order for split entries (any case)")
      .non_empty();
  s.add("points_per_shape", &O::points_per_shape,
        "surface points sampled from each mesh (point files are read as they are)")
      .positive();
  s.add("normalize", &O::normalize,
        "per shape: center (IGR's D-Faust: mean to the origin, no scaling), unit_sphere "
        "(DeepSDF: bounding-box centre, farthest point at 1/1.03), bbox (longest side to "
        "[-1, 1]) or none; not for sample files (their stored normalization)")
      .one_of({"center", "unit_sphere", "bbox", "none"});
  s.add("scale", &O::scale, "global factor applied after the normalization").positive();
  s.add("eval_points", &O::eval_points,
        "ground-truth points per shape for evaluation (an evenly spaced subset), original units")
      .positive();
  s.add("seed", &O::seed, "seed of mesh sampling (mixed with each shape's id)").non_negative();
  declare_loading(s);
  s.validate([](const O& o) -> std::string {
    if (!o.root.empty() && !o.file.empty())
      return "set root (a folder) or file (a sample file), not both";
    if (o.root.empty() && o.file.empty())
      return "set root (a folder of meshes, point files or IGR's D-Faust frames) or file (an "
             "nsdf sample file)";
    if (!o.file.empty() && !o.split.empty())
      return "split lists shapes under root; a sample file lists its own (drop split)";
    if (!o.file.empty() && o.layout != "auto")
      return "layout " + o.layout + " reads root; a sample file (file) goes with layout auto";
    return {};
  });
}

PointCloudDataset::PointCloudDataset(const Options& options) : options_(options) {
  if (!options_.file.empty()) {
    const std::string& path = options_.file.str();
    auto file = std::make_shared<const preprocessing::SampleFile>(path);
    NSDF_CHECK(!file->shape_ids().empty(), core::DataError,
               "{}: the sample file holds no shapes ({} failed)", path, file->failures().size());
    auto guard = preprocessing::hdf5::lock();
    const preprocessing::hdf5::Handle h = preprocessing::hdf5::open_file(path);
    const preprocessing::hdf5::Location root{h.get(), path, "/"};
    for (const std::string& id : file->shape_ids()) {
      const auto dims = preprocessing::hdf5::dataset_dims(root, "shapes/" + id + "/surface_points");
      sample_file_bytes_.push_back(dims.empty() ? 0 : dims[0] * kBytesPerPoint);
      shapes_.push_back({id, fmt::format("{}: /shapes/{}", path, id)});
    }
    sample_file_ = std::move(file);
    layout_ = "sample_file";
  } else {
    CloudListing listing = list_point_clouds(options_.layout, options_.root.str(),
                                             options_.split.str(), options_.extensions);
    layout_ = std::move(listing.layout);
    shapes_ = std::move(listing.shapes);
  }
  normalizations_.resize(shapes_.size());
  warned_.resize(shapes_.size());
  core::log::info("data: {} shapes of oriented points ({} layout) from {}", shapes_.size(), layout_,
                  options_.file.empty() ? options_.root.str() : options_.file.str());
}

PointCloudDataset::~PointCloudDataset() = default;

PointCloudDataset::Cloud PointCloudDataset::read(int64_t i) const {
  const ListedCloud& shape = shapes_.at(static_cast<size_t>(i));
  Cloud c;
  geometry::InputPoints in;
  int64_t dropped = 0;
  if (sample_file_) {
    preprocessing::ShapeRecord r = sample_file_->read(shape.id);
    c.points.P = std::move(r.surface_points);
    c.points.N = std::move(r.surface_normals);
    c.normalization = r.normalization;
    dropped = geometry::drop_non_finite_rows(c.points);
  } else {
    in = geometry::read_input_points(shape.path, options_.points_per_shape,
                                     preprocessing::shape_seed(options_.seed, shape.id));
    dropped = in.dropped_rows;
  }
  geometry::PointCloud& points = sample_file_ ? c.points : in.cloud;
  dropped += make_unit_normals(points);
  NSDF_CHECK(points.P.size() >= kMinPoints, core::DataError,
             "{}: {} points{}; a shape needs at least {}", shape.path, points.P.size(),
             dropped ? fmt::format(" after dropping {} rows with non-finite values or zero "
                                   "normals",
                                   dropped)
                     : std::string(),
             kMinPoints);
  if (!sample_file_) {
    c.normalization = normalization_of(options_.normalize, in, shape.path);
    c.points = std::move(in.cloud);
  }
  c.normalization.scale *= options_.scale;

  std::lock_guard<std::mutex> lock(mutex_);
  normalizations_[static_cast<size_t>(i)] = c.normalization;
  if (dropped > 0 && !warned_[static_cast<size_t>(i)]) {
    warned_[static_cast<size_t>(i)] = 1;
    core::log::warn("{}: dropped {} rows with non-finite values or zero normals ({} points left)",
                    shape.path, dropped, c.points.P.size());
  }
  return c;
}

ShapeData PointCloudDataset::load(int64_t i) const {
  Cloud c = read(i);
  geometry::normalize_points_in_place(c.normalization, c.points.P);
  ShapeData d;
  d.points = rows_of(c.points.P);
  d.normals = rows_of(c.points.N);
  return d;
}

int64_t PointCloudDataset::bytes(int64_t i) const {
  if (sample_file_) return std::max<int64_t>(sample_file_bytes_.at(static_cast<size_t>(i)), 1);
  const std::string& path = source(i);
  const int64_t sampled = options_.points_per_shape * kBytesPerPoint;
  const std::string ext = geometry::detail::lower_extension(path);
  if (ext == ".obj" || ext == ".off") return sampled;
  std::error_code ec;
  const auto size = fs::file_size(path, ec);
  const int64_t file_bytes = ec ? 0 : static_cast<int64_t>(size);
  return ext == ".ply" ? std::max(sampled, file_bytes) : std::max<int64_t>(file_bytes, 1);
}

geometry::Normalization PointCloudDataset::normalization(int64_t i) const {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (const auto& n = normalizations_.at(static_cast<size_t>(i))) return *n;
  }
  return read(i).normalization;
}

geometry::PointCloud PointCloudDataset::surface(int64_t i) const {
  geometry::PointCloud all = read(i).points;
  const auto m = static_cast<int64_t>(all.P.size());
  const int64_t n = options_.eval_points;
  if (m <= n) return all;
  geometry::PointCloud out;
  for (int64_t k = 0; k < n; ++k) {
    const auto row = static_cast<size_t>(k * m / n);
    out.P.push_back(all.P[row]);
    if (!all.N.empty()) out.N.push_back(all.N[row]);
  }
  return out;
}

}  // namespace nsdf::data
