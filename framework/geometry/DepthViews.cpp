// Cameras on a sphere, depth rendering through the BVH and back-projection; see DepthViews.h.
#include "geometry/DepthViews.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/Error.h"
#include "geometry/CounterRng.h"
#include "geometry/VecMath.h"

namespace nsdf::geometry {

namespace {

constexpr int kMaxSide = 8192;
constexpr int kMaxCameras = 1000000;
constexpr double kPi = 3.14159265358979323846;
// Below this horizontal part the viewing direction is too close to +-y for +y to give "up".
constexpr double kPoleTolerance = 1e-3;
// How far R^T R may be from the identity: loose enough for rotations stored in float.
constexpr double kRotationTolerance = 1e-5;
// Rays per intersect_all call: bounds the memory for origins, directions and hits on big images
// while leaving each call hundreds of parallel tasks.
constexpr int64_t kRaysPerBatch = int64_t{1} << 16;

void check_image_size(int width, int height, const char* where) {
  NSDF_CHECK(width >= 1 && width <= kMaxSide, core::ConfigError,
             "{}: width = {} must be in [1, {}]", where, width, kMaxSide);
  NSDF_CHECK(height >= 1 && height <= kMaxSide, core::ConfigError,
             "{}: height = {} must be in [1, {}]", where, height, kMaxSide);
}

void check_fov(double fov_degrees, const char* where) {
  NSDF_CHECK(fov_degrees > 0 && fov_degrees < 180, core::ConfigError,
             "{}: fov_degrees = {} must be in (0, 180)", where, fov_degrees);
}

// The camera's R (row-major 3 x 3) and t, read from camera_to_world.
struct Pose {
  double R[3][3];
  Vec3d t;
};

Pose pose_of(const PinholeCamera& camera) {
  const auto& m = camera.camera_to_world;
  Pose p{};
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) p.R[i][j] = m[4 * i + j];
    p.t[i] = m[4 * i + 3];
  }
  return p;
}

void check_camera(const PinholeCamera& c, const char* where) {
  NSDF_CHECK(c.width >= 1 && c.width <= kMaxSide && c.height >= 1 && c.height <= kMaxSide,
             core::DataError, "{}: camera image size {} x {} must be within [1, {}]", where,
             c.width, c.height, kMaxSide);
  NSDF_CHECK(std::isfinite(c.fx) && c.fx > 0 && std::isfinite(c.fy) && c.fy > 0, core::DataError,
             "{}: camera focal lengths fx = {}, fy = {} must be finite and > 0", where, c.fx, c.fy);
  NSDF_CHECK(std::isfinite(c.cx) && std::isfinite(c.cy), core::DataError,
             "{}: camera principal point ({}, {}) must be finite", where, c.cx, c.cy);
  const auto& m = c.camera_to_world;
  for (size_t i = 0; i < m.size(); ++i)
    NSDF_CHECK(std::isfinite(m[i]), core::DataError,
               "{}: camera_to_world[{}] (row {}, column {}) = {} is not finite", where, i, i / 4,
               i % 4, m[i]);
  NSDF_CHECK(m[12] == 0 && m[13] == 0 && m[14] == 0 && m[15] == 1, core::DataError,
             "{}: camera_to_world's last row ({}, {}, {}, {}) must be (0, 0, 0, 1)", where, m[12],
             m[13], m[14], m[15]);
  const Pose p = pose_of(c);
  double error = 0;  // max |R^T R - I|
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j) {
      double s = 0;
      for (int k = 0; k < 3; ++k) s += p.R[k][i] * p.R[k][j];
      error = std::max(error, std::abs(s - (i == j ? 1.0 : 0.0)));
    }
  const Vec3d c0 = {p.R[0][0], p.R[1][0], p.R[2][0]}, c1 = {p.R[0][1], p.R[1][1], p.R[2][1]},
              c2 = {p.R[0][2], p.R[1][2], p.R[2][2]};
  const double det = dot(cross(c0, c1), c2);
  NSDF_CHECK(error <= kRotationTolerance && det > 0, core::DataError,
             "{}: camera_to_world's rotation must be orthonormal with determinant +1 (max "
             "|R^T R - I| = {} must be <= {}, det(R) = {})",
             where, error, kRotationTolerance, det);
}

