#include "preprocessing/FolderSource.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>

#include "core/Error.h"
#include "core/Strings.h"
#include "preprocessing/SourceSupport.h"
#include "preprocessing/Split.h"

namespace nsdf::preprocessing {

namespace fs = std::filesystem;

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string normalize_extension(const std::string& ext) {
  return lower(!ext.empty() && ext[0] == '.' ? ext.substr(1) : ext);
}

}  // namespace

void FolderSourceOptions::declare(core::OptionSet<FolderSourceOptions>& s) {
  using O = FolderSourceOptions;
  s.add("root", &O::root, "folder of meshes").required().non_empty();
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
  check_source_root(root, "folder");
  std::vector<SourceShape> out;
  if (!options_.split.empty()) {
    const std::string& split = options_.split.str();
    ShapeIds ids(split);
    for (const auto& entry : read_split(split, 3)) {
      SourceShape shape;
      shape.id = split_entry_id(entry);
      ids.add(shape.id);
      const fs::path stem = fs::path(root) / entry[1] / entry[2];
      for (const auto& ext : extensions_) {
        for (const std::string& e : {ext, upper(ext)}) {
          const std::string candidate = stem.string() + "." + e;
          if (shape.path.empty() && path_exists(candidate)) shape.path = candidate;
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
  return read_listed_mesh(shape.path, note);
}

}  // namespace nsdf::preprocessing
