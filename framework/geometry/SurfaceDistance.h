#pragma once
// Distances between a reconstructed surface and a ground truth, the way the literature reports
// them. Everything derives from one set of nearest-neighbour queries in both directions between
// two point sets (points sampled on the meshes, or the given points), in the units of the inputs
// (evaluate in original units: denormalize first).
//
// With d_pg(p) = min_g ||p - g|| for predicted points p, and d_gp(g) = min_p ||g - p||:
//   chamfer_l1      = (mean d_pg + mean d_gp) / 2            IGR, DiGS, SIREN ("d_C")
//   chamfer_l2      = mean d_pg^2 + mean d_gp^2              DeepSDF's evaluate.py
//   pred_to_gt      = mean d_pg  (accuracy);  gt_to_pred = mean d_gp  (completeness; IGR's
//                     one-sided "d->" column from the input scan is gt_to_pred with the scan as gt)
//   hausdorff       = max(max d_pg, max d_gp); hausdorff_pred_to_gt / _gt_to_pred the one-sided maxima
//   normal_consistency = (mean_p |n_p . n_g(p)| + mean_g |n_g . n_p(g)|) / 2, unit normals, the
//                     nearest point's normal (Occupancy Networks); needs normals on both sides
//   fscore(tau)     = 2 P R / (P + R), precision P = fraction of d_pg < tau, recall R = fraction
//                     of d_gp < tau (Tatarchenko et al. 2019)

#include <cstdint>
#include <optional>
#include <vector>

#include "geometry/Mesh.h"

namespace nsdf::geometry {

/// The nearest neighbour of every point of one set in the other, both ways.
struct SurfaceMatch {
  std::vector<float> pred_to_gt;  // #pred distances (not squared)
  std::vector<float> gt_to_pred;  // #gt distances
  std::vector<int32_t> pred_nn;   // #pred index of the nearest gt point
  std::vector<int32_t> gt_nn;     // #gt index of the nearest predicted point
};

/// Queries each set against the other (two KD-trees, parallel batches).
/// @param[in] pred, gt point sets with at least one point each (DataError otherwise)
SurfaceMatch match_surfaces(const std::vector<Vec3f>& pred, const std::vector<Vec3f>& gt);

struct SurfaceMetrics {
  double chamfer_l1 = 0, chamfer_l2 = 0;
  double pred_to_gt = 0, gt_to_pred = 0;
  double hausdorff = 0, hausdorff_pred_to_gt = 0, hausdorff_gt_to_pred = 0;
  std::optional<double> normal_consistency;  // when both sides have normals
  double fscore = 0, precision = 0, recall = 0, tau = 0;
};

/// Every metric above from one match. `tau` is the F-score threshold in input units.
SurfaceMetrics surface_metrics(const PointCloud& pred, const PointCloud& gt,
                               const SurfaceMatch& match, double tau);

/// The points a metric is computed on: `n` area-weighted samples of a mesh with faces (face
/// normals), or a point cloud as it is (all its points; subsampled to n without replacement,
/// deterministically, when it has more than n and n > 0).
PointCloud evaluation_points(const Mesh& mesh, int64_t n, uint64_t seed);

/// The one-sided distance from input points to a mesh (IGR's d->: how far the observed or input
/// points lie from the surface made of them), measured to `mesh_points` area-weighted samples
/// of the mesh (seeded): mean and max over the points.
struct PointsToSurface {
  double mean = 0, max = 0;
};
PointsToSurface points_to_surface(const Mesh& mesh, const std::vector<Vec3f>& points,
                                  int64_t mesh_points, uint64_t seed);

/// Length of the diagonal of the bounding box of P.
double bounding_box_diagonal(const std::vector<Vec3f>& P);

}  // namespace nsdf::geometry
