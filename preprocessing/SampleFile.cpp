#include "preprocessing/SampleFile.h"

#include <fmt/ranges.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "core/Error.h"
#include "core/Files.h"
#include "preprocessing/Hdf5.h"
#include "preprocessing/Source.h"

namespace nsdf::preprocessing {

namespace {

constexpr const char* kFormat = "nsdf.sdf_samples";
constexpr int64_t kFormatVersion = 1;

using geometry::Vec3f;

void check_rows(const std::vector<float>& rows, const std::string& what, bool positive,
                const std::string& where) {
  NSDF_CHECK(rows.size() % 4 == 0, core::DataError, "{}: {} has {} values, not rows of 4", where,
             what, rows.size());
  for (size_t i = 0; i < rows.size(); i += 4) {
    const float sdf = rows[i + 3];
    NSDF_CHECK(std::isfinite(rows[i]) && std::isfinite(rows[i + 1]) &&
                   std::isfinite(rows[i + 2]) && std::isfinite(sdf),
               core::DataError, "{}: {} row {} is not finite", where, what, i / 4);
    NSDF_CHECK(positive ? sdf >= 0 : sdf < 0, core::DataError,
               "{}: {} row {} has sdf {} ({} holds sdf {})", where, what, i / 4, sdf, what,
               positive ? ">= 0" : "< 0");
  }
}

void write_points(const hdf5::Location& loc, const std::string& name,
                  const std::vector<Vec3f>& points) {
  hdf5::write_floats(loc, name, points.empty() ? nullptr : points[0].data(),
                     {static_cast<int64_t>(points.size()), 3});
}

std::vector<Vec3f> read_points(const hdf5::Location& loc, const std::string& name) {
  const std::vector<float> flat = hdf5::read_floats(loc, name, 2, 3);
  std::vector<Vec3f> out(flat.size() / 3);
  for (size_t i = 0; i < out.size(); ++i) out[i] = {flat[3 * i], flat[3 * i + 1], flat[3 * i + 2]};
  return out;
}

geometry::Normalization read_normalization(const hdf5::Location& g) {
  const std::vector<double> offset = hdf5::read_doubles_attribute(g, "normalization_offset");
  NSDF_CHECK(offset.size() == 3, core::DataError, "{}: {}: normalization_offset has {} values",
             g.file, g.name, offset.size());
  geometry::Normalization n;
  n.offset = {offset[0], offset[1], offset[2]};
  n.scale = hdf5::read_double_attribute(g, "normalization_scale");
  return n;
}

void check_view(const ViewRecord& v, size_t k, const std::string& where) {
  NSDF_CHECK(v.width >= 0 && v.height >= 0 &&
                 static_cast<int64_t>(v.depth.size()) == v.width * v.height,
             core::DataError, "{}: view {}: depth has {} values for {} x {} pixels", where, k,
             v.depth.size(), v.width, v.height);
  NSDF_CHECK(v.points.size() == v.normals.size(), core::DataError,
             "{}: view {}: {} points but {} normals", where, k, v.points.size(),
             v.normals.size());
}

}  // namespace

// ------------------------------------------------------------------------------------------
// Writer

struct SampleFileWriter::Impl {
  std::string path;
  std::string tmp;
  hdf5::Handle file;
  std::vector<std::string> ids;
  std::set<std::string> seen;
  std::vector<std::string> failed_ids;
  std::vector<std::string> failed_reasons;
  bool committed = false;

