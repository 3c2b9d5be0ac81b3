#pragma once
// A source of generated meshes with known signed distances: random spheres, rounded boxes, tori
// and superquadrics (geometry/AnalyticShapes.h) inside the unit sphere, meshed by marching cubes.
// For trying the pipeline without data (configs/quickstart_preprocess.yaml) and for tests.

#include <cstdint>
#include <string>
#include <vector>

#include "core/Options.h"
#include "preprocessing/Source.h"

namespace nsdf::preprocessing {

struct SyntheticSourceOptions {
  std::vector<std::string> kinds = {"sphere", "box", "torus", "superquadric"};
  int64_t count = 2;
  int64_t resolution = 64;
  int64_t seed = 0;

  static void declare(core::OptionSet<SyntheticSourceOptions>& s);
};

class SyntheticSource : public Source {
 public:
  using Options = SyntheticSourceOptions;
  static constexpr const char* kDoc =
      "Generated shapes with known SDFs: `count` random shapes of each of `kinds` (sphere, box, "
      "torus, superquadric; parameters drawn from `seed`, inside the unit sphere), meshed by "
      "marching cubes at `resolution`^3 over [-1, 1]^3. Shape id 'synthetic/<kind>/<i>'.";

  explicit SyntheticSource(const Options& options) : options_(options) {}
  std::vector<SourceShape> shapes() const override;
  geometry::Mesh load(const SourceShape& shape) const override;

 private:
  Options options_;
};

}  // namespace nsdf::preprocessing
