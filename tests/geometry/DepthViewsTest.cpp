#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "TestMeshes.h"
#include "core/Error.h"
#include "geometry/DepthViews.h"
#include "geometry/TriangleBvh.h"

namespace nsdf::geometry {
namespace {

using Vec3d = std::array<double, 3>;

constexpr double kR = 0.5;     // sphere radius
constexpr int kLevels = 5;     // icosphere subdivisions: 20480 faces
constexpr double kEps = 1e-5;  // float rounding of coordinates near 1

double dot(const Vec3d& a, const Vec3d& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
double norm(const Vec3d& a) { return std::sqrt(dot(a, a)); }
Vec3d d3(const Vec3f& a) { return {a[0], a[1], a[2]}; }
Vec3d column(const PinholeCamera& c, int j) {
  return {c.camera_to_world[j], c.camera_to_world[4 + j], c.camera_to_world[8 + j]};
}

// The icosphere lies between the sphere of radius r and the sphere touching its nearest face
// plane: every surface point p has r_min <= |p| <= r. r - r_min is its tessellation error.
double inner_radius(const Mesh& m) {
  double r_min = std::numeric_limits<double>::infinity();
  for (const Tri& f : m.F) {
    const Vec3d a = d3(m.V[f[0]]), b = d3(m.V[f[1]]), c = d3(m.V[f[2]]);
    const Vec3d e1 = {b[0] - a[0], b[1] - a[1], b[2] - a[2]};
    const Vec3d e2 = {c[0] - a[0], c[1] - a[1], c[2] - a[2]};
    const Vec3d n = {e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2],
                     e1[0] * e2[1] - e1[1] * e2[0]};
    r_min = std::min(r_min, std::abs(dot(n, a)) / norm(n));
  }
  return r_min;
}

struct Sphere {
  Mesh mesh = test_meshes::icosphere(kR, kLevels);
  TriangleBvh bvh{mesh};
  double r_min = inner_radius(mesh);
};

const Sphere& sphere() {
  static const Sphere s;
  return s;
}

DepthViewOptions small_views(int count) {
  DepthViewOptions o;
  o.count = count;
  o.width = 65;  // odd: the centre pixel's ray is the optical axis
  o.height = 65;
  return o;
}

// Distance from the origin to the line through pixel (u, v)'s centre.
double ray_distance_to_origin(const PinholeCamera& c, int u, int v) {
  const Vec3d r = {(u + 0.5 - c.cx) / c.fx, (v + 0.5 - c.cy) / c.fy, 1.0};
  const Vec3d x = column(c, 0), y = column(c, 1), z = column(c, 2), o = c.position();
  Vec3d d;
  for (int k = 0; k < 3; ++k) d[k] = r[0] * x[k] + r[1] * y[k] + r[2] * z[k];
  const double along = dot(o, d) / dot(d, d);
  return norm({o[0] - along * d[0], o[1] - along * d[1], o[2] - along * d[2]});
}

TEST(DepthViews, SphereDepthMatchesAnalytic) {
  const Sphere& s = sphere();
  ASSERT_LT(kR - s.r_min, 1e-3);  // fine enough for the tolerances below to mean something
  for (const PinholeCamera& camera : cameras_on_sphere(small_views(3))) {
    const DepthView view = render_depth_view(s.bvh, camera);
    ASSERT_EQ(view.depth.size(), 65u * 65u);
    // The centre ray goes through the origin: it meets the surface at |p| in [r_min, r].
    const float centre = view.depth[32 * 65 + 32];
    EXPECT_LE(centre, 2.5 - s.r_min + kEps);
    EXPECT_GE(centre, 2.5 - kR - kEps);
    EXPECT_NEAR(centre, 2.5 - kR, kR - s.r_min + kEps);
  }
}

TEST(DepthViews, PointsLieOnTheSphereWithNormalsFacingTheCamera) {
  const Sphere& s = sphere();
  for (const PinholeCamera& camera : cameras_on_sphere(small_views(4))) {
    const DepthView view = render_depth_view(s.bvh, camera);
    ASSERT_FALSE(view.points.empty());
    ASSERT_EQ(view.normals.size(), view.points.size());
    const Vec3d eye = camera.position();
    for (size_t i = 0; i < view.points.size(); ++i) {
      const Vec3d p = d3(view.points[i]), n = d3(view.normals[i]);
      EXPECT_GE(norm(p), s.r_min - kEps);
      EXPECT_LE(norm(p), kR + kEps);
      EXPECT_NEAR(norm(n), 1.0, 1e-6);
      EXPECT_GT(dot(n, {eye[0] - p[0], eye[1] - p[1], eye[2] - p[2]}), 0);
      // Seen from outside, the face turned to the camera is the outward one: nearly radial.
      EXPECT_GT(dot(n, p) / norm(p), 0.99);
    }
  }
}

TEST(DepthViews, MissedPixelsHaveZeroDepthAndNoPoint) {
  // The one Fibonacci camera sits at (2.5, 0, 0), on the mesh's symmetry plane y = 0: the rays
  // of the middle row lie in that plane, along mesh edges and box faces, and must still hit.
  const Sphere& s = sphere();
  const PinholeCamera camera = cameras_on_sphere(small_views(1))[0];
  const DepthView view = render_depth_view(s.bvh, camera);
  size_t hits = 0, misses = 0;
  for (int v = 0; v < camera.height; ++v)
    for (int u = 0; u < camera.width; ++u) {
      const float d = view.depth[static_cast<size_t>(v) * camera.width + u];
      const double miss = ray_distance_to_origin(camera, u, v);
      if (miss > kR + kEps) {
        EXPECT_EQ(d, 0.0f) << "pixel " << u << ", " << v;
        ++misses;
      } else if (miss < s.r_min - kEps) {
        EXPECT_GT(d, 0.0f) << "pixel " << u << ", " << v;
      }
      hits += d > 0 ? 1 : 0;
    }
  EXPECT_GT(misses, 0u);  // the sphere fills only part of the image
  EXPECT_GT(hits, 0u);
  EXPECT_EQ(view.points.size(), hits);
  EXPECT_EQ(view.normals.size(), hits);
}

TEST(DepthViews, DepthIsAlongTheViewingAxisNotTheRayLength) {
  // A cube face seen head-on: every pixel on it has the same z-depth, though the rays to its
  // corners are longer than the one to its centre.
  const Mesh box = test_meshes::box_mesh({0.5f, 0.5f, 0.5f}, 2);
  const TriangleBvh bvh(box);
  const PinholeCamera camera = look_at_origin({0, 0, 2.5}, 33, 33, 30);
  const DepthView view = render_depth_view(bvh, camera);
  size_t hits = 0;
  for (float d : view.depth)
    if (d > 0) {
      EXPECT_NEAR(d, 2.0, 1e-6);
      ++hits;
    }
  EXPECT_GT(hits, 100u);
  for (size_t i = 0; i < view.points.size(); ++i) {
    EXPECT_NEAR(view.points[i][2], 0.5, 1e-6);
    EXPECT_EQ(view.normals[i], (Vec3f{0, 0, 1}));
  }
}

TEST(DepthViews, ImageRowsGoDownAndColumnsGoRight) {
  // From +z looking at the origin with +y up, +x is to the right and +y at the top (row 0).
  Mesh ball = test_meshes::icosphere(0.2, 2);
  for (Vec3f& p : ball.V) {
    p[0] += 0.5f;
    p[1] += 0.5f;
  }
  const TriangleBvh bvh(ball);
  const PinholeCamera camera = look_at_origin({0, 0, 2.5}, 64, 64, 50);
  const DepthView view = render_depth_view(bvh, camera);
  ASSERT_FALSE(view.points.empty());
  for (int v = 0; v < 64; ++v)
    for (int u = 0; u < 64; ++u)
      if (view.depth[static_cast<size_t>(v) * 64 + u] > 0) {
        EXPECT_GE(u, 32);
        EXPECT_LT(v, 32);
      }
}

TEST(DepthViews, BackProjectingTheDepthGivesThePointsExactly) {
  const Sphere& s = sphere();
  DepthViewOptions o = small_views(3);
  o.placement = "random";
  o.seed = 7;
  for (const DepthView& view : render_depth_views(s.bvh, cameras_on_sphere(o)))
    EXPECT_EQ(back_project_depth(view.depth, view.camera), view.points);
}

TEST(DepthViews, BackProjectionFollowsThePinholeFormula) {
  PinholeCamera camera = look_at_origin({1, 2, 2}, 4, 3, 60);
  std::vector<float> depth(12, 0.0f);
  depth[1 * 4 + 2] = 1.5f;                                     // u = 2, v = 1
  depth[2 * 4 + 0] = std::numeric_limits<float>::quiet_NaN();  // no point
  depth[0] = std::numeric_limits<float>::infinity();           // no point
  const std::vector<Vec3f> points = back_project_depth(depth, camera);
  ASSERT_EQ(points.size(), 1u);
  const Vec3d r = {(2.5 - camera.cx) / camera.fx, (1.5 - camera.cy) / camera.fy, 1.0};
  const Vec3d x = column(camera, 0), y = column(camera, 1), z = column(camera, 2);
  const Vec3d t = camera.position();
  for (int k = 0; k < 3; ++k)
    EXPECT_NEAR(points[0][k], 1.5 * (r[0] * x[k] + r[1] * y[k] + r[2] * z[k]) + t[k], 1e-6);
}

TEST(DepthViews, CamerasLookAtTheOriginWithARotation) {
  DepthViewOptions random = small_views(20);
  random.placement = "random";
  random.seed = 3;
  std::vector<PinholeCamera> cameras = cameras_on_sphere(small_views(20));
  for (const PinholeCamera& c : cameras_on_sphere(random)) cameras.push_back(c);
  cameras.push_back(look_at_origin({0, 3, 0}, 8, 8, 40));      // straight down: up is +z
  cameras.push_back(look_at_origin({0, -3, 1e-4}, 8, 8, 40));  // within 1e-3 of -y
  for (const PinholeCamera& c : cameras) {
    const Vec3d p = c.position(), x = column(c, 0), y = column(c, 1), z = column(c, 2);
    for (int k = 0; k < 3; ++k) EXPECT_NEAR(z[k], -p[k] / norm(p), 1e-12);
    EXPECT_NEAR(dot(x, x), 1, 1e-12);
    EXPECT_NEAR(dot(y, y), 1, 1e-12);
    EXPECT_NEAR(dot(z, z), 1, 1e-12);
    EXPECT_NEAR(dot(x, y), 0, 1e-12);
    EXPECT_NEAR(dot(x, z), 0, 1e-12);
    EXPECT_NEAR(dot(y, z), 0, 1e-12);
    const double det = x[0] * (y[1] * z[2] - y[2] * z[1]) - x[1] * (y[0] * z[2] - y[2] * z[0]) +
                       x[2] * (y[0] * z[1] - y[1] * z[0]);
    EXPECT_NEAR(det, 1, 1e-12);
    // World +y is up: image x stays horizontal and image y (down) points to -y.
    if (std::hypot(z[0], z[2]) >= 1e-3) {
      EXPECT_NEAR(x[1], 0, 1e-12);
      EXPECT_LT(y[1], 0);
    }
    EXPECT_EQ(c.camera_to_world[12], 0);
    EXPECT_EQ(c.camera_to_world[13], 0);
    EXPECT_EQ(c.camera_to_world[14], 0);
    EXPECT_EQ(c.camera_to_world[15], 1);
  }
  const PinholeCamera pole = look_at_origin({0, 3, 0}, 8, 8, 40);
  EXPECT_EQ(column(pole, 2), (Vec3d{0, -1, 0}));
}

TEST(DepthViews, FibonacciCamerasAreSpreadAtTheDistance) {
  DepthViewOptions o = small_views(12);
  o.distance = 3.25;
  const std::vector<PinholeCamera> cameras = cameras_on_sphere(o);
  ASSERT_EQ(cameras.size(), 12u);
  for (size_t i = 0; i < cameras.size(); ++i) {
    EXPECT_NEAR(norm(cameras[i].position()), 3.25, 1e-12);
    for (size_t j = 0; j < i; ++j) {
      const Vec3d a = cameras[i].position(), b = cameras[j].position();
      // 12 evenly spread points on a sphere of radius 3.25 are far apart (> 1 here).
      EXPECT_GT(norm({a[0] - b[0], a[1] - b[1], a[2] - b[2]}), 1.0) << i << ", " << j;
    }
  }
  EXPECT_TRUE(cameras_on_sphere(small_views(0)).empty());
  EXPECT_EQ(cameras_on_sphere(small_views(1)).size(), 1u);
}

TEST(DepthViews, RandomPlacementIsDeterministicPerSeed) {
  DepthViewOptions o = small_views(8);
  o.placement = "random";
  o.seed = 11;
  const std::vector<PinholeCamera> a = cameras_on_sphere(o), b = cameras_on_sphere(o);
  o.count = 3;
  const std::vector<PinholeCamera> prefix = cameras_on_sphere(o);
  o.count = 8;
  o.seed = 12;
  const std::vector<PinholeCamera> other = cameras_on_sphere(o);
  ASSERT_EQ(a.size(), 8u);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].camera_to_world, b[i].camera_to_world);
    EXPECT_NE(a[i].camera_to_world, other[i].camera_to_world);
    EXPECT_NEAR(norm(a[i].position()), 2.5, 1e-12);
  }
  for (size_t i = 0; i < prefix.size(); ++i)
    EXPECT_EQ(prefix[i].camera_to_world, a[i].camera_to_world);  // camera i ignores the count
}