  hdf5::Location root() const { return {file.get(), path, "/"}; }
};

SampleFileWriter::SampleFileWriter(const std::string& path, const SampleFileInfo& info)
    : impl_(std::make_unique<Impl>()) {
  impl_->path = path;
  impl_->tmp = core::temp_path(path);
  impl_->file = hdf5::create_file(impl_->tmp);
  const hdf5::Location root = impl_->root();
  hdf5::write_attribute(root, "format", std::string(kFormat));
  hdf5::write_attribute(root, "format_version", kFormatVersion);
  hdf5::write_attribute(root, "nsdf_version",
                        info.nsdf_version.empty() ? std::string(NSDF_VERSION) : info.nsdf_version);
  hdf5::write_attribute(root, "method", info.method);
  hdf5::write_attribute(root, "parameters", info.parameters);
  hdf5::create_group(root, "shapes");
}

SampleFileWriter::~SampleFileWriter() {
  if (impl_ && !impl_->committed) {
    impl_->file = hdf5::Handle();
    std::remove(impl_->tmp.c_str());
  }
}

void SampleFileWriter::add(const ShapeRecord& s) {
  const std::string where = fmt::format("{}: shape '{}'", impl_->path, s.id);
  check_shape_id(s.id, impl_->path);
  NSDF_CHECK(!impl_->seen.count(s.id), core::DataError, "{}: added twice", where);
  check_rows(s.pos, "pos", true, where);
  check_rows(s.neg, "neg", false, where);
  NSDF_CHECK(s.surface_normals.empty() || s.surface_normals.size() == s.surface_points.size(),
             core::DataError, "{}: {} surface points but {} normals", where,
             s.surface_points.size(), s.surface_normals.size());
  for (size_t k = 0; k < s.views.size(); ++k) check_view(s.views[k], k, where);

  auto guard = hdf5::lock();
  hdf5::Handle group = hdf5::create_group(impl_->root(), "shapes/" + s.id);
  const hdf5::Location g{group.get(), impl_->path, "/shapes/" + s.id};
  hdf5::write_floats(g, "pos", s.pos.data(), {static_cast<int64_t>(s.pos.size() / 4), 4});
  hdf5::write_floats(g, "neg", s.neg.data(), {static_cast<int64_t>(s.neg.size() / 4), 4});
  write_points(g, "surface_points", s.surface_points);
  write_points(g, "surface_normals", s.surface_normals);
  for (size_t k = 0; k < s.views.size(); ++k) {
    const ViewRecord& v = s.views[k];
    const std::string name = "views/" + std::to_string(k);
    hdf5::write_floats(g, name + "/depth", v.depth.data(), {v.height, v.width});
    hdf5::write_doubles(g, name + "/intrinsics", v.intrinsics.data(), {3, 3});
    hdf5::write_doubles(g, name + "/camera_to_world", v.camera_to_world.data(), {4, 4});
    write_points(g, name + "/points", v.points);
    write_points(g, name + "/normals", v.normals);
  }
  hdf5::write_attribute(g, "source_path", s.source_path);
  hdf5::write_attribute(g, "source_key", s.source_key);
  hdf5::write_attribute(g, "source_frame", s.source_frame);
  const auto& n = s.normalization;
  hdf5::write_attribute(g, "normalization_offset",
                        std::vector<double>{n.offset[0], n.offset[1], n.offset[2]});
  hdf5::write_attribute(g, "normalization_scale", n.scale);
  for (const auto& [key, value] : s.stats) hdf5::write_attribute(g, key, value);
  impl_->ids.push_back(s.id);
  impl_->seen.insert(s.id);
}

void SampleFileWriter::add_failure(const std::string& id, const std::string& reason) {
  impl_->failed_ids.push_back(id);
  impl_->failed_reasons.push_back(reason);
}

void SampleFileWriter::commit() {
  NSDF_ASSERT(!impl_->committed, "commit() called twice");
  {
    auto guard = hdf5::lock();
    const hdf5::Location root = impl_->root();
    hdf5::write_strings(root, "shape_ids", impl_->ids);
    hdf5::write_strings(root, "failed_ids", impl_->failed_ids);
    hdf5::write_strings(root, "failed_reasons", impl_->failed_reasons);
    NSDF_CHECK(H5Fflush(impl_->file.get(), H5F_SCOPE_GLOBAL) >= 0, core::IoError,
               "{}: cannot flush (disk full?)", impl_->tmp);
    impl_->file = hdf5::Handle();
  }
  core::commit_file(impl_->tmp, impl_->path);
  impl_->committed = true;
}

void write_sample_file(const std::string& path, const SampleFileInfo& info,
                       const std::vector<ShapeRecord>& shapes,
                       const std::vector<std::pair<std::string, std::string>>& failures) {
  SampleFileWriter w(path, info);
  for (const auto& s : shapes) w.add(s);
  for (const auto& [id, reason] : failures) w.add_failure(id, reason);
  w.commit();
}

// ------------------------------------------------------------------------------------------
// Reader

struct SampleFile::Impl {
  std::string path;
  hdf5::Handle file;
  SampleFileInfo info;
  std::vector<std::string> ids;
  std::map<std::string, int64_t> index;
  std::vector<std::pair<std::string, std::string>> failures;

  hdf5::Location root() const { return {file.get(), path, "/"}; }

