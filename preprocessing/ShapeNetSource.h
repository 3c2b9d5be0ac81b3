#pragma once
// The `shapenet` source: ShapeNet meshes listed by a DeepSDF split (what it reads: kDoc; its
// options: ShapeNetSourceOptions::declare, shown by `nsdf list source shapenet`).

#include <string>
#include <vector>

#include "core/Options.h"
#include "preprocessing/Source.h"

namespace nsdf::preprocessing {

struct ShapeNetSourceOptions {
  core::Path root;
  core::Path split;
  std::string layout = "auto";

  static void declare(core::OptionSet<ShapeNetSourceOptions>& s);
};

class ShapeNetSource : public Source {
 public:
  using Options = ShapeNetSourceOptions;
  static constexpr const char* kDoc =
      "ShapeNet (Chang et al. 2015) meshes listed by a DeepSDF split file (Park et al. 2019) "
      "{\"<dataset>\": {\"<class>\": [\"<instance>\", ...]}}. Shape id "
      "'<dataset>/<class>/<instance>' (DeepSDF's SdfSamples/<id>.npz); mesh "
      "<root>/<class>/<instance>/models/model_normalized.obj (ShapeNetCore.v2) or "
      "<root>/<class>/<instance>/model.obj (v1); layout auto takes v2 when that file exists.";
  static constexpr const char* kExample = "{root: ShapeNetCore.v2, split: chairs_train.json}";

  explicit ShapeNetSource(const Options& options) : options_(options) {}
  std::vector<SourceShape> shapes() const override;
  geometry::Mesh load(const SourceShape& shape) const override;

 private:
  Options options_;
};

}  // namespace nsdf::preprocessing
