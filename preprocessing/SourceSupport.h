#pragma once
// What the built-in sources share in listing and reading shapes: checking the root folder,
// split entries as unique shape ids, and reading a listed mesh that may be missing.

#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "geometry/Mesh.h"

namespace nsdf::preprocessing {

/// Whether `path` exists (false when it cannot be checked).
bool path_exists(const std::string& path);

/// The shape id of a split entry: its components joined by '/'.
std::string split_entry_id(const std::vector<std::string>& entry);

/// Throws IoError "<root>: no such folder (<source> source root)" (or "not a folder", or "no
/// root folder given") unless `root` is a folder.
void check_source_root(const std::string& root, const char* source);

/// The mesh of a listed shape: IoError "<path>: no such file<note>" when the file is missing,
/// else read_mesh's result or errors.
geometry::Mesh read_listed_mesh(const std::string& path, const std::string& note);

/// The ids of a split's entries as they are listed: each checked (check_shape_id) and unique.
class ShapeIds {
 public:
  /// `file` is the split file named in messages.
  explicit ShapeIds(std::string file) : file_(std::move(file)) {}
  /// Throws DataError "<file>: ..." for an invalid id or one listed twice.
  void add(const std::string& id);

 private:
  std::string file_;
  std::unordered_set<std::string> ids_;
};

}  // namespace nsdf::preprocessing
