#include "data/PointCloudListing.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>

#include "core/Error.h"
#include "core/Strings.h"
#include "geometry/TextScan.h"
#include "preprocessing/FolderSource.h"
#include "preprocessing/SourceSupport.h"
#include "preprocessing/Split.h"

namespace nsdf::data {

namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxNamed = 20;  // missing files named in one message

const char* const kDfaustRule = "<root>/<subject>/<sequence>/<shape>.npy";

/// Every file of root with one of `extensions` (preprocessing's folder scan: sub-folders too,
/// hidden names skipped, sorted, ids = relative paths without the extension, unique).
std::vector<ListedCloud> scan(const std::string& root, const std::vector<std::string>& extensions) {
  preprocessing::FolderSourceOptions o;
  o.root.value = root;
  o.extensions = extensions;
  std::vector<ListedCloud> out;
  for (const auto& s : preprocessing::FolderSource(o).shapes()) out.push_back({s.id, s.path});
  return out;
}

/// A frame of IGR's D-Faust layout: <subject>/<sequence>/<shape>.npy under root.
bool is_dfaust_frame(const ListedCloud& c) {
  return geometry::detail::lower_extension(c.path) == ".npy" &&
         std::count(c.id.begin(), c.id.end(), '/') == 2;
}

/// `stem`.<ext> for the first extension (as given, lower or upper case) whose file exists; the
/// first one tried when none does (the missing-file report names it).
std::string find_with_extension(const fs::path& stem, const std::vector<std::string>& extensions) {
  for (const auto& ext : extensions) {
    std::string lower = ext, upper = ext;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    for (const std::string& e : {ext, lower, upper}) {
      const std::string candidate = stem.string() + "." + e;
      if (preprocessing::path_exists(candidate)) return candidate;
    }
  }
  return stem.string() + "." + extensions.front();
}

/// The layout a split of `depth` levels gives, or a DataError saying why it does not fit.
std::string layout_of_split(const std::string& layout, size_t depth, const std::string& split) {
  if (layout == "dfaust") {
    NSDF_CHECK(depth == 4, core::DataError,
               "{}: layout dfaust reads IGR's 4-level split {{scans: {{subject: {{sequence: "
               "[shape, ...]}}}}}}; this split has {} levels",
               split, depth);
    return layout;
  }
  if (layout == "folder") {
    NSDF_CHECK(depth == 2 || depth == 3, core::DataError,
               "{}: layout folder reads DeepSDF's 3-level split {{dataset: {{class: [instance, "
               "...]}}}} or a 2-level one {{name: [instance, ...]}}; this split has {} levels{}",
               split, depth, depth == 4 ? " (IGR's D-Faust split: use layout dfaust)" : "");
    return layout;
  }
  NSDF_CHECK(depth >= 2 && depth <= 4, core::DataError,
             "{}: a split of {} levels; expected 4 (IGR's D-Faust {{scans: {{subject: {{sequence: "
             "[shape, ...]}}}}}}), 3 (DeepSDF's {{dataset: {{class: [instance, ...]}}}}) or 2 "
             "({{name: [instance, ...]}})",
             split, depth);
  return depth == 4 ? "dfaust" : "folder";
}

/// Throws IoError naming every listed file that does not exist (up to kMaxNamed, then a count).
void check_files_exist(const std::vector<ListedCloud>& shapes, const std::string& split,
                       const std::string& rule) {
  std::vector<std::string> missing;
  for (const auto& s : shapes)
    if (!preprocessing::path_exists(s.path)) missing.push_back(s.path);
  if (missing.empty()) return;
  std::string msg = fmt::format("{}: {} of {} listed shapes have no file ({}):", split,
                                missing.size(), shapes.size(), rule);
  for (size_t i = 0; i < std::min(missing.size(), kMaxNamed); ++i) msg += "\n  " + missing[i];
  if (missing.size() > kMaxNamed)
    msg += fmt::format("\n  ... and {} more", missing.size() - kMaxNamed);
  throw core::IoError(msg);
}

CloudListing list_split(const std::string& layout, const std::string& root,
                        const std::string& split, const std::vector<std::string>& extensions) {
  const auto entries = preprocessing::read_split(split, 0);
  NSDF_CHECK(!entries.empty(), core::DataError, "{}: the split lists no shapes", split);
  const size_t depth = entries.front().size();
  CloudListing out;
  out.layout = layout_of_split(layout, depth, split);
  preprocessing::ShapeIds ids(split);
  for (const auto& e : entries) {
    ListedCloud c;
    c.id = preprocessing::split_entry_id(e);
    ids.add(c.id);
    const fs::path r(root);
    if (depth == 4) {
      c.path = (r / e[1] / e[2] / (e[3] + ".npy")).string();  // IGR: the dataset key is no folder
    } else {
      c.path = find_with_extension(depth == 3 ? r / e[1] / e[2] : r / e[1], extensions);
    }
    out.shapes.push_back(std::move(c));
  }
  const std::string rule =
      depth == 4 ? fmt::format("IGR's D-Faust layout {}", kDfaustRule)
                 : fmt::format("looked for {}.<ext>, ext in {}",
                               depth == 3 ? "<root>/<class>/<instance>" : "<root>/<instance>",
                               core::join(extensions, ", "));
  check_files_exist(out.shapes, split, rule);
  return out;
}

}  // namespace

CloudListing list_point_clouds(const std::string& layout, const std::string& root,
                               const std::string& split,
                               const std::vector<std::string>& extensions) {
  NSDF_ASSERT(layout == "auto" || layout == "dfaust" || layout == "folder", "layout '{}'", layout);
  NSDF_ASSERT(!extensions.empty(), "no extensions");
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    throw core::IoError(fmt::format("{}: {} (point_clouds root)", root,
                                    fs::exists(root, ec) ? "not a folder" : "no such folder"));
  }
  if (!split.empty()) return list_split(layout, root, split, extensions);

  CloudListing out;
  std::vector<ListedCloud> files =
      scan(root, layout == "dfaust" ? std::vector<std::string>{"npy"} : extensions);
  const auto frames = std::count_if(files.begin(), files.end(), is_dfaust_frame);
  if (layout == "dfaust") {
    files.erase(std::remove_if(files.begin(), files.end(),
                               [](const ListedCloud& c) { return !is_dfaust_frame(c); }),
                files.end());
    NSDF_CHECK(!files.empty(), core::DataError, "{}: no D-Faust frames found (IGR's layout {})",
               root, kDfaustRule);
    return {"dfaust", std::move(files)};
  }
  NSDF_CHECK(!files.empty(), core::DataError,
             "{}: no point clouds or meshes found (files ending in .{}, in sub-folders too)", root,
             core::join(extensions, ", ."));
  if (layout == "auto" && frames > 0) {
    const auto frame = std::find_if(files.begin(), files.end(), is_dfaust_frame);
    const auto other = std::find_if_not(files.begin(), files.end(), is_dfaust_frame);
    NSDF_CHECK(other == files.end(), core::DataError,
               "{}: ambiguous layout: {} D-Faust frames <subject>/<sequence>/<shape>.npy (e.g. "
               "'{}') and {} other files (e.g. '{}'); set layout: dfaust (the frames only) or "
               "layout: folder (every file), or give a split",
               root, frames, fs::path(frame->path).lexically_relative(root).generic_string(),
               files.size() - static_cast<size_t>(frames),
               fs::path(other->path).lexically_relative(root).generic_string());
    out.layout = "dfaust";
  } else {
    out.layout = "folder";
  }
  out.shapes = std::move(files);
  return out;
}

}  // namespace nsdf::data
