#pragma once
// DeepSDF's on-disk layout, both ways, so DeepSDF users bring their preprocessed data and take
// ours to their code:
//   <dir>/SdfSamples/<id>.npz               pos, neg: float32 (N, 4), normalized units
//   <dir>/SurfaceSamples/<id>.ply           surface points in original units (with normals)
//   <dir>/NormalizationParameters/<id>.npz  offset (3,), scale (1,): normalized = (x + offset) * scale
//   <dir>/split.json                        the ids as a DeepSDF split (export, when every id
//                                           has the same number of components, at least 2)
// with <id> = "ShapeNetV2/03001627/<instance>" for ShapeNet (DeepSDF's own data is laid out so).

#include <cstdint>
#include <string>
#include <vector>

#include "preprocessing/SampleFile.h"

namespace nsdf::preprocessing {

/// Writes every shape of `file` under `dir` in DeepSDF's layout (files atomically). Views are
/// not part of DeepSDF's layout and are left out. Returns the number of shapes written.
int64_t export_deepsdf(const SampleFile& file, const std::string& dir);

/// The shapes of DeepSDF's layout under `dir`: the entries of `split` (a DeepSDF split file,
/// depth 3) joined by '/', in file order, when given; else every SdfSamples/**/*.npz, sorted.
/// Throws IoError when `dir` has no SdfSamples folder or the split cannot be read, DataError
/// for a malformed split or when no shape is found.
std::vector<std::string> deepsdf_shape_ids(const std::string& dir, const std::string& split);

/// Reads DeepSDF's layout under `dir` into a sample file at `output` (method "deepsdf_import").
/// Shapes come from `split` (a DeepSDF split file, depth 3) when given, else every
/// SdfSamples/**/*.npz in sorted order. SdfSamples are required; NormalizationParameters and
/// SurfaceSamples are optional (identity normalization, no surface points, with a warning).
/// Rows whose sdf is NaN (DeepSDF's preprocessing leaves a few) are dropped, as DeepSDF's loader
/// does, and counted in a warning. Throws IoError / DataError naming the file that is wrong.
/// Returns the number of shapes written.
int64_t import_deepsdf(const std::string& dir, const std::string& split, const std::string& output);

}  // namespace nsdf::preprocessing