TEST(DepthViews, IntrinsicsFollowTheFieldOfView) {
  DepthViewOptions o;
  o.count = 1;
  o.width = 80;
  o.height = 64;
  o.fov_degrees = 50;
  const PinholeCamera c = cameras_on_sphere(o)[0];
  const double f = 32.0 / std::tan(25.0 * 3.14159265358979323846 / 180.0);
  EXPECT_NEAR(c.fx, f, 1e-12);
  EXPECT_NEAR(c.fy, f, 1e-12);
  EXPECT_EQ(c.cx, 40.0);
  EXPECT_EQ(c.cy, 32.0);
  EXPECT_EQ(c.width, 80);
  EXPECT_EQ(c.height, 64);
  const std::array<double, 9> K = c.intrinsics();
  EXPECT_EQ(K, (std::array<double, 9>{c.fx, 0, 40, 0, c.fy, 32, 0, 0, 1}));
}

TEST(DepthViews, InvalidOptionsThrowConfigError) {
  auto with = [](auto change) {
    DepthViewOptions o;
    change(o);
    return o;
  };
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  EXPECT_THROW(cameras_on_sphere(with([](auto& o) { o.count = -1; })), core::ConfigError);
  EXPECT_THROW(cameras_on_sphere(with([](auto& o) { o.width = 0; })), core::ConfigError);
  EXPECT_THROW(cameras_on_sphere(with([](auto& o) { o.height = 8193; })), core::ConfigError);
  EXPECT_THROW(cameras_on_sphere(with([](auto& o) { o.fov_degrees = 0; })), core::ConfigError);
  EXPECT_THROW(cameras_on_sphere(with([](auto& o) { o.fov_degrees = 180; })), core::ConfigError);
  EXPECT_THROW(cameras_on_sphere(with([&](auto& o) { o.fov_degrees = nan; })), core::ConfigError);
  EXPECT_THROW(cameras_on_sphere(with([](auto& o) { o.distance = 0; })), core::ConfigError);
  EXPECT_THROW(cameras_on_sphere(with([&](auto& o) { o.distance = inf; })), core::ConfigError);
  EXPECT_THROW(cameras_on_sphere(with([](auto& o) { o.placement = "grid"; })), core::ConfigError);
  EXPECT_THROW(look_at_origin({0, 0, 0}, 8, 8, 40), core::ConfigError);
  try {
    cameras_on_sphere(with([](auto& o) { o.fov_degrees = 200; }));
    FAIL() << "no error";
  } catch (const core::ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), "cameras_on_sphere: fov_degrees = 200 must be in (0, 180)");
  }
  try {
    cameras_on_sphere(with([](auto& o) { o.placement = "grid"; }));
    FAIL() << "no error";
  } catch (const core::ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              "cameras_on_sphere: placement = 'grid' is not one of 'fibonacci', 'random'");
  }
}

