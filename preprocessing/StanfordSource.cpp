#include "preprocessing/StanfordSource.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <sstream>
#include <unordered_map>

#include "core/Error.h"
#include "core/Files.h"
#include "core/Strings.h"
#include "preprocessing/SourceSupport.h"

namespace nsdf::preprocessing {

namespace fs = std::filesystem;

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

}  // namespace

const StanfordAlignment* find_alignment(const std::vector<StanfordAlignment>& conf,
                                        const std::string& file) {
  for (const auto& a : conf) {
    if (a.file == file) return &a;
  }
  return nullptr;
}

std::array<double, 3> align_point(const StanfordAlignment& a, const std::array<double, 3>& p,
                                  bool translate) {
  const std::array<double, 9> r = stanford_rotation(a.quaternion);
  const double w = translate ? 1.0 : 0.0;
  return {r[0] * p[0] + r[1] * p[1] + r[2] * p[2] + w * a.translation[0],
          r[3] * p[0] + r[4] * p[1] + r[5] * p[2] + w * a.translation[1],
          r[6] * p[0] + r[7] * p[1] + r[8] * p[2] + w * a.translation[2]};
}

void align_points(const StanfordAlignment& a, std::vector<geometry::Vec3f>& points,
                  std::vector<geometry::Vec3f>& normals) {
  const std::array<double, 9> r = stanford_rotation(a.quaternion);
  const auto& t = a.translation;
  auto rotate = [&r](const geometry::Vec3f& p) {
    return std::array<double, 3>{r[0] * p[0] + r[1] * p[1] + r[2] * p[2],
                                 r[3] * p[0] + r[4] * p[1] + r[5] * p[2],
                                 r[6] * p[0] + r[7] * p[1] + r[8] * p[2]};
  };
  for (auto& p : points) {
    const auto q = rotate(p);
    p = {static_cast<float>(q[0] + t[0]), static_cast<float>(q[1] + t[1]),
         static_cast<float>(q[2] + t[2])};
  }
  for (auto& n : normals) {
    const auto q = rotate(n);
    n = {static_cast<float>(q[0]), static_cast<float>(q[1]), static_cast<float>(q[2])};
  }
}

void StanfordSourceOptions::declare(core::OptionSet<StanfordSourceOptions>& s) {
  using O = StanfordSourceOptions;
  s.add("root", &O::root, "folder of the PLY files (sub-folders are not searched)")
      .required()
      .non_empty();
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
  // from the common frame to the scan (see StanfordSource.h).
  const std::array<double, 9> r = {1 - 2 * (y * y + z * z), 2 * (x * y - z * w),
                                   2 * (x * z + y * w),     2 * (x * y + z * w),
                                   1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
                                   2 * (x * z - y * w),     2 * (y * z + x * w),
                                   1 - 2 * (x * x + y * y)};
  return {r[0], r[3], r[6], r[1], r[4], r[7], r[2], r[5], r[8]};
}

std::vector<SourceShape> StanfordSource::shapes() const {
  const std::string& root = options_.root.str();
  check_source_root(root, "stanford");
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
      read_listed_mesh(shape.path, fmt::format(" (stanford shape '{}')", shape.id));
  if (options_.alignment.empty()) return mesh;
  // The conf is a few lines: read again per shape rather than cached, so load() has no state.
  const std::vector<StanfordAlignment> conf = read_stanford_conf(options_.alignment.str());
  const std::string name = fs::path(shape.path).filename().string();
  const StanfordAlignment* a = find_alignment(conf, name);
  NSDF_CHECK(a, core::DataError,
             "{}: no 'bmesh {}' line: every file of the source needs an alignment",
             options_.alignment.str(), name);
  align_points(*a, mesh.V, mesh.N);
  return mesh;
}

}  // namespace nsdf::preprocessing
