#pragma once
// Which shapes a `point_clouds` dataset holds when it reads a folder (data/PointCloudDataset.h):
// the layout of the folder, IGR's D-Faust frames or any folder of meshes and point files, and
// for each shape its id and its file, with every listed file checked to exist.
//
//   dfaust: <root>/<subject>/<sequence>/<shape>.npy, listed by IGR's split {"scans":
//           {"<subject>": {"<sequence>": ["<shape>", ...]}}} (code/datasets/dfaustdataset.py:
//           the first key, the dataset, is not part of the path), id "scans/<subject>/
//           <sequence>/<shape>"; without a split every <subject>/<sequence>/*.npy, id the path
//           relative to root without the extension.
//   folder: DeepSDF's split {"<dataset>": {"<class>": ["<instance>", ...]}} ->
//           <root>/<class>/<instance>.<ext>, a two-level split {"<name>": ["<instance>", ...]}
//           -> <root>/<instance>.<ext> (ext: the first of `extensions` whose file exists), or
//           without a split every file of root and its sub-folders with one of `extensions`
//           (sorted; id the relative path without the extension).

#include <string>
#include <vector>

namespace nsdf::data {

/// One shape of a folder.
struct ListedCloud {
  std::string id;    ///< the split entry joined with '/', or the path relative to root
  std::string path;  ///< the file its points are read from
};

struct CloudListing {
  std::string layout;  ///< "dfaust" or "folder"
  std::vector<ListedCloud> shapes;
};

/// Lists the shapes of `root` (see above).
/// @param[in] layout "auto" (a 4-level split or a tree of <subject>/<sequence>/*.npy files:
///   dfaust; else folder), "dfaust" or "folder"
/// @param[in] split a split file, or "" for every file found
/// @param[in] extensions file extensions without '.', any case, in lookup order (folder)
/// Throws IoError when root is not a folder or listed files are missing (all of them named, up
/// to 20), DataError when the split has the wrong depth for the layout or lists nothing, when
/// nothing is found, or when `auto` finds both D-Faust frames and other files.
CloudListing list_point_clouds(const std::string& layout, const std::string& root,
                               const std::string& split,
                               const std::vector<std::string>& extensions);

}  // namespace nsdf::data
