#include "preprocessing/SignCheck.h"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/ConfigLoader.h"
#include "core/Diagnostics.h"
#include "core/Error.h"
#include "geometry/CounterRng.h"
#include "geometry/Normalization.h"
#include "geometry/OrientFaces.h"
#include "geometry/WindingNumber.h"

namespace nsdf::preprocessing {

namespace {

double wilson_upper95(int64_t k, int64_t n) {
  if (n == 0) return 1.0;
  const double z = 1.959963984540054, p = static_cast<double>(k) / n, nn = static_cast<double>(n);
  const double centre = p + z * z / (2 * nn);
  const double spread = z * std::sqrt(p * (1 - p) / nn + z * z / (4 * nn * nn));
  return std::min(1.0, (centre + spread) / (1 + z * z / nn));
}

}  // namespace

SignCheckResult check_signs(const ShapeRecord& shape, const geometry::Mesh& mesh,
                            const SignCheckOptions& options) {
  NSDF_CHECK(options.queries >= 0, core::ConfigError, "queries must be >= 0, got {}",
             options.queries);
  SignCheckResult r;
  r.id = shape.id;
  const int64_t npos = static_cast<int64_t>(shape.pos.size() / 4);
  r.samples = npos + static_cast<int64_t>(shape.neg.size() / 4);
  // A uniform subset without replacement: a seeded partial Fisher-Yates shuffle.
  std::vector<int64_t> order(static_cast<size_t>(r.samples));
  std::iota(order.begin(), order.end(), 0);
  const int64_t n = options.queries == 0 ? r.samples : std::min(options.queries, r.samples);
  const geometry::CounterRng rng(options.seed);
  for (int64_t i = 0; i < n && i + 1 < r.samples; ++i) {
    const int64_t j =
        i + static_cast<int64_t>(rng.uniform(static_cast<uint64_t>(i)) * (r.samples - i));
    std::swap(order[i], order[std::min(j, r.samples - 1)]);
  }
  order.resize(static_cast<size_t>(n));
  std::sort(order.begin(), order.end());

  geometry::Mesh m{mesh.V, options.orient ? geometry::orient_faces(mesh) : mesh.F, {}};
  m = geometry::normalize_mesh(shape.normalization, m);
  std::vector<geometry::Vec3f> q(static_cast<size_t>(n));
  std::vector<float> sdf(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const int64_t k = order[i];
    const float* row = k < npos ? &shape.pos[4 * k] : &shape.neg[4 * (k - npos)];
    q[i] = {row[0], row[1], row[2]};
    sdf[i] = row[3];
  }
  const std::vector<double> w = geometry::exact_winding_numbers(m, q);
  r.checked = n;
  for (int64_t i = 0; i < n; ++i) {
    const bool inside_reference = w[i] >= 0.5;
    const bool inside_sample = sdf[i] < 0;
    const bool differs = sdf[i] != 0 && inside_reference != inside_sample;
    const bool near = std::abs(sdf[i]) < options.near_band;
    r.disagree += differs;
    r.near += near;
    r.near_disagree += differs && near;
  }
  r.upper95 = wilson_upper95(r.disagree, r.checked);
  return r;
}

std::shared_ptr<Source> source_from_parameters(const SourceRegistry& registry,
                                               const SampleFile& file) {
  const core::ConfigNode params =
      core::parse_yaml(file.info().parameters, file.path() + ": parameters");
  const core::ConfigNode source = params.is_map() ? params.peek("source") : core::ConfigNode();
  NSDF_CHECK(source, core::ConfigError,
             "{}: its parameters name no source (method '{}'): give the mesh explicitly",
             file.path(), file.info().method);
  return registry.create(source);
}

bool oriented_in_parameters(const SampleFile& file) {
  const core::ConfigNode params =
      core::parse_yaml(file.info().parameters, file.path() + ": parameters");
  const core::ConfigNode orient = params.is_map() ? params.peek("orient") : core::ConfigNode();
  return !orient || orient.as_scalar() != "false";
}

}  // namespace nsdf::preprocessing