TEST(DepthViews, BadDepthOrCameraThrowsDataError) {
  const PinholeCamera camera = look_at_origin({0, 0, 2}, 4, 3, 60);
  try {
    back_project_depth(std::vector<float>(11, 1.0f), camera);
    FAIL() << "no error";
  } catch (const core::DataError& e) {
    EXPECT_EQ(std::string(e.what()),
              "back_project_depth: 11 depth values for a 4 x 3 camera (width x height), "
              "expected 12");
  }
  std::vector<float> negative(12, 1.0f);
  negative[6] = -1.0f;
  try {
    back_project_depth(negative, camera);
    FAIL() << "no error";
  } catch (const core::DataError& e) {
    EXPECT_EQ(std::string(e.what()),
              "back_project_depth: pixel (u = 2, v = 1) has depth -1; depths must be >= 0 (0: "
              "no surface)");
  }
  const TriangleBvh& bvh = sphere().bvh;
  PinholeCamera bad = camera;
  bad.width = 0;
  EXPECT_THROW(render_depth_view(bvh, bad), core::DataError);
  bad = camera;
  bad.fx = 0;
  EXPECT_THROW(render_depth_view(bvh, bad), core::DataError);
  bad = camera;
  bad.camera_to_world[0] = 2;  // scaled, not a rotation
  EXPECT_THROW(render_depth_view(bvh, bad), core::DataError);
  bad = camera;
  for (int i = 0; i < 3; ++i) bad.camera_to_world[4 * i] *= -1;  // a reflection: det -1
  EXPECT_THROW(back_project_depth(std::vector<float>(12, 0.0f), bad), core::DataError);
  bad = camera;
  bad.camera_to_world[15] = 2;
  EXPECT_THROW(back_project_depth(std::vector<float>(12, 0.0f), bad), core::DataError);
}

}  // namespace
}  // namespace nsdf::geometry
