#include "preprocessing/DfaustSource.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <filesystem>

#include "core/Error.h"
#include "geometry/MeshIo.h"
#include "preprocessing/Hdf5.h"
#include "preprocessing/Hdf5Select.h"
#include "preprocessing/SourceSupport.h"
#include "preprocessing/Split.h"

namespace nsdf::preprocessing {

namespace fs = std::filesystem;

namespace {

// The frame of a D-Faust shape name: the integer after the last '.' (or the whole name).
bool parse_frame(const std::string& name, int64_t& frame) {
  const size_t dot = name.rfind('.');
  const std::string digits = dot == std::string::npos ? name : name.substr(dot + 1);
  if (digits.empty()) return false;
  for (char c : digits) {
    if (c < '0' || c > '9') return false;
  }
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), frame);
  return ec == std::errc() && ptr == digits.data() + digits.size();
}

}  // namespace

void DfaustSourceOptions::declare(core::OptionSet<DfaustSourceOptions>& s) {
  using O = DfaustSourceOptions;
  s.add("root", &O::root,
        "folder of scans <root>/<dataset>/<subject>/<sequence>/<shape>.ply (IGR: the folder "
        "holding scans/); not used with registrations");
  s.add("split", &O::split, "IGR split file {scans: {subject: {sequence: [shape, ...]}}}")
      .required()
      .non_empty();
  s.add("registrations", &O::registrations,
        "D-Faust registrations HDF5 (registrations_m.hdf5): shapes are frames of its "
        "'<subject>_<sequence>' datasets (#V, 3, #frames), with 'faces' (#F, 3)");
  s.validate([](const O& o) {
    return o.root.empty() && o.registrations.empty()
               ? std::string("set root (a folder of scans) or registrations (an HDF5 file)")
               : std::string();
  });
}

std::vector<SourceShape> DfaustSource::shapes() const {
  const bool registrations = !options_.registrations.empty();
  if (registrations) {
    std::error_code ec;
    NSDF_CHECK(fs::is_regular_file(options_.registrations.str(), ec), core::IoError,
               "{}: no such file (dfaust registrations)", options_.registrations.str());
  } else {
    check_source_root(options_.root.str(), "dfaust");
  }
  const std::string& split = options_.split.str();
  ShapeIds ids(split);
  std::vector<SourceShape> out;
  for (const auto& entry : read_split(split, 4)) {
    SourceShape shape;
    shape.id = split_entry_id(entry);
    ids.add(shape.id);
    if (registrations) {
      shape.path = options_.registrations.str();
      shape.key = entry[1] + "_" + entry[2];
      NSDF_CHECK(parse_frame(entry[3], shape.frame), core::DataError,
                 "{}: shape '{}': '{}' does not end in a frame number (expected "
                 "<name>.<frame>, e.g. {}.000123, to read a frame of the registrations)",
                 split, shape.id, entry[3], entry[2]);
    } else {
      shape.path = (fs::path(options_.root.str()) / entry[0] / entry[1] / entry[2] /
                    (entry[3] + ".ply"))
                       .string();
    }
    out.push_back(std::move(shape));
  }
  return out;
}

geometry::Mesh DfaustSource::load(const SourceShape& shape) const {
  if (shape.key.empty()) {
    return read_listed_mesh(shape.path, fmt::format(" (dfaust shape '{}')", shape.id));
  }
  geometry::Mesh mesh;
  std::vector<double> faces;
  {
    auto guard = hdf5::lock();
    const hdf5::Handle file = hdf5::open_file(shape.path);
    const hdf5::Location root{file.get(), shape.path, "/"};
    NSDF_CHECK(hdf5::exists(root, shape.key), core::DataError,
               "{}: /{}: no such dataset (the sequence of shape '{}', frame {})", shape.path,
               shape.key, shape.id, shape.frame);
    const std::vector<int64_t> dims = hdf5::dataset_dims(root, shape.key);
    NSDF_CHECK(dims.size() == 3 && dims[1] == 3, core::DataError,
               "{}: /{}: expected a registration sequence of shape (#V, 3, #frames), got ({}) "
               "(shape '{}', frame {})",
               shape.path, shape.key, fmt::join(dims, ", "), shape.id, shape.frame);
    NSDF_CHECK(shape.frame >= 0 && shape.frame < dims[2], core::DataError,
               "{}: /{}: frame {} is out of range: the sequence has {} frames (shape '{}')",
               shape.path, shape.key, shape.frame, dims[2], shape.id);
    const std::vector<float> v =
        hdf5::read_floats_block(root, shape.key, {0, 0, shape.frame}, {dims[0], 3, 1});
    mesh.V.resize(static_cast<size_t>(dims[0]));
    for (size_t i = 0; i < mesh.V.size(); ++i) mesh.V[i] = {v[3 * i], v[3 * i + 1], v[3 * i + 2]};
    faces = hdf5::read_doubles(root, "faces", 2, 3);
  }
  const double n = static_cast<double>(mesh.V.size());
  mesh.F.resize(faces.size() / 3);
  for (size_t i = 0; i < faces.size(); ++i) {
    const double index = faces[i];
    NSDF_CHECK(index >= 0 && index < n && index == std::floor(index), core::DataError,
               "{}: /faces: face {} has vertex index {}, expected an integer in [0, {}) (the "
               "vertices of /{}, shape '{}')",
               shape.path, i / 3, index, mesh.V.size(), shape.key, shape.id);
    mesh.F[i / 3][i % 3] = static_cast<int32_t>(index);
  }
  geometry::validate_mesh(mesh, shape.path + ": /" + shape.key);
  return mesh;
}

}  // namespace nsdf::preprocessing
