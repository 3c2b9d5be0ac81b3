#include "preprocessing/SyntheticSource.h"

#include <algorithm>
#include <random>

#include "core/Error.h"
#include "geometry/AnalyticShapes.h"
#include "geometry/MarchingCubes.h"

namespace nsdf::preprocessing {

void SyntheticSourceOptions::declare(core::OptionSet<SyntheticSourceOptions>& s) {
  using O = SyntheticSourceOptions;
  s.add("kinds", &O::kinds, "shape kinds: sphere, box, torus, superquadric")
      .non_empty()
      .check(
          [](const std::vector<std::string>& kinds) {
            for (const auto& k : kinds) {
              const auto& valid = geometry::analytic_kind_names();
              if (std::find(valid.begin(), valid.end(), k) == valid.end()) {
                return "unknown kind '" + k + "'";
              }
            }
            return std::string();
          },
          "sphere, box, torus, superquadric");
  s.add("count", &O::count, "shapes per kind").range(1, 100000);
  s.add("resolution", &O::resolution, "marching-cubes grid points per axis").range(8, 1024);
  s.add("seed", &O::seed, "seed of the shape parameters").non_negative();
}

std::vector<SourceShape> SyntheticSource::shapes() const {
  std::vector<SourceShape> out;
  for (const std::string& kind : options_.kinds) {
    for (int64_t i = 0; i < options_.count; ++i) {
      SourceShape s;
      s.id = "synthetic/" + kind + "/" + std::to_string(i);
      s.path = "<synthetic " + kind + " " + std::to_string(i) + ">";
      s.key = kind;
      s.frame = i;
      out.push_back(std::move(s));
    }
  }
  return out;
}

geometry::Mesh SyntheticSource::load(const SourceShape& shape) const {
  // One generator per shape, keyed by the seed, the kind and the index: a shape does not depend
  // on which others are listed.
  const geometry::AnalyticShape::Kind kind = geometry::parse_analytic_kind(shape.key);
  std::seed_seq seq{static_cast<uint64_t>(options_.seed), static_cast<uint64_t>(kind),
                    static_cast<uint64_t>(shape.frame)};
  std::mt19937_64 rng(seq);
  const geometry::AnalyticShape analytic = geometry::random_shape(kind, rng);
  const int n = static_cast<int>(options_.resolution);
  const double spacing = 2.0 / (n - 1);
  std::vector<float> values(static_cast<size_t>(n) * n * n);
  for (int k = 0; k < n; ++k)
    for (int j = 0; j < n; ++j)
      for (int i = 0; i < n; ++i) {
        values[(static_cast<size_t>(k) * n + j) * n + i] = static_cast<float>(
            analytic.sdf({-1 + i * spacing, -1 + j * spacing, -1 + k * spacing}));
      }
  geometry::Mesh mesh = geometry::marching_cubes(values, {n, n, n}, {-1, -1, -1}, spacing);
  NSDF_CHECK(!mesh.F.empty(), core::DataError, "{}: the shape is too small for resolution {}",
             shape.path, n);
  return mesh;
}

}  // namespace nsdf::preprocessing
