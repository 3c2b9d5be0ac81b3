#pragma once
// Extracting the zero level set of a field that is expensive to query (a neural SDF) without
// evaluating the whole grid: coarse-to-fine refinement of the cells that can hold the surface,
// then marching cubes on the active cells of the final grid.
//
// Method: the multiresolution iso-surface extraction (MISE) of Occupancy Networks (Mescheder et
// al. 2019), with a Lipschitz bound on |f| in place of their occupancy test. Evaluate a coarse
// grid; keep a cell when its corners change sign or when min |f| over its corners <= safety *
// (half its diagonal). For a 1-Lipschitz field (an exact SDF) every point of a cell lies within
// half the diagonal of some corner, so a cell that holds a zero is always kept with safety = 1;
// fields that are not exact SDFs need safety > 1. Kept cells split into 8 children (factor 2 per
// level) until the final resolution; only grid points not seen before are queried, values cached by
// their integer coordinate on the final grid. The final active cells then go through the same
// per-cell code and edge-vertex indexing as marching_cubes (MarchingCubes.h), so whenever no
// surface cell is pruned the mesh is exactly the dense one on the same grid: same vertices in the
// same order, same triangles.
//
// Grid: resolution cells per axis spanning [min, max]; point (i, j, k) at
// min + (max - min) * (i, j, k) / resolution, i, j, k in [0, resolution]. Inside is f < 0.

#include <array>
#include <cstdint>
#include <functional>

#include "geometry/Mesh.h"

namespace nsdf::geometry {

/// A batched field: writes f(xyz[3 i], xyz[3 i + 1], xyz[3 i + 2]) to out[i] for i < n.
using FieldFn = std::function<void(const float* xyz, int64_t n, float* out)>;

struct ExtractionOptions {
  /// Cells per axis of the final grid; must be coarse_resolution * 2^k.
  int resolution = 256;
  std::array<double, 3> min{-1, -1, -1};
  std::array<double, 3> max{1, 1, 1};
  /// Cells per axis of the first, fully evaluated grid.
  int coarse_resolution = 32;
  /// Points per field call, at most.
  int64_t batch_size = 1 << 18;
  /// Refine a cell when min |f| at its corners <= safety * half its diagonal (or the corners
  /// change sign). 1 is exact for 1-Lipschitz fields; raise it for fields that are not SDFs.
  double safety = 1.0;
  /// Keep only the connected component with the most faces.
  bool largest_component_only = false;
};

struct ExtractionResult {
  Mesh mesh;
  int64_t queries = 0;        ///< grid points the field was evaluated at
  int64_t dense_queries = 0;  ///< (resolution + 1)^3, what a dense grid costs
};

/// Coarse-to-fine extraction (see above). Throws ConfigError for bad options, DataError when the
/// field returns a value that is not finite.
ExtractionResult extract_sparse(const FieldFn& field, const ExtractionOptions& options);

/// The same final grid with every point queried (in batches), then marching_cubes; the
/// reference extract_sparse is compared against. coarse_resolution and safety are not used.
ExtractionResult extract_dense(const FieldFn& field, const ExtractionOptions& options);

}  // namespace nsdf::geometry
