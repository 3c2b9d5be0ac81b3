#include "preprocessing/ShapeNetSource.h"

#include <fmt/format.h>

#include <filesystem>

#include "preprocessing/SourceSupport.h"
#include "preprocessing/Split.h"

namespace nsdf::preprocessing {

namespace fs = std::filesystem;

void ShapeNetSourceOptions::declare(core::OptionSet<ShapeNetSourceOptions>& s) {
  using O = ShapeNetSourceOptions;
  s.add("root", &O::root, "ShapeNetCore folder holding <class>/<instance>/").required().non_empty();
  s.add("split", &O::split, "DeepSDF split file {dataset: {class: [instance, ...]}}")
      .required()
      .non_empty();
  s.add("layout", &O::layout,
        "mesh file of an instance: v2 models/model_normalized.obj, v1 model.obj, auto v2 when "
        "present else v1")
      .one_of({"auto", "v1", "v2"});
}

std::vector<SourceShape> ShapeNetSource::shapes() const {
  check_source_root(options_.root.str(), "shapenet");
  const std::string& split = options_.split.str();
  ShapeIds ids(split);
  std::vector<SourceShape> out;
  for (const auto& entry : read_split(split, 3)) {
    SourceShape shape;
    shape.id = split_entry_id(entry);
    ids.add(shape.id);
    const fs::path folder = fs::path(options_.root.str()) / entry[1] / entry[2];
    const fs::path v2 = folder / "models" / "model_normalized.obj";
    const fs::path v1 = folder / "model.obj";
    if (options_.layout == "v2" || (options_.layout == "auto" && path_exists(v2.string()))) {
      shape.path = v2.string();
    } else {
      shape.path = v1.string();
    }
    out.push_back(std::move(shape));
  }
  return out;
}

geometry::Mesh ShapeNetSource::load(const SourceShape& shape) const {
  const std::string note =
      options_.layout == "auto"
          ? fmt::format(" (shapenet shape '{}'; layout auto: neither models/"
                        "model_normalized.obj (v2) nor model.obj (v1) in that folder)",
                        shape.id)
          : fmt::format(" (shapenet shape '{}'; layout {})", shape.id, options_.layout);
  return read_listed_mesh(shape.path, note);
}

}  // namespace nsdf::preprocessing
