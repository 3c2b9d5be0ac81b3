#pragma once
// DeepSDF's on-disk files (Park et al. 2019, github.com/facebookresearch/DeepSDF), so data
// preprocessed by DeepSDF trains here and ours trains there:
//   SdfSamples/<dataset>/<class>/<shape>.npz  members pos, neg: float32 N x 4 rows
//       (x, y, z, sdf) with sdf >= 0 in pos and < 0 in neg, in normalized coordinates;
//   NormalizationParameters/<dataset>/<class>/<shape>.npz  members offset (3,), scale (1,),
//       with normalized = (original + offset) * scale.
// Readers validate what training relies on and name the file and member that is wrong.

#include <cstdint>
#include <string>
#include <vector>

#include "geometry/Normalization.h"

namespace nsdf::geometry {

/// SDF samples of one shape, split by sign as DeepSDF stores them. Each is #rows by 4 floats,
/// row-major: x, y, z, sdf.
struct SdfSamples {
  std::vector<float> pos;
  std::vector<float> neg;
  /// Rows left out by read_deepsdf_samples under NanSdfRows::Drop (ignored when writing).
  int64_t dropped_nan_rows = 0;
};

/// What reading does with rows whose sdf is NaN. DeepSDF's preprocessing leaves a few in some
/// files (9 rows of one of the five ShapeNet planes we hold) and its loader silently drops them
/// (remove_nans in deep_sdf/data.py); rejecting is the default so nothing is dropped unseen.
enum class NanSdfRows { Reject, Drop };

/// Reads a DeepSDF SdfSamples .npz. Throws DataError when `pos` or `neg` is missing, is not
/// 2-D with 4 columns, or holds a non-finite value (except NaN sdf rows under
/// NanSdfRows::Drop, which are left out); IoError when the file cannot be read.
SdfSamples read_deepsdf_samples(const std::string& path,
                                NanSdfRows nan_sdf_rows = NanSdfRows::Reject);

/// Row counts of a DeepSDF SdfSamples .npz.
struct SdfSampleRows {
  int64_t pos = 0;
  int64_t neg = 0;
};

/// Checks a DeepSDF SdfSamples .npz as far as its headers go, without reading the values (see
/// read_npz_headers): a readable zip archive whose `pos` and `neg` are (N, 4) arrays of the
/// size their headers declare. Returns their row counts. Throws the IoError / DataError
/// read_deepsdf_samples throws for these problems; non-finite values are found only by reading.
SdfSampleRows read_deepsdf_sample_rows(const std::string& path);

/// Writes `samples` as DeepSDF does (uncompressed .npz, float32 `pos` and `neg` of shape
/// (rows, 4)), atomically. Throws DataError when a size is not a multiple of 4.
void write_deepsdf_samples(const std::string& path, const SdfSamples& samples);

/// Reads a DeepSDF NormalizationParameters .npz (`offset` of shape (3,) or (1, 3), `scale` of
/// shape () or (1,), any float type). Throws DataError when a member is missing or malformed,
/// or when the values are not finite or the scale is not positive.
Normalization read_deepsdf_normalization(const std::string& path);

/// Writes normalization parameters with DeepSDF's shapes, offset (3,) and scale (1,), as
/// float64 so that they read back exactly (DeepSDF's own files hold float32), atomically.
void write_deepsdf_normalization(const std::string& path, const Normalization& n);

}  // namespace nsdf::geometry
