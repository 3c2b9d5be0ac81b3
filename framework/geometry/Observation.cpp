#include "geometry/Observation.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "core/Error.h"
#include "geometry/Normals.h"
#include "geometry/VecMath.h"

namespace nsdf::geometry {

int64_t Observation::points() const {
  int64_t n = 0;
  for (const auto& v : views) n += static_cast<int64_t>(v.points.size());
  return n;
}

ObservedView view_from_depth(const std::vector<float>& depth, const PinholeCamera& camera,
                             const std::string& what) {
  ObservedView view;
  try {
    view.points = back_project_depth(depth, camera);
  } catch (const core::DataError& e) {
    throw core::DataError(fmt::format("{}: {}", what, e.what()));
  }
  NSDF_CHECK(!view.points.empty(), core::DataError,
             "{}: empty depth: none of the {} x {} pixels has a positive depth, so no point lies "
             "in front of the camera",
             what, camera.width, camera.height);
  view.camera = camera.position();
  view.free_points = background_points(depth, camera, kBackgroundPointsPerView, 0);
  return view;
}

std::vector<Vec3f> background_points(const std::vector<float>& depth, const PinholeCamera& camera,
                                     int64_t count, uint64_t seed) {
  std::vector<int64_t> empty;
  float d_min = std::numeric_limits<float>::max(), d_max = 0;
  for (size_t i = 0; i < depth.size(); ++i) {
    if (std::isfinite(depth[i]) && depth[i] > 0) {
      d_min = std::min(d_min, depth[i]);
      d_max = std::max(d_max, depth[i]);
    } else {
      empty.push_back(static_cast<int64_t>(i));
    }
  }
  std::vector<Vec3f> out;
  if (empty.empty() || d_max == 0 || count <= 0) return out;
  const double m = 0.5 * (d_max - d_min);
  const double lo = std::max(0.5 * d_min, d_min - m), hi = d_max + m;
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<size_t> pick(0, empty.size() - 1);
  std::uniform_real_distribution<double> z(lo, hi);
  const auto& T = camera.camera_to_world;
  for (int64_t k = 0; k < count; ++k) {
    const int64_t i = empty[pick(rng)];
    const double u = static_cast<double>(i % camera.width) + 0.5;
    const double v = static_cast<double>(i / camera.width) + 0.5;
    const double d = z(rng);
    const Vec3d c{d * (u - camera.cx) / camera.fx, d * (v - camera.cy) / camera.fy, d};
    out.push_back(to_float({T[0] * c[0] + T[1] * c[1] + T[2] * c[2] + T[3],
                            T[4] * c[0] + T[5] * c[1] + T[6] * c[2] + T[7],
                            T[8] * c[0] + T[9] * c[1] + T[10] * c[2] + T[11]}));
  }
  return out;
}

void check_observation(const Observation& observation, const std::string& what,
                       int64_t min_points) {
  NSDF_CHECK(!observation.views.empty(), core::DataError, "{}: the observation has no view",
             what);
  for (size_t k = 0; k < observation.views.size(); ++k) {
    const ObservedView& v = observation.views[k];
    const std::string where =
        observation.views.size() == 1 ? what : fmt::format("{} (view {})", what, k);
    NSDF_CHECK(static_cast<int64_t>(v.points.size()) >= min_points, core::DataError,
               "{}: {} observed point{}; completion needs at least {}", where, v.points.size(),
               v.points.size() == 1 ? "" : "s", min_points);
    for (size_t i = 0; i < v.points.size(); ++i)
      NSDF_CHECK(finite(v.points[i]), core::DataError, "{}: point {} is not finite", where, i);
    NSDF_CHECK(v.normals.empty() || v.normals.size() == v.points.size(), core::DataError,
               "{}: {} normals for {} points", where, v.normals.size(), v.points.size());
    for (size_t i = 0; i < v.normals.size(); ++i)
      NSDF_CHECK(finite(v.normals[i]) && length(to_double(v.normals[i])) > 0, core::DataError,
                 "{}: normal {} is zero or not finite", where, i);
    if (v.camera) {
      const auto& c = *v.camera;
      NSDF_CHECK(std::isfinite(c[0]) && std::isfinite(c[1]) && std::isfinite(c[2]),
                 core::DataError, "{}: the camera centre ({}, {}, {}) is not finite", where, c[0],
                 c[1], c[2]);
    }
  }
}

PreparedObservation prepare_observation(const Observation& observation, int normal_neighbors,
                                        const std::string& what) {
  NSDF_CHECK(normal_neighbors >= 3, core::ConfigError,
             "normal_neighbors must be at least 3, got {}", normal_neighbors);
  check_observation(observation, what, normal_neighbors);
  PreparedObservation out;
  for (size_t k = 0; k < observation.views.size(); ++k) {
    const ObservedView& v = observation.views[k];
    std::vector<Vec3f> normals = v.normals;
    if (normals.empty()) {
      try {
        normals = v.camera ? estimate_unoriented_normals(v.points, normal_neighbors)
                           : estimate_normals(v.points, normal_neighbors);
      } catch (const core::DataError& e) {
        throw core::DataError(fmt::format("{} (view {}): normals: {}", what, k, e.what()));
      }
    }
    if (v.camera) {
      orient_normals_towards(v.points, normals, to_float(*v.camera));
    }
    for (size_t i = 0; i < v.points.size(); ++i) {
      const Vec3d n = normalized(to_double(normals[i]));
      out.points.push_back(v.points[i]);
      out.normals.push_back(to_float(n));
      Vec3f dir{0, 0, 0};
      if (v.camera) {
        const Vec3d d = sub(*v.camera, to_double(v.points[i]));
        const double len = length(d);
        NSDF_CHECK(len > 0, core::DataError, "{} (view {}): point {} lies at the camera centre",
                   what, k, i);
        dir = to_float(normalized(d));
      }
      out.to_camera.push_back(dir);
    }
    if (v.camera) out.with_camera += static_cast<int64_t>(v.points.size());
    for (const auto& q : v.free_points) {
      NSDF_CHECK(finite(q), core::DataError, "{} (view {}): a free-space point is not finite",
                 what, k);
      out.free_points.push_back(q);
    }
  }
  return out;
}

}  // namespace nsdf::geometry
