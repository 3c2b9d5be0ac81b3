#pragma once
// Per-mesh sampling protocol: what `nsdf preprocess` computes for one shape. DeepSDF's recipe
// (Park et al. 2019, deep_sdf PreprocessMesh) by default, without OpenGL:
//  1. Normalize to the unit sphere with a 1.03 buffer (centre of the bounding box to the origin,
//     farthest vertex at 1 / 1.03); the parameters are kept.
//  2. `samples` SDF samples: (1 - uniform_fraction) of them near the surface, area-weighted
//     surface points each perturbed once per variance with Gaussian noise of that variance
//     (DeepSDF: 0.005 and 0.0005, equal parts), the rest uniform in the cube [-1, 1]^3.
//  3. Signed distances: exact unsigned distance through the BVH; the sign from the generalized
//     winding number (fast hierarchical approximation) of the consistently reoriented faces, or
//     ray-parity voting (see geometry/SignedDistance.h). DeepSDF instead votes with the normals
//     of points visible from 100 rendered views, which fails on interior faces and needs a GPU.
//  4. `surface_points` points on the surface with their face normals, in original units, for
//     evaluation (DeepSDF: 30k).
//  5. Virtual depth views from cameras on a sphere around the normalized shape, back-projected to
//     partial point clouds with normals (shape completion inputs).
// Random numbers come from one seed per shape, so a shape gets the same samples in any run,
// with any thread count, whichever shapes are processed beside it.

#include <cstdint>
#include <string>
#include <vector>

#include "geometry/DepthViews.h"
#include "geometry/Mesh.h"
#include "geometry/SignedDistance.h"
#include "preprocessing/SampleFile.h"

namespace nsdf::preprocessing {

struct SamplingOptions {
  /// Total SDF samples per shape (near-surface + uniform), >= 1.
  int64_t samples = 500000;
  /// Variances of the near-surface perturbations, equal parts; each > 0, at least one.
  std::vector<double> variances = {0.005, 0.0005};
  /// Fraction of samples uniform in [-1, 1]^3, in [0, 1].
  double uniform_fraction = 0.06;
  /// Normalization buffer: the farthest vertex lands at 1 / buffer, > 0.
  double buffer = 1.03;
  /// Evaluation points on the surface, in original units, >= 0.
  int64_t surface_points = 30000;
  /// Sign method, winding-number accuracy, orientation (see SignedDistance.h).
  geometry::SignedDistanceOptions sign;
  /// Depth views (count 0: none).
  geometry::DepthViewOptions views;
};

/// DeepSDF's test-time protocol (reconstruct.py's inputs): 250k samples with variances 0.05 and
/// 0.0005, the rest as `train`.
SamplingOptions deepsdf_test_preset();

/// A per-shape seed from the run's seed and the shape's id (FNV-1a of the id, mixed).
uint64_t shape_seed(uint64_t seed, const std::string& id);

/// Runs the protocol on one mesh (parallel inside: TBB). The record's id and source fields are
/// left for the caller. Throws DataError naming `name` when the mesh cannot be sampled (no face,
/// no face of positive area, all vertices at one point, non-finite vertices), ConfigError for
/// bad options.
/// @param[in] mesh V #V by 3, F #F by 3, in original units
ShapeRecord sample_shape(const geometry::Mesh& mesh, const SamplingOptions& options,
                         uint64_t seed, const std::string& name);

/// Throws ConfigError naming the option when `options` are out of range.
void check_sampling_options(const SamplingOptions& options);

}  // namespace nsdf::preprocessing
