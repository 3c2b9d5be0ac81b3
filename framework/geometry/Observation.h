#pragma once
// What a sensor saw of one shape, for shape completion: one or more partial views (depth images
// back-projected, range scans, partial point clouds), each with normals when known and the
// camera centre when known, all in one frame (the observation's own units).
//
// prepare_observation() turns it into what completion optimizes on (DeepSDF, Park et al. 2019,
// Sec. 6.3): every observed point with a unit normal that faces its camera (estimated by PCA of
// the k nearest neighbours of the same view when the view has none; without a camera, oriented
// consistently and outward, estimate_normals) and the unit direction from the point towards its
// camera (zero without a camera). From these, SDF samples are drawn at +-eta along the normal
// (sdf = +-eta) and free-space samples on the segment between the point and the camera (the
// surface was the first thing the ray met, so everything before it is outside: sdf >= 0). Both
// kinds are positions p + delta * direction, so a similarity map (scale s > 0, translation t)
// into the shape space's frame moves them as x = s p + t + delta * direction, with delta in the
// shape space's units: directions do not change under it.

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "geometry/DepthViews.h"
#include "geometry/Mesh.h"

namespace nsdf::geometry {

/// One partial view.
struct ObservedView {
  std::vector<Vec3f> points;
  /// Empty (estimated by prepare_observation) or one unit normal per point.
  std::vector<Vec3f> normals;
  /// The camera centre in the observation's frame; free-space samples need it.
  std::optional<std::array<double, 3>> camera;
  /// Points known to be empty space: on the rays of pixels without a return (the silhouette
  /// constraint of a depth image; see background_points). Empty for scans.
  std::vector<Vec3f> free_points;
};

/// Views of one shape, in one frame.
struct Observation {
  std::vector<ObservedView> views;
  int64_t points() const;
};

/// The back-projected points of a depth image (back_project_depth) as a view with the camera's
/// centre and no normals. Throws DataError naming `what` for an invalid camera, a negative depth
/// (naming the pixel) or an image without any positive depth ("empty depth").
ObservedView view_from_depth(const std::vector<float>& depth, const PinholeCamera& camera,
                             const std::string& what);

/// `count` points on the rays of the pixels of `depth` without a return (0 or non-finite): if
/// the camera saw nothing there, those rays cross only empty space. Each is a random such pixel
/// (its centre) at a random depth in [d_min - m, d_max + m] (clamped to >= d_min / 2), where
/// d_min, d_max are the smallest and largest observed depths and m = (d_max - d_min) / 2: the
/// slab around the object where the silhouette matters. Seeded; empty when every pixel has a
/// return or none has.
std::vector<Vec3f> background_points(const std::vector<float>& depth, const PinholeCamera& camera,
                                     int64_t count, uint64_t seed);

/// Background points per depth view that the data sources give with each view.
constexpr int64_t kBackgroundPointsPerView = 20000;

/// Checks an observation: at least one view, every view with at least `min_points` points, all
/// finite, normals (when given) one per point, finite and non-zero, a finite camera. Throws
/// DataError naming `what` and the view.
void check_observation(const Observation& observation, const std::string& what,
                       int64_t min_points = 3);

/// The observed points with oriented unit normals and their directions to the camera.
struct PreparedObservation {
  std::vector<Vec3f> points;
  std::vector<Vec3f> normals;    ///< unit, facing the camera (outward without one)
  std::vector<Vec3f> to_camera;  ///< unit direction towards the point's camera, or (0, 0, 0)
  int64_t with_camera = 0;       ///< points whose view has a camera
  std::vector<Vec3f> free_points;  ///< every view's free_points
};

/// See above. `normal_neighbors`: k of the normal estimation (>= 3). Checks the observation
/// first (check_observation).
PreparedObservation prepare_observation(const Observation& observation, int normal_neighbors,
                                        const std::string& what);

}  // namespace nsdf::geometry