// The camera-space ray of pixel (u, v)'s centre, z = 1.
Vec3d pixel_ray(const PinholeCamera& c, int u, int v) {
  return {(u + 0.5 - c.cx) / c.fx, (v + 0.5 - c.cy) / c.fy, 1.0};
}

Vec3d rotate(const Pose& p, const Vec3d& a) {
  return {p.R[0][0] * a[0] + p.R[0][1] * a[1] + p.R[0][2] * a[2],
          p.R[1][0] * a[0] + p.R[1][1] * a[1] + p.R[1][2] * a[2],
          p.R[2][0] * a[0] + p.R[2][1] * a[1] + p.R[2][2] * a[2]};
}

// Whether a depth value gives a point (0 and non-finite: no point; negative is rejected first).
bool has_point(float d) { return std::isfinite(d) && d > 0; }

// The world point of pixel (u, v) at depth d: the one formula both back_project_depth and
// render_depth_view use, so that their points agree to the bit.
Vec3f back_project(const PinholeCamera& c, const Pose& p, int u, int v, float d) {
  const Vec3d r = pixel_ray(c, u, v);
  const double dd = d;
  const Vec3d w = rotate(p, {dd * r[0], dd * r[1], dd * r[2]});
  return {static_cast<float>(w[0] + p.t[0]), static_cast<float>(w[1] + p.t[1]),
          static_cast<float>(w[2] + p.t[2])};
}

// Where each row's points start in the row-major list of points (rows + 1 entries).
std::vector<int64_t> row_offsets(const std::vector<float>& depth, int width, int height) {
  std::vector<int64_t> start(static_cast<size_t>(height) + 1, 0);
  for (int v = 0; v < height; ++v) {
    int64_t n = 0;
    const float* row = depth.data() + static_cast<size_t>(v) * width;
    for (int u = 0; u < width; ++u) n += has_point(row[u]) ? 1 : 0;
    start[v + 1] = start[v] + n;
  }
  return start;
}

}  // namespace

std::array<double, 9> PinholeCamera::intrinsics() const { return {fx, 0, cx, 0, fy, cy, 0, 0, 1}; }

std::array<double, 3> PinholeCamera::position() const {
  return {camera_to_world[3], camera_to_world[7], camera_to_world[11]};
}

PinholeCamera look_at_origin(const std::array<double, 3>& position, int width, int height,
                             double fov_degrees) {
  constexpr const char* kWhere = "look_at_origin";
  check_image_size(width, height, kWhere);
  check_fov(fov_degrees, kWhere);
  const double len = length(position);
  NSDF_CHECK(std::isfinite(len) && len > 0, core::ConfigError,
             "{}: camera position ({}, {}, {}) must be finite and not the origin", kWhere,
             position[0], position[1], position[2]);

  const Vec3d z = {-position[0] / len, -position[1] / len, -position[2] / len};
  const bool pole = std::hypot(z[0], z[2]) < kPoleTolerance;
  const Vec3d up = pole ? Vec3d{0, 0, 1} : Vec3d{0, 1, 0};
  const Vec3d x = normalized(cross(z, up));
  const Vec3d y = cross(z, x);  // unit: z and x are orthonormal

  PinholeCamera c;
  c.width = width;
  c.height = height;
  c.fx = c.fy = (height / 2.0) / std::tan(fov_degrees * kPi / 360.0);
  c.cx = width / 2.0;
  c.cy = height / 2.0;
  for (int i = 0; i < 3; ++i) {
    c.camera_to_world[4 * i + 0] = x[i];
    c.camera_to_world[4 * i + 1] = y[i];
    c.camera_to_world[4 * i + 2] = z[i];
    c.camera_to_world[4 * i + 3] = position[i];
  }
  c.camera_to_world[15] = 1;
  return c;
}

