#include "preprocessing/SourceSupport.h"

#include <fmt/format.h>

#include <filesystem>

#include "core/Error.h"
#include "geometry/MeshIo.h"
#include "preprocessing/Source.h"

namespace nsdf::preprocessing {

namespace fs = std::filesystem;

bool path_exists(const std::string& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

std::string split_entry_id(const std::vector<std::string>& entry) {
  std::string s;
  for (const auto& k : entry) s += (s.empty() ? "" : "/") + k;
  return s;
}

void check_source_root(const std::string& root, const char* source) {
  std::error_code ec;
  if (fs::is_directory(root, ec)) return;
  NSDF_CHECK(!root.empty(), core::IoError, "{} source: no root folder given", source);
  throw core::IoError(fmt::format("{}: {} ({} source root)", root,
                                  fs::exists(root, ec) ? "not a folder" : "no such folder",
                                  source));
}

geometry::Mesh read_listed_mesh(const std::string& path, const std::string& note) {
  NSDF_CHECK(path_exists(path), core::IoError, "{}: no such file{}", path, note);
  return geometry::read_mesh(path);
}

void ShapeIds::add(const std::string& id) {
  check_shape_id(id, file_);
  NSDF_CHECK(ids_.insert(id).second, core::DataError, "{}: shape id '{}' is listed twice", file_,
             id);
}

}  // namespace nsdf::preprocessing
