#include "preprocessing/Sources.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "core/Error.h"
#include "core/Files.h"
#include "core/Strings.h"
#include "geometry/MeshIo.h"
#include "preprocessing/Hdf5.h"
#include "preprocessing/Hdf5Select.h"
#include "preprocessing/Split.h"

namespace nsdf::preprocessing {

namespace fs = std::filesystem;

namespace {

std::string join_id(const std::vector<std::string>& entry) {
  std::string s;
  for (const auto& k : entry) s += (s.empty() ? "" : "/") + k;
  return s;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

bool exists(const std::string& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

// IoError unless `root` is a folder.
void check_folder(const std::string& root, const char* source) {
  std::error_code ec;
  if (fs::is_directory(root, ec)) return;
  NSDF_CHECK(!root.empty(), core::IoError, "{} source: no root folder given", source);
  throw core::IoError(fmt::format("{}: {} ({} source root)", root,
                            fs::exists(root, ec) ? "not a folder" : "no such folder", source));
}

// IoError "<path>: no such file<note>" when path is missing, else the mesh (read_mesh's errors).
geometry::Mesh read_existing_mesh(const std::string& path, const std::string& note) {
  NSDF_CHECK(exists(path), core::IoError, "{}: no such file{}", path, note);
  return geometry::read_mesh(path);
}

// Split entries as shapes: ids checked and unique.
class IdSet {
 public:
  explicit IdSet(std::string file) : file_(std::move(file)) {}
  void add(const std::string& id) {
    check_shape_id(id, file_);
    NSDF_CHECK(ids_.insert(id).second, core::DataError, "{}: shape id '{}' is listed twice", file_,
               id);
  }

 private:
  std::string file_;
  std::unordered_set<std::string> ids_;
};

std::string path_check(const core::Path& p) {
  return p.empty() ? std::string("must not be empty") : std::string();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// shapenet

void ShapeNetSourceOptions::declare(core::OptionSet<ShapeNetSourceOptions>& s) {
  using O = ShapeNetSourceOptions;
  s.add("root", &O::root, "ShapeNetCore folder holding <class>/<instance>/")
      .required()
      .check(path_check, "not empty");
  s.add("split", &O::split, "DeepSDF split file {dataset: {class: [instance, ...]}}")
      .required()
      .check(path_check, "not empty");
  s.add("layout", &O::layout,
        "mesh file of an instance: v2 models/model_normalized.obj, v1 model.obj, auto v2 when "
        "present else v1")
      .one_of({"auto", "v1", "v2"});
}

std::vector<SourceShape> ShapeNetSource::shapes() const {
  check_folder(options_.root.str(), "shapenet");
  const std::string& split = options_.split.str();
  IdSet ids(split);
  std::vector<SourceShape> out;
  for (const auto& entry : read_split(split, 3)) {
    SourceShape shape;
    shape.id = join_id(entry);
    ids.add(shape.id);
    const fs::path folder = fs::path(options_.root.str()) / entry[1] / entry[2];
    const fs::path v2 = folder / "models" / "model_normalized.obj";
    const fs::path v1 = folder / "model.obj";
    if (options_.layout == "v2" || (options_.layout == "auto" && exists(v2.string()))) {
      shape.path = v2.string();
    } else {
      shape.path = v1.string();
    }
    out.push_back(std::move(shape));
  }
  return out;
}

geometry::Mesh ShapeNetSource::load(const SourceShape& shape) const {
  const std::string note =
      options_.layout == "auto"
          ? fmt::format(" (shapenet shape '{}'; layout auto: neither models/"
                        "model_normalized.obj (v2) nor model.obj (v1) in that folder)",
                        shape.id)
          : fmt::format(" (shapenet shape '{}'; layout {})", shape.id, options_.layout);
  return read_existing_mesh(shape.path, note);
}

// ---------------------------------------------------------------------------------------------
// dfaust

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
      .check(path_check, "not empty");
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
    check_folder(options_.root.str(), "dfaust");
  }
  const std::string& split = options_.split.str();
  IdSet ids(split);
  std::vector<SourceShape> out;
  for (const auto& entry : read_split(split, 4)) {
    SourceShape shape;
    shape.id = join_id(entry);
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
    return read_existing_mesh(shape.path, fmt::format(" (dfaust shape '{}')", shape.id));
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

// ---------------------------------------------------------------------------------------------
// stanford

namespace {

bool has_wildcard(const std::string& pattern) {
  return pattern.find_first_of("*?") != std::string::npos;
}

// Shell-style match of a whole name: '*' any run of characters, '?' one character.
bool glob_match(const std::string& pattern, const std::string& name) {
  size_t p = 0, n = 0, star = std::string::npos, mark = 0;
  while (n < name.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == name[n])) {
      ++p;
      ++n;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = n;
    } else if (star != std::string::npos) {
      p = star + 1;
      n = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool parse_double(const std::string& text, double& out) {
  if (text.empty()) return false;
  char* end = nullptr;
  out = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && std::isfinite(out);
}

const StanfordAlignment* find_alignment(const std::vector<StanfordAlignment>& conf,
                                        const std::string& file) {
  for (const auto& a : conf) {
    if (a.file == file) return &a;
  }
  return nullptr;
}

}  // namespace

void StanfordSourceOptions::declare(core::OptionSet<StanfordSourceOptions>& s) {
  using O = StanfordSourceOptions;
  s.add("root", &O::root, "folder of the PLY files (sub-folders are not searched)")
      .required()
      .check(path_check, "not empty");
  s.add("files", &O::files, "file names or patterns with * and ? in root")
      .non_empty()
      .check(
          [](const std::vector<std::string>& files) {
            for (const auto& f : files) {
              if (f.empty()) return std::string("a file name must not be empty");
              if (f.find('/') != std::string::npos) {
                return "'" + f + "': names and patterns are matched in root, without '/'";
              }
            }
            return std::string();
          },
          "names in root");
  s.add("alignment", &O::alignment,
        "Stanford .conf file (bmesh <file> tx ty tz qi qj qk qr lines) moving each file into "
        "the common frame: p' = R(q)^T p + t");
}

std::vector<StanfordAlignment> read_stanford_conf(const std::string& path) {
  std::istringstream in(core::read_file(path));
  std::vector<StanfordAlignment> out;
  std::unordered_map<std::string, int> first_line;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string word; words >> word;) w.push_back(word);
    if (w.empty() || w[0][0] == '#' || w[0] == "camera") continue;
    NSDF_CHECK(w[0] == "bmesh", core::DataError,
               "{}:{}: expected 'camera ...' or 'bmesh <file> tx ty tz qi qj qk qr', got '{}'",
               path, number, w[0]);
    NSDF_CHECK(w.size() == 9, core::DataError,
               "{}:{}: expected 'bmesh <file> tx ty tz qi qj qk qr' (8 values after bmesh), "
               "got {}",
               path, number, w.size() - 1);
    StanfordAlignment a;
    a.file = w[1];
    double values[7];
    for (int i = 0; i < 7; ++i) {
      NSDF_CHECK(parse_double(w[2 + i], values[i]), core::DataError,
                 "{}:{}: bmesh {}: '{}' is not a finite number", path, number, a.file, w[2 + i]);
    }
    a.translation = {values[0], values[1], values[2]};
    a.quaternion = {values[3], values[4], values[5], values[6]};
    const double norm = std::sqrt(values[3] * values[3] + values[4] * values[4] +
                                  values[5] * values[5] + values[6] * values[6]);
    NSDF_CHECK(norm > 1e-12, core::DataError, "{}:{}: bmesh {}: the quaternion has length zero",
               path, number, a.file);
    const auto [it, inserted] = first_line.emplace(a.file, number);
    NSDF_CHECK(inserted, core::DataError, "{}:{}: bmesh {}: listed twice (first on line {})", path,
               number, a.file, it->second);
    out.push_back(std::move(a));
  }
  return out;
}

std::array<double, 9> stanford_rotation(const std::array<double, 4>& quaternion) {
  const double norm = std::sqrt(quaternion[0] * quaternion[0] + quaternion[1] * quaternion[1] +
                                quaternion[2] * quaternion[2] + quaternion[3] * quaternion[3]);
  const double x = quaternion[0] / norm, y = quaternion[1] / norm, z = quaternion[2] / norm,
               w = quaternion[3] / norm;
  // R(q) of the unit quaternion (x, y, z, w), then transposed: the conf stores the rotation
  // from the common frame to the scan (see Sources.h).
  const std::array<double, 9> r = {1 - 2 * (y * y + z * z), 2 * (x * y - z * w),
                                   2 * (x * z + y * w),     2 * (x * y + z * w),
                                   1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
                                   2 * (x * z - y * w),     2 * (y * z + x * w),
                                   1 - 2 * (x * x + y * y)};
  return {r[0], r[3], r[6], r[1], r[4], r[7], r[2], r[5], r[8]};
}

std::vector<SourceShape> StanfordSource::shapes() const {
  const std::string& root = options_.root.str();
  check_folder(root, "stanford");
  std::vector<std::string> names;  // regular files directly in root
  std::error_code ec;
  for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code type_ec;
    if (it->is_regular_file(type_ec)) names.push_back(it->path().filename().string());
  }
  NSDF_CHECK(!ec, core::IoError, "{}: cannot list the folder: {} (stanford source root)", root,
             ec.message());
  std::sort(names.begin(), names.end());
  std::vector<std::string> chosen;
  for (const auto& pattern : options_.files) {
    if (!has_wildcard(pattern)) {
      chosen.push_back(pattern);  // listed even when missing: load() reports it
      continue;
    }
    size_t matches = 0;
    for (const auto& name : names) {
      if (glob_match(pattern, name)) {
        chosen.push_back(name);
        ++matches;
      }
    }
    NSDF_CHECK(matches > 0, core::IoError, "{}: no file matches '{}' (stanford source files: {})",
               root, pattern, core::join(options_.files, ", "));
  }
  std::sort(chosen.begin(), chosen.end());
  chosen.erase(std::unique(chosen.begin(), chosen.end()), chosen.end());

  std::vector<StanfordAlignment> conf;
  if (!options_.alignment.empty()) conf = read_stanford_conf(options_.alignment.str());
  std::map<std::string, std::string> file_of_id;
  std::vector<SourceShape> out;
  for (const auto& name : chosen) {
    SourceShape shape;
    shape.id = fs::path(name).stem().string();
    shape.path = (fs::path(root) / name).string();
    check_shape_id(shape.id, shape.path);
    const auto [it, inserted] = file_of_id.emplace(shape.id, name);
    NSDF_CHECK(inserted, core::DataError, "{}: files '{}' and '{}' both give shape id '{}'", root,
               it->second, name, shape.id);
    NSDF_CHECK(options_.alignment.empty() || find_alignment(conf, name), core::DataError,
               "{}: no 'bmesh {}' line: every file of the source needs an alignment ({})",
               options_.alignment.str(), name, shape.path);
    out.push_back(std::move(shape));
  }
  return out;
}

geometry::Mesh StanfordSource::load(const SourceShape& shape) const {
  geometry::Mesh mesh =
      read_existing_mesh(shape.path, fmt::format(" (stanford shape '{}')", shape.id));
  if (options_.alignment.empty()) return mesh;
  // The conf is a few lines: read again per shape rather than cached, so load() has no state.
  const std::vector<StanfordAlignment> conf = read_stanford_conf(options_.alignment.str());
  const std::string name = fs::path(shape.path).filename().string();
  const StanfordAlignment* a = find_alignment(conf, name);
  NSDF_CHECK(a, core::DataError,
             "{}: no 'bmesh {}' line: every file of the source needs an alignment",
             options_.alignment.str(), name);
  const std::array<double, 9> r = stanford_rotation(a->quaternion);
  const auto& t = a->translation;
  auto rotate = [&r](const geometry::Vec3f& p) {
    return std::array<double, 3>{r[0] * p[0] + r[1] * p[1] + r[2] * p[2],
                                 r[3] * p[0] + r[4] * p[1] + r[5] * p[2],
                                 r[6] * p[0] + r[7] * p[1] + r[8] * p[2]};
  };
  for (auto& p : mesh.V) {
    const auto q = rotate(p);
    p = {static_cast<float>(q[0] + t[0]), static_cast<float>(q[1] + t[1]),
         static_cast<float>(q[2] + t[2])};
  }
  for (auto& n : mesh.N) {
    const auto q = rotate(n);
    n = {static_cast<float>(q[0]), static_cast<float>(q[1]), static_cast<float>(q[2])};
  }
  return mesh;
}

// ---------------------------------------------------------------------------------------------
// folder

namespace {

std::string normalize_extension(const std::string& ext) {
  return lower(!ext.empty() && ext[0] == '.' ? ext.substr(1) : ext);
}

}  // namespace

void FolderSourceOptions::declare(core::OptionSet<FolderSourceOptions>& s) {
  using O = FolderSourceOptions;
  s.add("root", &O::root, "folder of meshes").required().check(path_check, "not empty");
  s.add("extensions", &O::extensions, "file extensions taken, any case (obj, ply, off)")
      .non_empty()
      .check(
          [](const std::vector<std::string>& exts) {
            for (const auto& e : exts) {
              const std::string n = normalize_extension(e);
              if (n.empty() || n.find_first_of("/*?") != std::string::npos) {
                return "'" + e + "' is not a file extension";
              }
            }
            return std::string();
          },
          "extensions");
  s.add("recursive", &O::recursive, "search sub-folders too (ids keep the sub-folder path)");
  s.add("split", &O::split,
        "DeepSDF split {dataset: {class: [instance, ...]}}: only these shapes, read from "
        "<root>/<class>/<instance>.<ext>");
}

FolderSource::FolderSource(const Options& options) : options_(options) {
  for (const auto& e : options_.extensions) {
    const std::string n = normalize_extension(e);
    if (std::find(extensions_.begin(), extensions_.end(), n) == extensions_.end()) {
      extensions_.push_back(n);
    }
  }
}

std::vector<SourceShape> FolderSource::shapes() const {
  const std::string& root = options_.root.str();
  check_folder(root, "folder");
  std::vector<SourceShape> out;
  if (!options_.split.empty()) {
    const std::string& split = options_.split.str();
    IdSet ids(split);
    for (const auto& entry : read_split(split, 3)) {
      SourceShape shape;
      shape.id = join_id(entry);
      ids.add(shape.id);
      const fs::path stem = fs::path(root) / entry[1] / entry[2];
      for (const auto& ext : extensions_) {
        for (const std::string& e : {ext, upper(ext)}) {
          const std::string candidate = stem.string() + "." + e;
          if (shape.path.empty() && exists(candidate)) shape.path = candidate;
        }
      }
      // None exists: load() reports the first one tried.
      if (shape.path.empty()) shape.path = stem.string() + "." + extensions_.front();
      out.push_back(std::move(shape));
    }
    return out;
  }

  std::vector<fs::path> files;
  auto take = [&](const fs::directory_entry& entry) {
    std::error_code type_ec;
    if (!entry.is_regular_file(type_ec)) return;
    const fs::path& p = entry.path();
    const std::string ext = lower(p.extension().string());
    if (ext.size() < 2 || p.filename().string()[0] == '.') return;
    if (std::find(extensions_.begin(), extensions_.end(), ext.substr(1)) != extensions_.end()) {
      files.push_back(p);
    }
  };
  std::error_code ec;
  if (options_.recursive) {
    // Folders linked in (a common way to assemble a collection) are followed; a link loop
    // ends in an IoError from the iterator.
    const auto follow = fs::directory_options::follow_directory_symlink;
    for (fs::recursive_directory_iterator it(root, follow, ec), end; !ec && it != end;
         it.increment(ec)) {
      if (it->path().filename().string()[0] == '.') {  // hidden: .git, .DS_Store, ...
        std::error_code dir_ec;
        if (it->is_directory(dir_ec)) it.disable_recursion_pending();
        continue;
      }
      take(*it);
    }
  } else {
    for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) take(*it);
  }
  NSDF_CHECK(!ec, core::IoError, "{}: cannot list the folder: {} (folder source root)", root,
             ec.message());
  std::sort(files.begin(), files.end());

  std::map<std::string, fs::path> by_id;
  for (const auto& p : files) {
    const fs::path rel = p.lexically_relative(root);
    const std::string id = (rel.parent_path() / rel.stem()).generic_string();
    check_shape_id(id, p.string());
    const auto [it, inserted] = by_id.emplace(id, p);
    NSDF_CHECK(inserted, core::DataError,
               "{}: files '{}' and '{}' both give shape id '{}' (ids are paths without the "
               "extension: keep one, or narrow `extensions`)",
               root, it->second.lexically_relative(root).generic_string(),
               rel.generic_string(), id);
  }
  for (const auto& [id, p] : by_id) {
    SourceShape shape;
    shape.id = id;
    shape.path = p.string();
    out.push_back(std::move(shape));
  }
  return out;
}

geometry::Mesh FolderSource::load(const SourceShape& shape) const {
  const std::string note =
      options_.split.empty()
          ? fmt::format(" (folder shape '{}')", shape.id)
          : fmt::format(" (folder shape '{}'; extensions tried: {})", shape.id,
                        core::join(extensions_, ", "));
  return read_existing_mesh(shape.path, note);
}

}  // namespace nsdf::preprocessing
