#pragma once
// Virtual depth views: what a depth camera placed around a shape would see. Ray-cast depth
// images of a mesh from pinhole cameras on a sphere around the origin, back-projected to partial
// point clouds with normals, the inputs of reconstruction from partial scans (single- or
// few-view completion, as in DeepSDF's depth-image experiments and the "virtual scans" of
// shape-completion benchmarks).
//
// Camera model: a pinhole camera in the OpenCV convention, camera x right, y down, z forward
// (the viewing direction). Pixel (u, v) (column, row) covers [u, u + 1) x [v, v + 1) in pixel
// coordinates, its centre at (u + 0.5, v + 0.5); with intrinsics K = [fx 0 cx; 0 fy cy; 0 0 1]
// the pixel centre's ray in camera coordinates is
//   r(u, v) = ((u + 0.5 - cx) / fx, (v + 0.5 - cy) / fy, 1),
// and a depth d (the camera-space z of the surface point, not the distance along the ray) puts
// the point at p = R (d r(u, v)) + t in world coordinates, where [R | t] is the camera-to-world
// transform. Row 0 is the top of the image.
//
// Rendering casts the ray t -> position + t R r(u, v) through each pixel centre (one ray per
// pixel, no anti-aliasing) with TriangleBvh::intersect_all: since r has camera-space z = 1, the
// ray parameter of the first hit is its depth. Points are then computed from the stored float
// depths with the same formula back_project_depth uses, so back-projecting a rendered depth
// image gives back exactly the view's points. Normals are those of the hit faces (the mesh's
// winding gives no reliable side for open or badly oriented meshes), turned to face the camera,
// as a scanner estimates them. All arithmetic on cameras is in double; the results are stored in
// float. Deterministic: the same mesh and camera give the same bytes whatever the thread count.
//
// Placement: "fibonacci" spreads n cameras evenly over the sphere (the Fibonacci lattice,
// Gonzalez 2010, "Measurement of areas on a sphere using Fibonacci and latitude-longitude
// lattices": y_i = 1 - 2 (i + 0.5) / n, azimuth i * pi (3 - sqrt 5)); "random" draws them
// uniformly (y uniform in [-1, 1], azimuth uniform, Archimedes' hat-box theorem) from a
// counter-based generator keyed by the seed, so camera i is the same whatever the count.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "geometry/Mesh.h"
#include "geometry/TriangleBvh.h"

namespace nsdf::geometry {

/// A pinhole camera, OpenCV convention: camera x right, y down, z forward (the viewing
/// direction). Pixel (u, v) (column, row) has its centre at (u + 0.5, v + 0.5) in pixel
/// coordinates; intrinsics K = [fx 0 cx; 0 fy cy; 0 0 1].
/// A valid camera (checked by render_depth_view and back_project_depth, DataError otherwise)
/// has width and height in [1, 8192], finite fx, fy > 0, finite cx, cy, and a finite rigid
/// camera_to_world: last row exactly (0, 0, 0, 1), R orthonormal within 1e-5 with det(R) > 0.
struct PinholeCamera {
  int width = 0;
  int height = 0;
  double fx = 0;
  double fy = 0;
  double cx = 0;
  double cy = 0;
  /// Camera-to-world rigid transform, row-major 4 x 4 (last row 0 0 0 1): world = R cam + t.
  /// R's columns are the camera's x, y, z axes in world coordinates, t is its centre.
  std::array<double, 16> camera_to_world{};

  /// K, row-major 3 x 3.
  std::array<double, 9> intrinsics() const;
  /// The camera centre t in world coordinates.
  std::array<double, 3> position() const;
};

struct DepthViewOptions {
  /// Number of cameras, in [0, 1000000] (0: no views).
  int count = 4;
  /// Image size in pixels, each in [1, 8192].
  int width = 256;
  int height = 256;
  /// Vertical field of view in degrees, in (0, 180).
  double fov_degrees = 50;
  /// Distance of the camera centres from the origin, finite and > 0 (shapes are normalized into
  /// the unit sphere, so the default 2.5 sees all of one with the default field of view).
  double distance = 2.5;
  /// "fibonacci": evenly spread (Fibonacci lattice, deterministic, the seed is unused);
  /// "random": uniform on the sphere, drawn from `seed`.
  std::string placement = "fibonacci";
  uint64_t seed = 0;
};

/// A camera at `position` looking at the origin, world +y up: camera z = -position / |position|,
/// x = normalize(z x up) (to the right in the image), y = z x x (down in the image); up is +z
/// instead when z is within 1e-3 of +-y (the horizontal part of z is below 1e-3), where +y gives
/// no direction. Intrinsics fx = fy = (height / 2) / tan(fov / 2), cx = width / 2,
/// cy = height / 2 (the principal point at the image centre).
/// @param[in] position camera centre, finite and not the origin
/// @param[in] width, height image size in pixels, each in [1, 8192]
/// @param[in] fov_degrees vertical field of view, in (0, 180)
/// Throws ConfigError naming the value and its valid range.
PinholeCamera look_at_origin(const std::array<double, 3>& position, int width, int height,
                             double fov_degrees);

/// options.count cameras at options.distance from the origin, each looking at it (see
/// look_at_origin), placed as options.placement says. Throws ConfigError naming the option and
/// its valid range (or choices).
std::vector<PinholeCamera> cameras_on_sphere(const DepthViewOptions& options);

/// One rendered view.
struct DepthView {
  PinholeCamera camera;
  /// height x width, row-major (pixel (u, v) at v * width + u): the z-depth of the first surface
  /// point seen through the pixel centre, i.e. its camera-space z (not the ray length); 0 where
  /// the ray hits nothing.
  std::vector<float> depth;
  /// The back-projected partial point cloud in world coordinates, one point per pixel of
  /// positive depth, in row-major pixel order: back_project_depth(depth, camera).
  std::vector<Vec3f> points;
  /// One unit normal per point: the normal of the face hit, turned to face the camera
  /// (dot(n, camera position - p) > 0).
  std::vector<Vec3f> normals;
};

/// Renders the depth image of the mesh in `bvh` seen by `camera` and back-projects it (see
/// DepthView): one ray per pixel centre, through TriangleBvh::intersect_all (parallel), hits at
/// any t >= 0 (a camera inside a closed mesh sees its inside). The bvh alone suffices: face
/// normals come from its triangles().
/// Throws DataError for an invalid camera (see PinholeCamera).
DepthView render_depth_view(const TriangleBvh& bvh, const PinholeCamera& camera);

/// render_depth_view for each camera, in order.
std::vector<DepthView> render_depth_views(const TriangleBvh& bvh,
                                          const std::vector<PinholeCamera>& cameras);

/// Back-projects a depth image to world points, in row-major pixel order:
/// p = R (d ((u + 0.5 - cx) / fx, (v + 0.5 - cy) / fy, 1)) + t, computed in double.
/// @param[in] depth camera.height x camera.width z-depths, row-major; 0 or non-finite: no point
/// @param[in] camera a valid camera (see PinholeCamera)
/// @return one point per pixel of finite positive depth
/// Throws DataError when depth.size() != width * height, for a negative depth (naming the
/// pixel) or an invalid camera.
std::vector<Vec3f> back_project_depth(const std::vector<float>& depth, const PinholeCamera& camera);

}  // namespace nsdf::geometry
