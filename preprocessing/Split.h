#pragma once
// Split files: which shapes of a collection go to training and which to testing, in the JSON
// formats the originals use (kept in splits/):
//   DeepSDF (ShapeNet, mesh folders): {"<dataset>": {"<class>": ["<instance>", ...]}}
//   IGR's D-Faust:                    {"scans": {"<subject>": {"<sequence>": ["<shape>", ...]}}}
// Both are nested objects whose leaves are lists of names; an entry is the path of keys down to
// a name: ["ShapeNetV2", "03001627", "1a6f..."] or ["scans", "50002", "chicken_wings",
// "chicken_wings.000000"]. Order is the file's.

#include <string>
#include <vector>

namespace nsdf::preprocessing {

/// Every entry of a split file, in file order; each has exactly `depth` components (3 for
/// DeepSDF splits, 4 for IGR's D-Faust splits; depth <= 0 accepts any uniform depth). The file
/// is parsed as YAML (JSON is YAML's flow syntax), so a number such as 50002 is the name
/// "50002" whether quoted or not.
/// Throws IoError when the file cannot be read, DataError "<path>:<line>:<col>: ..." when it is
/// not such a nested object (a list where a map is expected, a name that is a map, a list or
/// null, an empty name or key; an empty list is allowed), is not valid JSON / YAML, repeats a
/// key, has the wrong depth (or, with depth <= 0, lists of different depths), or lists an entry
/// twice.
std::vector<std::vector<std::string>> read_split(const std::string& path, int depth = 0);

/// Writes entries (all of the same depth >= 2) as a split file in the nested format (JSON,
/// indented by 2, strings escaped), keys in order of first appearance, atomically; read_split
/// gives the entries back grouped that way. Throws DataError naming `path` (nothing written)
/// for entries of different depths, an empty component or an entry listed twice; IoError when
/// the file cannot be written.
void write_split(const std::string& path, const std::vector<std::vector<std::string>>& entries);

}  // namespace nsdf::preprocessing