std::vector<PinholeCamera> cameras_on_sphere(const DepthViewOptions& options) {
  constexpr const char* kWhere = "cameras_on_sphere";
  NSDF_CHECK(options.count >= 0 && options.count <= kMaxCameras, core::ConfigError,
             "{}: count = {} must be in [0, {}]", kWhere, options.count, kMaxCameras);
  check_image_size(options.width, options.height, kWhere);
  check_fov(options.fov_degrees, kWhere);
  NSDF_CHECK(std::isfinite(options.distance) && options.distance > 0, core::ConfigError,
             "{}: distance = {} must be finite and > 0", kWhere, options.distance);
  const bool random = options.placement == "random";
  NSDF_CHECK(random || options.placement == "fibonacci", core::ConfigError,
             "{}: placement = '{}' is not one of 'fibonacci', 'random'", kWhere, options.placement);

  const int n = options.count;
  const CounterRng rng(options.seed);
  const double golden_angle = kPi * (3.0 - std::sqrt(5.0));
  std::vector<PinholeCamera> cameras;
  cameras.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) {
    double y, azimuth;
    if (random) {
      y = 1.0 - 2.0 * rng.uniform(2 * static_cast<uint64_t>(i));
      azimuth = 2.0 * kPi * rng.uniform(2 * static_cast<uint64_t>(i) + 1);
    } else {
      y = 1.0 - 2.0 * (i + 0.5) / n;
      azimuth = golden_angle * i;
    }
    const double rho = std::sqrt(std::max(0.0, 1.0 - y * y));
    const Vec3d direction = {rho * std::cos(azimuth), y, rho * std::sin(azimuth)};
    cameras.push_back(
        look_at_origin({options.distance * direction[0], options.distance * direction[1],
                        options.distance * direction[2]},
                       options.width, options.height, options.fov_degrees));
  }
  return cameras;
}

std::vector<Vec3f> back_project_depth(const std::vector<float>& depth,
                                      const PinholeCamera& camera) {
  constexpr const char* kWhere = "back_project_depth";
  check_camera(camera, kWhere);
  const int w = camera.width, h = camera.height;
  NSDF_CHECK(depth.size() == static_cast<size_t>(w) * static_cast<size_t>(h), core::DataError,
             "{}: {} depth values for a {} x {} camera (width x height), expected {}", kWhere,
             depth.size(), w, h, static_cast<size_t>(w) * static_cast<size_t>(h));
  // Checked in order, so the message names the first negative pixel whatever the threads.
  for (size_t i = 0; i < depth.size(); ++i)
    NSDF_CHECK(!(depth[i] < 0), core::DataError,
               "{}: pixel (u = {}, v = {}) has depth {}; depths must be >= 0 (0: no surface)",
               kWhere, i % static_cast<size_t>(w), i / static_cast<size_t>(w), depth[i]);

  const std::vector<int64_t> start = row_offsets(depth, w, h);
  const Pose pose = pose_of(camera);
  std::vector<Vec3f> points(static_cast<size_t>(start[h]));
  tbb::parallel_for(tbb::blocked_range<int>(0, h), [&](const tbb::blocked_range<int>& rows) {
    for (int v = rows.begin(); v != rows.end(); ++v) {
      size_t out = static_cast<size_t>(start[v]);
      const float* row = depth.data() + static_cast<size_t>(v) * w;
      for (int u = 0; u < w; ++u)
        if (has_point(row[u])) points[out++] = back_project(camera, pose, u, v, row[u]);
    }
  });
  return points;
}

