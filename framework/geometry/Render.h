#pragma once
// Pictures of meshes and point clouds without a GPU or OpenGL: a z-buffer rasterizer on the
// CPU, for the README's results, run reports and `nsdf render`. Deterministic: the same inputs
// and options give the same bytes, whatever the number of threads.
//
// Camera: y is up. The camera looks at the centre of the bounding box of everything drawn, from
// the direction (sin(az) cos(el), sin(el), cos(az) cos(el)): azimuth 0, elevation 0 looks down
// -z at the +z side; positive azimuth turns towards +x, positive elevation looks from above.
// Perspective (vertical field of view `fov`) or orthographic. The object is framed to fit: the
// scale is the largest (orthographic), or the camera the nearest (perspective), for which the
// projected outline of all vertices fits inside the frame shrunk by `margin` on each side, and
// the image is shifted so that outline is centred (for perspective a lens shift: the camera
// still looks along the direction above). The outline then touches the inner border on two
// opposite sides.
//
// Shading: one colour per face (flat), Lambert with a head light (along the view direction, so
// nothing the camera sees is black), a soft key light from the upper left (wrapped Lambert,
// which gives the shape), and ambient light, computed in linear light and written as sRGB.
// Faces are two-sided: a face seen from behind is lit as if its normal were flipped. Points
// (a Mesh without faces, or a PointCloud) are drawn as small discs shaded like spheres,
// coloured by normal ((n + 1) / 2, in world coordinates) or by depth (a yellow-to-purple ramp,
// near to far) or in the base colour. Anti-aliasing: supersample x supersample samples per
// pixel, averaged in linear light.
//
// Several panels side by side share one camera and one framing (of all panels together), so
// "input points | reconstruction" line up pixel for pixel.

#include <array>
#include <optional>
#include <vector>

#include "geometry/Image.h"
#include "geometry/Mesh.h"

namespace nsdf::geometry {

/// A colour with components in [0, 1], in sRGB (as it appears in the image).
using Rgb = std::array<float, 3>;

enum class Projection { Perspective, Orthographic };

/// White, or a light grey and white checkerboard (16-pixel squares) as image editors show
/// transparency.
enum class Background { White, Checker };

/// How points are coloured: Auto is Normal when the points have normals, Depth otherwise.
enum class PointColoring { Auto, Normal, Depth, Base };

struct RenderOptions {
  /// Size of one panel in pixels, each in [1, 16384].
  int width = 800;
  int height = 800;
  /// Viewing direction in degrees (see the camera above); finite.
  double azimuth = 30;
  double elevation = 20;
  Projection projection = Projection::Perspective;
  /// Vertical field of view in degrees for Perspective, in (0, 170).
  double fov = 30;
  /// Empty border on each side, as a fraction of the panel's half size, in [0, 0.9]: the
  /// object's outline spans (1 - margin) of the panel's width or height.
  double margin = 0.05;
  /// Colour of faces (and of points with PointColoring::Base) of items without their own.
  Rgb base_color = {0.66f, 0.74f, 0.86f};
  Background background = Background::White;
  /// Samples per pixel along each axis, in [1, 8].
  int supersample = 2;
  PointColoring point_coloring = PointColoring::Auto;
  /// Point radius in pixels; 0 picks one from the number of points (denser clouds get smaller
  /// discs, so a surface sampled with N points looks closed but not blobby).
  double point_radius = 0;
};

/// One thing to draw, not owned: the geometry must outlive the render call. A mesh with faces is
/// drawn as triangles; a mesh without faces (its V and N) or a point cloud as points.
struct RenderItem {
  // Implicit so that panels read as {{mesh}, {cloud}} — an item is just a view of its geometry.
  RenderItem(const Mesh& mesh, std::optional<Rgb> color = std::nullopt)  // NOLINT
      : V(&mesh.V), F(&mesh.F), N(&mesh.N), color(color) {}
  RenderItem(const PointCloud& cloud, std::optional<Rgb> color = std::nullopt)  // NOLINT
      : V(&cloud.P), F(nullptr), N(&cloud.N), color(color) {}

  const std::vector<Vec3f>* V;
  /// nullptr for a point cloud.
  const std::vector<Tri>* F;
  /// Normals: empty or one per vertex (used for points only).
  const std::vector<Vec3f>* N;
  /// Base colour of this item; RenderOptions::base_color when unset.
  std::optional<Rgb> color;
};

/// Items drawn together into one picture (one z-buffer).
using RenderPanel = std::vector<RenderItem>;

/// Renders `panels` side by side, left to right, into one image of panels.size() * width by
/// height pixels, every panel with the same camera, framed to fit all panels' geometry
/// together.
/// Throws ConfigError for options out of range, DataError when there is nothing to draw (no
/// panel, or no vertex in any item), for a non-finite coordinate or a face index out of range.
Image render_panels(const std::vector<RenderPanel>& panels, const RenderOptions& options = {});

/// A turntable: `frames` pictures of `panels` (each as render_panels draws them), the camera
/// turned by 360 / frames degrees of azimuth from one to the next, starting at
/// options.azimuth. All frames share one scale, the largest that fits every frame, so the
/// object does not grow and shrink as it turns. ConfigError for frames outside [1, 3600].
std::vector<Image> render_turntable(const std::vector<RenderPanel>& panels,
                                    const RenderOptions& options, int frames);

/// One mesh (or, without faces, its vertices as points).
Image render(const Mesh& mesh, const RenderOptions& options = {});
/// One point cloud.
Image render(const PointCloud& cloud, const RenderOptions& options = {});

}  // namespace nsdf::geometry
