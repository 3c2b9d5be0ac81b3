#pragma once
// Normals of a point cloud: estimation by local PCA and consistent orientation, for clouds
// without normals (scans) before IGR/SIREN-style training with a normal term.
//
// Method (Hoppe et al. 1992, "Surface reconstruction from unorganized points"): the normal of a
// point is the eigenvector of the smallest eigenvalue of the covariance of its k nearest
// neighbours (the point itself included), found with a cyclic Jacobi eigen solver in double.
// Orientation propagates along a minimum spanning tree of the symmetrized k-NN graph whose edges
// weigh 1 - |n_i . n_j|, so that signs travel first across nearly parallel normals; a child's
// normal is flipped when it disagrees with its parent's. Every connected component of the graph
// is seeded at its point of largest z (lowest index on ties), whose normal is made to point to
// +z: outward for a closed surface, whose highest point has the outward normal +z. Then the
// component's sign is checked against its outward flux, sum_i n_i . (p_i - c) over its points
// with c their centroid: for a closed surface it approximates 3 * volume * density > 0 whatever
// the shape (divergence theorem), and it is positive for outward normals of a convex patch, so
// when it is decisively negative (below -5% of sum_i |n_i . (p_i - c)|) the whole component
// flips. This fixes components whose top is not a top of the surface (a patch cut off by a
// sampling hole) or whose top normal is poor (a noisy tip); a nearly flat open patch keeps +z.
// Exact duplicate points are merged before all of this, so they get the same normal and do not
// crowd real neighbours out of a neighbourhood. A degenerate neighbourhood (collinear points)
// gets some unit normal perpendicular to its line, never NaN. Everything is deterministic and
// independent of the number of threads.
//
// Limits: k-NN components are oriented independently (never across gaps between them, so that
// separate objects are each outward), so a non-convex piece of a surface cut off by sampling
// holes may come out inward; thin structures whose two sides are nearer than the
// neighbourhood size cannot be oriented by propagation.

#include <array>
#include <vector>

#include "geometry/Mesh.h"

namespace nsdf::geometry {

/// Eigen decomposition of a real symmetric 3x3 matrix.
struct SymmetricEigen3 {
  std::array<double, 3> values{0, 0, 0};  ///< ascending
  /// vectors[i] is the unit eigenvector of values[i]; the three are orthonormal.
  std::array<std::array<double, 3>, 3> vectors{};
};

/// Eigenvalues and eigenvectors of the symmetric matrix A (only the upper triangle is read), by
/// cyclic Jacobi rotations to machine precision. Repeated and zero eigenvalues are fine.
SymmetricEigen3 symmetric_eigen3(const std::array<std::array<double, 3>, 3>& A);

/// Unit normals by PCA of the k nearest neighbours, consistently oriented outward (see above).
/// @param[in] P #P by 3 finite points
/// @param[in] k neighbourhood size including the point itself, 3 <= k <= number of distinct
///   points. Throws ConfigError when k < 3, DataError when the cloud has fewer than k (distinct)
///   points, is empty or holds a non-finite coordinate.
/// @return #P by 3 unit normals
std::vector<Vec3f> estimate_normals(const std::vector<Vec3f>& P, int k = 16);

/// Unit normals by PCA of the k nearest neighbours, each with an arbitrary sign.
/// Same parameters and errors as estimate_normals.
std::vector<Vec3f> estimate_unoriented_normals(const std::vector<Vec3f>& P, int k = 16);

/// Flips normals so that they agree along the k-NN graph, each component oriented outward as
/// described above (the orientation step of estimate_normals). Normals need not
/// be unit; their lengths are kept. Duplicated points end up with the orientation of the first
/// occurrence's normal.
/// @param[in] P #P by 3 finite points
/// @param[in,out] N #P by 3 normals
/// @param[in] k graph neighbours including the point itself, 2 <= k <= distinct points
void orient_normals_consistently(const std::vector<Vec3f>& P, std::vector<Vec3f>& N, int k = 16);

/// Flips each normal to face the viewpoint: afterwards dot(N[i], viewpoint - P[i]) >= 0.
/// For a scan, the sensor position; for a star-shaped closed surface, use
/// orient_normals_away_from with its centre instead.
/// @param[in] P #P by 3
/// @param[in,out] N #P by 3
void orient_normals_towards(const std::vector<Vec3f>& P, std::vector<Vec3f>& N,
                            const Vec3f& viewpoint);

/// Flips each normal to face away from a point: afterwards dot(N[i], P[i] - center) >= 0.
/// @param[in] P #P by 3
/// @param[in,out] N #P by 3
void orient_normals_away_from(const std::vector<Vec3f>& P, std::vector<Vec3f>& N,
                              const Vec3f& center);

}  // namespace nsdf::geometry
