#pragma once
// Normalization transforms: the uniform scaling plus translation that moves a shape into the
// unit sphere or cube before sampling and training, and back to original units for evaluation
// (DeepSDF and IGR report Chamfer distances in original units).
//
// Method: DeepSDF's convention, normalized = (original + offset) * scale, the transform
// DeepSdfFiles.h reads from and writes to NormalizationParameters npz files. Builders:
//   unit_sphere_normalization: DeepSDF's preprocessing (deep_sdf PreprocessMesh): offset = minus
//     the bounding box centre, scale = 1 / (buffer * largest distance of a vertex from that
//     centre), so the farthest vertex lands at 1 / buffer (1 / 1.03 by default).
//   bounding_box_normalization: bounding box centre to the origin, its longest side to [-1, 1].
//   mean_centering_normalization: IGR's D-Faust preprocessing, the mean point to the origin,
//     optionally scaled so the farthest point from the mean lands at 1.
// Computed in double; distances map back to original units by dividing by scale.

#include <array>
#include <vector>

#include "geometry/Mesh.h"

namespace nsdf::geometry {

/// How a shape was normalized: normalized = (original + offset) * scale, scale > 0.
struct Normalization {
  std::array<double, 3> offset{0, 0, 0};
  double scale = 1.0;
};

/// The normalized position of an original-space point, and back.
std::array<double, 3> normalize_point(const Normalization& n, const std::array<double, 3>& p);
std::array<double, 3> denormalize_point(const Normalization& n, const std::array<double, 3>& p);

/// DeepSDF's unit sphere normalization of vertices V.
/// @param[in] V #V by 3 (pass the vertices that faces reference when a mesh has unused ones)
/// @param[in] buffer > 0: the farthest vertex lands at distance 1 / buffer from the origin
/// Throws DataError when V is empty, holds a non-finite value or all vertices coincide;
/// ConfigError when buffer is not finite and > 0.
Normalization unit_sphere_normalization(const std::vector<Vec3f>& V, double buffer = 1.03);

/// DeepSDF's unit sphere normalization of a mesh, over the vertices some face uses (as DeepSDF
/// does: stray vertices do not move the box). Throws DataError also when an index is out of
/// range or no face exists.
Normalization unit_sphere_normalization(const Mesh& mesh, double buffer = 1.03);

/// Centre of the bounding box to the origin, its longest side to length 2 (so the box fits in
/// [-1, 1]^3, touching two opposite faces). Same errors as unit_sphere_normalization.
/// @param[in] V #V by 3
Normalization bounding_box_normalization(const std::vector<Vec3f>& V);

/// Mean of V to the origin (IGR); with scale_to_unit the farthest point from the mean lands at
/// distance 1, otherwise scale = 1. Throws DataError when V is empty or not finite, or when
/// scale_to_unit and all points coincide.
/// @param[in] V #V by 3
Normalization mean_centering_normalization(const std::vector<Vec3f>& V, bool scale_to_unit = false);

/// The transform undoing s, in the same convention: original = (normalized + o') * s' with
/// o' = -offset * scale and s' = 1 / scale.
Normalization inverse(const Normalization& s);

/// Applies s to every point (computed in double, stored as float). Throws DataError unless
/// s.scale is finite and > 0 and s.offset is finite (also for the functions below).
/// @param[in,out] P #P by 3
void normalize_points_in_place(const Normalization& s, std::vector<Vec3f>& P);
std::vector<Vec3f> normalize_points(const Normalization& s, const std::vector<Vec3f>& P);

/// Undoes s on every point: original = normalized / scale - offset.
/// @param[in,out] P #P by 3
void denormalize_points_in_place(const Normalization& s, std::vector<Vec3f>& P);
std::vector<Vec3f> denormalize_points(const Normalization& s, const std::vector<Vec3f>& P);

/// The mesh with s applied to / undone on its vertices; faces and normals are unchanged (a
/// positive uniform scale and a translation keep unit normals unit and pointing the same way).
Mesh normalize_mesh(const Normalization& s, const Mesh& mesh);
Mesh denormalize_mesh(const Normalization& s, const Mesh& mesh);

/// A distance (or signed distance) measured in original units, in normalized units, and back.
/// Squared distances (DeepSDF's Chamfer) scale by scale^2: apply twice.
double normalize_distance(const Normalization& s, double d);
double denormalize_distance(const Normalization& s, double d);

}  // namespace nsdf::geometry
