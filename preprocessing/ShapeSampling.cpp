#include "preprocessing/ShapeSampling.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>

#include "core/Error.h"
#include "geometry/CounterRng.h"
#include "geometry/MeshIo.h"
#include "geometry/Normalization.h"
#include "geometry/OrientFaces.h"
#include "geometry/Sampling.h"

namespace nsdf::preprocessing {

using geometry::Mesh;
using geometry::Vec3f;

SamplingOptions deepsdf_test_preset() {
  SamplingOptions o;
  o.samples = 250000;
  o.variances = {0.05, 0.0005};
  return o;
}

uint64_t shape_seed(uint64_t seed, const std::string& id) {
  uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a
  for (unsigned char c : id) h = (h ^ c) * 0x100000001b3ULL;
  return geometry::splitmix64(geometry::splitmix64(seed) ^ h);
}

void check_sampling_options(const SamplingOptions& o) {
  NSDF_CHECK(o.samples >= 1, core::ConfigError, "samples must be >= 1, got {}", o.samples);
  NSDF_CHECK(!o.variances.empty(), core::ConfigError,
             "variances must list at least one variance (DeepSDF: [0.005, 0.0005])");
  for (double v : o.variances) {
    NSDF_CHECK(std::isfinite(v) && v > 0, core::ConfigError, "variances must be > 0, got {}", v);
  }
  NSDF_CHECK(o.uniform_fraction >= 0 && o.uniform_fraction <= 1, core::ConfigError,
             "uniform_fraction must be in [0, 1], got {}", o.uniform_fraction);
  NSDF_CHECK(std::isfinite(o.buffer) && o.buffer > 0, core::ConfigError,
             "buffer must be > 0, got {}", o.buffer);
  NSDF_CHECK(o.surface_points >= 0, core::ConfigError, "surface_points must be >= 0, got {}",
             o.surface_points);
}

namespace {

// The near-surface and uniform sample positions, in normalized coordinates.
std::vector<Vec3f> sample_positions(const Mesh& normalized, const SamplingOptions& o,
                                    uint64_t seed) {
  const int64_t uniform = std::llround(static_cast<double>(o.samples) * o.uniform_fraction);
  const int64_t near = o.samples - uniform;
  const int64_t k = static_cast<int64_t>(o.variances.size());
  const int64_t per_variance = (near + k - 1) / k;
  const geometry::PointCloud surface =
      near > 0 ? geometry::sample_surface(normalized, per_variance, geometry::splitmix64(seed + 1))
               : geometry::PointCloud{};

  std::vector<Vec3f> q(static_cast<size_t>(o.samples));
  const geometry::CounterRng noise(geometry::splitmix64(seed + 2));
  const geometry::CounterRng cube(geometry::splitmix64(seed + 3));
  // Variance j takes near / k points (the first near % k variances one more), each a surface
  // point plus its own Gaussian offset: point i of variance j perturbs surface point i.
  std::vector<int64_t> start(static_cast<size_t>(k + 1), 0);
  for (int64_t j = 0; j < k; ++j) start[j + 1] = start[j] + near / k + (j < near % k ? 1 : 0);
  tbb::parallel_for(tbb::blocked_range<int64_t>(0, o.samples, 8192),
                    [&](const tbb::blocked_range<int64_t>& r) {
    for (int64_t s = r.begin(); s != r.end(); ++s) {
      Vec3f& p = q[static_cast<size_t>(s)];
      if (s < near) {
        const int64_t j = std::upper_bound(start.begin(), start.end(), s) - start.begin() - 1;
        const double sigma = std::sqrt(o.variances[static_cast<size_t>(j)]);
        const Vec3f& base = surface.P[static_cast<size_t>(s - start[j])];
        for (int c = 0; c < 3; ++c) {
          p[c] =
              static_cast<float>(base[c] + sigma * noise.normal(3 * static_cast<uint64_t>(s) + c));
        }
      } else {
        for (int c = 0; c < 3; ++c) {
          p[c] = static_cast<float>(2.0 * cube.uniform(3 * static_cast<uint64_t>(s) + c) - 1.0);
        }
      }
    }
  });
  return q;
}

}  // namespace

ShapeRecord sample_shape(const Mesh& mesh, const SamplingOptions& o, uint64_t seed,
                         const std::string& name) {
  check_sampling_options(o);
  NSDF_CHECK(!mesh.F.empty(), core::DataError, "{}: the mesh has no faces (a point cloud?)", name);
  geometry::validate_mesh(mesh, name);

  ShapeRecord out;
  geometry::OrientationReport orientation;
  Mesh oriented{mesh.V, o.sign.orient ? geometry::orient_faces(mesh, &orientation) : mesh.F, {}};
  try {
    out.normalization = geometry::unit_sphere_normalization(oriented, o.buffer);
  } catch (const core::DataError& e) {
    throw core::DataError(fmt::format("{}: cannot normalize: {}", name, e.what()));
  }
  const Mesh normalized = geometry::normalize_mesh(out.normalization, oriented);

  geometry::SignedDistanceOptions sign = o.sign;
  sign.orient = false;  // done above, once for distances, normals and views
  const geometry::SignedDistance sdf(normalized, sign);

  std::vector<Vec3f> queries;
  try {
    queries = sample_positions(normalized, o, seed);
  } catch (const core::DataError& e) {
    throw core::DataError(fmt::format("{}: cannot sample the surface: {}", name, e.what()));
  }
  const std::vector<float> d = sdf.signed_distances(queries);
  size_t positive = 0;
  for (float v : d) positive += v >= 0;
  out.pos.reserve(4 * positive);
  out.neg.reserve(4 * (d.size() - positive));
  for (size_t i = 0; i < d.size(); ++i) {
    std::vector<float>& rows = d[i] >= 0 ? out.pos : out.neg;
    rows.insert(rows.end(), {queries[i][0], queries[i][1], queries[i][2], d[i]});
  }

  if (o.surface_points > 0) {
    geometry::PointCloud surface =
        geometry::sample_surface(oriented, o.surface_points, geometry::splitmix64(seed + 4));
    out.surface_points = std::move(surface.P);
    out.surface_normals = std::move(surface.N);
  }

  if (o.views.count > 0) {
    geometry::DepthViewOptions views = o.views;
    if (views.placement == "random") views.seed = geometry::splitmix64(seed + 5);
    for (const geometry::PinholeCamera& camera : geometry::cameras_on_sphere(views)) {
      geometry::DepthView view = geometry::render_depth_view(sdf.bvh(), camera);
      ViewRecord& v = out.views.emplace_back();
      v.width = camera.width;
      v.height = camera.height;
      v.depth = std::move(view.depth);
      v.intrinsics = camera.intrinsics();
      v.camera_to_world = camera.camera_to_world;
      v.points = std::move(view.points);
      v.normals = std::move(view.normals);
    }
  }

  // Alphabetical, as they read back.
  out.stats = {{"faces", static_cast<double>(mesh.F.size())},
               {"flipped_faces", static_cast<double>(orientation.flipped_faces)},
               {"inconsistent_edges", static_cast<double>(orientation.inconsistent_edges)},
               {"inverted_components", static_cast<double>(orientation.inverted_components)},
               {"non_orientable_components",
                static_cast<double>(orientation.non_orientable_components)},
               {"vertices", static_cast<double>(mesh.V.size())}};
  return out;
}

}  // namespace nsdf::preprocessing
