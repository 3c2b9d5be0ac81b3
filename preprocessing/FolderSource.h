#pragma once
// The `folder` source: any folder of meshes, optionally through a DeepSDF split (what it
// reads: kDoc; its options: FolderSourceOptions::declare, shown by `nsdf list source folder`).

#include <string>
#include <vector>

#include "core/Options.h"
#include "preprocessing/Source.h"

namespace nsdf::preprocessing {

struct FolderSourceOptions {
  core::Path root;
  std::vector<std::string> extensions{"obj", "ply", "off"};
  bool recursive = true;
  core::Path split;

  static void declare(core::OptionSet<FolderSourceOptions>& s);
};

class FolderSource : public Source {
 public:
  using Options = FolderSourceOptions;
  static constexpr const char* kDoc =
      "Any folder of meshes. Without a split: every file of root (and its sub-folders when "
      "recursive, linked folders followed; names starting with '.' skipped) whose extension is in "
      "`extensions`, shape "
      "id = path relative to root without the extension, sorted; two files that differ only "
      "by extension are an error. With a DeepSDF split {\"<dataset>\": {\"<class>\": "
      "[\"<instance>\", ...]}}: the listed shapes, id '<dataset>/<class>/<instance>', mesh "
      "<root>/<class>/<instance>.<ext> with the first extension (in list order, lower or upper "
      "case) whose file exists.";
  static constexpr const char* kExample = "{root: meshes}";

  explicit FolderSource(const Options& options);
  std::vector<SourceShape> shapes() const override;
  geometry::Mesh load(const SourceShape& shape) const override;

 private:
  Options options_;
  std::vector<std::string> extensions_;  // lower case, without a leading '.'
};

}  // namespace nsdf::preprocessing
