#pragma once
// Points on a mesh surface and evenly spread subsets of point clouds: DeepSDF's area-weighted
// surface samples (near-surface SDF samples, the evaluation point sets for Chamfer distances),
// IGR's surface points with face normals, and blue-noise subsampling of dense clouds.
//
// Method: sample_surface picks a face with probability proportional to its area (binary search
// in the cumulative areas) and a point uniform within it by the square-root trick (Osada et al.
// 2002, "Shape distributions", Sec. 4.2): with u1, u2 uniform in [0, 1),
// p = (1 - sqrt(u1)) a + sqrt(u1) (1 - u2) b + sqrt(u1) u2 c.
// Random numbers come from a counter-based generator (SplitMix64 at position 3 i + j of a stream
// keyed by the seed), so sample i is the same whatever the thread count or n is, and the loop
// runs in parallel. poisson_disk_subsample throws darts: it visits the points in a random order
// drawn from the seed and keeps a point when no kept point lies within the radius, found through
// a uniform grid of cells of size radius (Bridson-style, on the given points instead of new
// ones). The result is a maximal radius-separated subset.

#include <cstdint>
#include <vector>

#include "geometry/Mesh.h"

namespace nsdf::geometry {

/// n points uniformly distributed on the surface of a triangle mesh, with face normals.
/// Faces of zero area (repeated or collinear vertices) never receive samples.
/// @param[in] mesh V #V by 3, F #F by 3 (indices in range, referenced vertices finite)
/// @param[in] n number of samples, >= 0 (ConfigError otherwise)
/// @param[in] seed the same seed gives the same samples, with any number of threads
/// @param[out] face_ids optional: #n index of the face each sample lies on
/// @return P n by 3 points and N n by 3 unit face normals (right-handed in F's vertex order,
///   i.e. outward for counter-clockwise faces). Throws DataError when the mesh has no face of
///   positive area, an index is out of range or a vertex is not finite.
PointCloud sample_surface(const Mesh& mesh, int64_t n, uint64_t seed,
                          std::vector<int32_t>* face_ids = nullptr);

/// A maximal subset of P in which no two points are closer than radius: a point is kept when
/// every previously kept point is at distance >= radius, visiting the points in a random order
/// drawn from the seed. Every point of P therefore lies within radius of a kept point.
/// Deterministic for a seed. Exact duplicates of a kept point are never kept.
/// @param[in] P #P by 3 finite points (DataError otherwise); an empty P gives an empty result
/// @param[in] radius minimum distance between kept points, finite and > 0 (ConfigError
///   otherwise; also when the cloud spans more than 2^21 radii along an axis)
/// @param[in] seed random visiting order
/// @return indices into P of the kept points, ascending
std::vector<int32_t> poisson_disk_subsample(const std::vector<Vec3f>& P, float radius,
                                            uint64_t seed);

}  // namespace nsdf::geometry