  // The group of shape `id`; the caller holds the HDF5 lock.
  struct ShapeGroup {
    hdf5::Handle handle;
    hdf5::Location location;
  };
  ShapeGroup open_shape(const std::string& id) const {
    NSDF_CHECK(index.count(id), core::DataError, "{}: no shape '{}' in the file ({} shapes)", path,
               id, ids.size());
    hdf5::Handle group = hdf5::open_group(root(), "shapes/" + id);
    const hid_t handle = group.get();
    return {std::move(group), hdf5::Location{handle, path, "/shapes/" + id}};
  }
  /// The views/<k> of a shape's group (the HDF5 lock held).
  std::vector<ViewRecord> read_views(const hdf5::Location& g) const;
};

SampleFile::SampleFile(const std::string& path) : impl_(std::make_unique<Impl>()) {
  auto guard = hdf5::lock();
  impl_->path = path;
  impl_->file = hdf5::open_file(path);
  const hdf5::Location root = impl_->root();
  NSDF_CHECK(hdf5::has_attribute(root, "format") &&
                 hdf5::read_string_attribute(root, "format") == kFormat,
             core::DataError, "{}: not an nsdf sample file (no format = \"{}\" attribute)", path,
             kFormat);
  const double version = hdf5::read_double_attribute(root, "format_version");
  NSDF_CHECK(version >= 1 && version <= kFormatVersion, core::DataError,
             "{}: format_version {} is not supported by this nsdf (reads 1 to {})", path,
             version, kFormatVersion);
  impl_->info.method = hdf5::read_string_attribute(root, "method");
  impl_->info.parameters = hdf5::read_string_attribute(root, "parameters");
  impl_->info.nsdf_version = hdf5::read_string_attribute(root, "nsdf_version");
  impl_->ids = hdf5::read_strings(root, "shape_ids");
  for (size_t i = 0; i < impl_->ids.size(); ++i) {
    NSDF_CHECK(impl_->index.emplace(impl_->ids[i], static_cast<int64_t>(i)).second, core::DataError,
               "{}: shape_ids lists '{}' twice", path, impl_->ids[i]);
  }
  const auto failed = hdf5::read_strings(root, "failed_ids");
  const auto reasons = hdf5::read_strings(root, "failed_reasons");
  NSDF_CHECK(failed.size() == reasons.size(), core::DataError,
             "{}: {} failed_ids but {} failed_reasons", path, failed.size(), reasons.size());
  for (size_t i = 0; i < failed.size(); ++i) impl_->failures.emplace_back(failed[i], reasons[i]);
}

SampleFile::~SampleFile() = default;
SampleFile::SampleFile(SampleFile&&) noexcept = default;

const std::string& SampleFile::path() const { return impl_->path; }
const SampleFileInfo& SampleFile::info() const { return impl_->info; }
const std::vector<std::string>& SampleFile::shape_ids() const { return impl_->ids; }
const std::vector<std::pair<std::string, std::string>>& SampleFile::failures() const {
  return impl_->failures;
}

int64_t SampleFile::index_of(const std::string& id) const {
  auto it = impl_->index.find(id);
  return it == impl_->index.end() ? -1 : it->second;
}

std::vector<ViewRecord> SampleFile::Impl::read_views(const hdf5::Location& g) const {
  std::vector<ViewRecord> out;
  if (hdf5::exists(g, "views")) {
    hdf5::Handle views = hdf5::open_group(g, "views");
    const hdf5::Location vl{views.get(), path, g.name + "/views"};
    const size_t count = hdf5::child_names(vl).size();
    for (size_t k = 0; k < count; ++k) {
      const std::string name = std::to_string(k);
      ViewRecord v;
      std::vector<int64_t> dims;
      v.depth = hdf5::read_floats(vl, name + "/depth", 2, -1, &dims);
      v.height = dims[0];
      v.width = dims[1];
      const auto K = hdf5::read_doubles(vl, name + "/intrinsics", 2, 3);
      const auto T = hdf5::read_doubles(vl, name + "/camera_to_world", 2, 4);
      NSDF_CHECK(K.size() == 9 && T.size() == 16, core::DataError,
                 "{}: {}/views/{}: intrinsics must be 3 x 3 and camera_to_world 4 x 4",
                 path, g.name, k);
      std::copy(K.begin(), K.end(), v.intrinsics.begin());
      std::copy(T.begin(), T.end(), v.camera_to_world.begin());
      v.points = read_points(vl, name + "/points");
      v.normals = read_points(vl, name + "/normals");
      out.push_back(std::move(v));
    }
  }
  return out;
}

std::vector<ViewRecord> SampleFile::views(const std::string& id) const {
  auto guard = hdf5::lock();
  return impl_->read_views(impl_->open_shape(id).location);
}

ShapeRecord SampleFile::read(const std::string& id, ShapeParts parts) const {
  auto guard = hdf5::lock();
  const Impl::ShapeGroup shape = impl_->open_shape(id);
  const hdf5::Location& g = shape.location;
  ShapeRecord s;
  s.id = id;
  s.pos = hdf5::read_floats(g, "pos", 2, 4);
  s.neg = hdf5::read_floats(g, "neg", 2, 4);
  s.normalization = read_normalization(g);
  if (parts == ShapeParts::SamplesOnly) return s;

  s.source_path = hdf5::read_string_attribute(g, "source_path");
  s.source_key = hdf5::read_string_attribute(g, "source_key");
  s.source_frame = static_cast<int64_t>(hdf5::read_double_attribute(g, "source_frame"));
  s.surface_points = read_points(g, "surface_points");
  s.surface_normals = read_points(g, "surface_normals");
  s.views = impl_->read_views(g);
  static const std::set<std::string> kKnown = {"source_path", "source_key", "source_frame",
                                               "normalization_offset", "normalization_scale"};
  for (const std::string& a : hdf5::attribute_names(g)) {
    if (!kKnown.count(a)) s.stats.emplace_back(a, hdf5::read_double_attribute(g, a));
  }
  return s;
}

int64_t SampleFile::sample_bytes(const std::string& id) const {
  auto guard = hdf5::lock();
  const Impl::ShapeGroup shape = impl_->open_shape(id);
  int64_t rows = 0;
  for (const char* name : {"pos", "neg"}) {
    const std::vector<int64_t> dims = hdf5::dataset_dims(shape.location, name);
    NSDF_CHECK(dims.size() == 2 && dims[1] == 4, core::DataError,
               "{}: expected shape (N, 4) of rows x, y, z, sdf, found ({})",
               hdf5::where(shape.location, name), fmt::join(dims, ", "));
    rows += dims[0];
  }
  return rows * 4 * static_cast<int64_t>(sizeof(float));
}

geometry::Normalization SampleFile::normalization(const std::string& id) const {
  auto guard = hdf5::lock();
  return read_normalization(impl_->open_shape(id).location);
}

geometry::PointCloud SampleFile::surface(const std::string& id) const {
  auto guard = hdf5::lock();
  const Impl::ShapeGroup shape = impl_->open_shape(id);
  return {read_points(shape.location, "surface_points"),
          read_points(shape.location, "surface_normals")};
}

std::string describe_sample_file(const std::string& path) {
  const SampleFile f(path);
  std::string out =
      fmt::format("{}: nsdf SDF sample file (format_version {}, written by nsdf {})\n", path,
                  kFormatVersion, f.info().nsdf_version);
  out += fmt::format("  method:      {}\n", f.info().method);
  out += fmt::format("  shapes:      {}\n", f.shape_ids().size());
  out += fmt::format("  failed:      {}\n", f.failures().size());
  for (const auto& [id, reason] : f.failures()) out += fmt::format("    {}: {}\n", id, reason);
  if (!f.shape_ids().empty()) {
    const ShapeRecord s = f.read(f.shape_ids().front());
    out += fmt::format("  first shape: {}\n", s.id);
    out += fmt::format("    samples:   {} (pos {}, neg {})\n", (s.pos.size() + s.neg.size()) / 4,
                       s.pos.size() / 4, s.neg.size() / 4);
    out += fmt::format("    surface:   {} points{}\n", s.surface_points.size(),
                       s.surface_normals.empty() ? "" : " with normals");
    out += fmt::format("    views:     {}", s.views.size());
    if (!s.views.empty()) out += fmt::format(" of {} x {}", s.views[0].width, s.views[0].height);
    out += fmt::format("\n    source:    {}\n", s.source_path);
  }
  if (!f.info().parameters.empty()) {
    out += "  parameters:\n";
    size_t start = 0;
    const std::string& p = f.info().parameters;
    while (start < p.size()) {
      const size_t end = p.find('\n', start);
      out += "    " + p.substr(start, end - start) + "\n";
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  return out;
}

}  // namespace nsdf::preprocessing