DepthView render_depth_view(const TriangleBvh& bvh, const PinholeCamera& camera) {
  check_camera(camera, "render_depth_view");
  const int w = camera.width, h = camera.height;
  const int64_t pixels = int64_t{w} * h;
  const Pose pose = pose_of(camera);
  const Vec3f origin = {static_cast<float>(pose.t[0]), static_cast<float>(pose.t[1]),
                        static_cast<float>(pose.t[2])};
  const Vec3d axis = {pose.R[0][2], pose.R[1][2], pose.R[2][2]};  // viewing direction, world

  DepthView view;
  view.camera = camera;
  view.depth.assign(static_cast<size_t>(pixels), 0.0f);
  std::vector<int32_t> face(static_cast<size_t>(pixels), -1);

  // Whole rows per batch, at least one.
  const int rows_per_batch = static_cast<int>(std::max<int64_t>(1, kRaysPerBatch / w));
  std::vector<Vec3f> origins, directions;
  for (int v0 = 0; v0 < h; v0 += rows_per_batch) {
    const int v1 = std::min(h, v0 + rows_per_batch);
    const size_t first = static_cast<size_t>(v0) * w, n = static_cast<size_t>(v1 - v0) * w;
    origins.assign(n, origin);
    directions.resize(n);
    tbb::parallel_for(tbb::blocked_range<int>(v0, v1), [&](const tbb::blocked_range<int>& rows) {
      for (int v = rows.begin(); v != rows.end(); ++v)
        for (int u = 0; u < w; ++u) {
          const Vec3d d = rotate(pose, pixel_ray(camera, u, v));
          directions[static_cast<size_t>(v) * w + u - first] = {
              static_cast<float>(d[0]), static_cast<float>(d[1]), static_cast<float>(d[2])};
        }
    });
    const std::vector<RayHit> hits = bvh.intersect_all(origins, directions);
    tbb::parallel_for(
        tbb::blocked_range<size_t>(0, n, 1024), [&](const tbb::blocked_range<size_t>& range) {
          for (size_t i = range.begin(); i != range.end(); ++i) {
            const RayHit& hit = hits[i];
            if (hit.triangle < 0) continue;
            // The float direction's camera-space z is 1 up to rounding; use its
            // exact value, so depth is the hit's z however the direction rounded.
            const Vec3f& d = directions[i];
            const double z = double(hit.t) * (d[0] * axis[0] + d[1] * axis[1] + d[2] * axis[2]);
            view.depth[first + i] = static_cast<float>(z);
            face[first + i] = hit.triangle;
          }
        });
  }

  // Each face's slot in bvh.triangles(), for its vertices.
  const std::vector<int32_t>& ids = bvh.triangle_ids();
  std::vector<int32_t> slot(ids.size(), -1);
  for (size_t s = 0; s < ids.size(); ++s)
    slot[static_cast<size_t>(ids[s])] = static_cast<int32_t>(s);

  view.points = back_project_depth(view.depth, camera);
  const std::vector<int64_t> start = row_offsets(view.depth, w, h);
  view.normals.resize(view.points.size());
  tbb::parallel_for(tbb::blocked_range<int>(0, h), [&](const tbb::blocked_range<int>& rows) {
    for (int v = rows.begin(); v != rows.end(); ++v) {
      size_t out = static_cast<size_t>(start[v]);
      for (int u = 0; u < w; ++u) {
        const size_t i = static_cast<size_t>(v) * w + u;
        if (!has_point(view.depth[i])) continue;
        const auto& tri = bvh.triangles()[static_cast<size_t>(slot[static_cast<size_t>(face[i])])];
        const Vec3d a = to_double(tri[0]);
        const Vec3d n = cross(sub(to_double(tri[1]), a), sub(to_double(tri[2]), a));
        const double len = length(n);
        // A ray never hits a degenerate triangle (TriangleBvh.h).
        NSDF_ASSERT(len > 0, "render_depth_view: face {} was hit but has no normal", face[i]);
        const double sign = dot(n, rotate(pose, pixel_ray(camera, u, v))) > 0 ? -1.0 : 1.0;
        view.normals[out++] = {static_cast<float>(sign * n[0] / len),
                               static_cast<float>(sign * n[1] / len),
                               static_cast<float>(sign * n[2] / len)};
      }
    }
  });
  return view;
}

std::vector<DepthView> render_depth_views(const TriangleBvh& bvh,
                                          const std::vector<PinholeCamera>& cameras) {
  std::vector<DepthView> views;
  views.reserve(cameras.size());
  for (const PinholeCamera& camera : cameras) views.push_back(render_depth_view(bvh, camera));
  return views;
}

}  // namespace nsdf::geometry
