#pragma once
// The `dfaust` source: D-Faust scans, or frames of the registrations HDF5 file, listed by an
// IGR split (what it reads: kDoc; its options: DfaustSourceOptions::declare, shown by
// `nsdf list source dfaust`).

#include <vector>

#include "core/Options.h"
#include "preprocessing/Source.h"

namespace nsdf::preprocessing {

struct DfaustSourceOptions {
  core::Path root;
  core::Path split;
  core::Path registrations;

  static void declare(core::OptionSet<DfaustSourceOptions>& s);
};

class DfaustSource : public Source {
 public:
  using Options = DfaustSourceOptions;
  static constexpr const char* kDoc =
      "D-Faust (Bogo et al. 2017) shapes listed by an IGR split file (Gropp et al. 2020) "
      "{\"scans\": {\"<subject>\": {\"<sequence>\": [\"<shape>\", ...]}}}; shape id "
      "'<dataset>/<subject>/<sequence>/<shape>'. Without registrations each shape is the scan "
      "<root>/<dataset>/<subject>/<sequence>/<shape>.ply; with registrations it is frame N "
      "(the integer after the last '.' of <shape>, e.g. chicken_wings.000123) of the dataset "
      "'<subject>_<sequence>' (#V x 3 x #frames) of the registrations HDF5 file, with its "
      "'faces' (#F x 3).";
  static constexpr const char* kExample = "{root: dfaust, split: dfaust_train.json}";

  explicit DfaustSource(const Options& options) : options_(options) {}
  std::vector<SourceShape> shapes() const override;
  geometry::Mesh load(const SourceShape& shape) const override;

 private:
  Options options_;
};

}  // namespace nsdf::preprocessing
