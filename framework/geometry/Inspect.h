#pragma once
// What a geometry file holds, as a human-readable report for `nsdf inspect FILE`: the first thing
// to look at when a mesh will not train or a data set looks wrong. Meshes (.ply with faces, .obj,
// .off) get their format, counts, normals, bounding box and topology (boundary and non-manifold
// edges, components, Euler characteristic, watertight, orientation); PLY files also list the
// elements and properties their header declares. Point clouds (.ply without faces, .xyz) get
// their count, normals and bounding box. NumPy files (.npy, .npz) get dtype and shape per array,
// column ranges for N x 3/4/6 arrays, and a summary of DeepSDF SdfSamples and
// NormalizationParameters archives. Files are read with the ordinary readers, so a broken file
// gives the same DataError or IoError (naming the file) as loading it would.

#include <string>

namespace nsdf::geometry {

/// A multi-line report of what `path` holds, chosen by extension (case-insensitive): .ply, .obj,
/// .off, .xyz, .npy, .npz. The first line is "<path>: <kind>", then indented "key: value" lines.
/// Throws DataError for an unsupported extension (listing the supported ones) or malformed
/// contents, IoError when the file cannot be read.
std::string describe_file(const std::string& path);

}  // namespace nsdf::geometry
