#include "geometry/DeepSdfFiles.h"

#include <fmt/ranges.h>

#include <cmath>
#include <map>

#include "core/Error.h"
#include "geometry/Npy.h"

namespace nsdf::geometry {

namespace {

constexpr int64_t kSampleColumns = 4;
constexpr size_t kRowLength = 4;  // kSampleColumns as an index

std::string shape_text(const std::vector<int64_t>& shape) {
  return fmt::format("({})", fmt::join(shape, ", "));
}

// arrays[key] (NpyArray or NpyHeaderInfo), or the DataError that names what the archive holds.
template <class Array>
const Array& member(const std::map<std::string, Array>& arrays, const std::string& key,
                    const std::string& path) {
  const auto it = arrays.find(key);
  if (it == arrays.end()) {
    std::vector<std::string> present;
    for (const auto& entry : arrays) present.push_back(entry.first + ".npy");
    throw core::DataError(
        fmt::format("{}: {}.npy: missing (the archive holds {})", path, key,
                    present.empty() ? "no arrays" : fmt::to_string(fmt::join(present, ", "))));
  }
  return it->second;
}

void check_finite(const NpyArray& array, const std::string& where) {
  for (size_t i = 0; i < array.data.size(); ++i) {
    NSDF_CHECK(std::isfinite(array.data[i]), core::DataError, "{}: non-finite value {} at index {}",
               where, array.data[i], i);
  }
}

void check_sample_shape(const std::vector<int64_t>& shape, const std::string& where) {
  NSDF_CHECK(shape.size() == 2 && shape[1] == kSampleColumns, core::DataError,
             "{}: expected shape (N, 4) of rows x, y, z, sdf, found {}", where, shape_text(shape));
}

std::vector<float> sample_rows(const std::map<std::string, NpyArray>& arrays,
                               const std::string& key, const std::string& path,
                               NanSdfRows nan_sdf_rows, int64_t& dropped) {
  const NpyArray& array = member(arrays, key, path);
  const std::string where = fmt::format("{}: {}.npy", path, key);
  check_sample_shape(array.shape, where);
  std::vector<float> values;
  values.reserve(array.data.size());
  for (size_t row = 0; row < array.data.size() / kRowLength; ++row) {
    const double* in = &array.data[row * kRowLength];
    if (nan_sdf_rows == NanSdfRows::Drop && std::isnan(in[3])) {
      ++dropped;
      continue;
    }
    for (size_t col = 0; col < kRowLength; ++col) {
      const auto v = static_cast<float>(in[col]);
      // Checked after the float conversion: a finite double beyond float range becomes inf.
      NSDF_CHECK(std::isfinite(v), core::DataError, "{}: non-finite value {} in row {} column {}{}",
                 where, in[col], row, col,
                 col == 3 && std::isnan(v) ? " (DeepSDF drops rows with NaN sdf; read with "
                                             "NanSdfRows::Drop to do the same)"
                                           : "");
      values.push_back(v);
    }
  }
  return values;
}

void check_rows(const std::vector<float>& values, const char* key, const std::string& path) {
  NSDF_CHECK(values.size() % kRowLength == 0, core::DataError,
             "{}: {} has {} values, not a multiple of 4 (rows of x, y, z, sdf)", path, key,
             values.size());
}

}  // namespace

SdfSamples read_deepsdf_samples(const std::string& path, NanSdfRows nan_sdf_rows) {
  const std::map<std::string, NpyArray> arrays = read_npz(path);
  SdfSamples samples;
  samples.pos = sample_rows(arrays, "pos", path, nan_sdf_rows, samples.dropped_nan_rows);
  samples.neg = sample_rows(arrays, "neg", path, nan_sdf_rows, samples.dropped_nan_rows);
  return samples;
}

SdfSampleRows read_deepsdf_sample_rows(const std::string& path) {
  const std::map<std::string, NpyHeaderInfo> headers = read_npz_headers(path);
  const auto rows = [&](const std::string& key) {
    const NpyHeaderInfo& header = member(headers, key, path);
    check_sample_shape(header.shape, fmt::format("{}: {}.npy", path, key));
    return header.shape[0];
  };
  SdfSampleRows counts;
  counts.pos = rows("pos");
  counts.neg = rows("neg");
  return counts;
}

void write_deepsdf_samples(const std::string& path, const SdfSamples& samples) {
  check_rows(samples.pos, "pos", path);
  check_rows(samples.neg, "neg", path);
  const auto rows = [](const std::vector<float>& v) {
    return static_cast<int64_t>(v.size() / kRowLength);
  };
  write_npz(path, {{"pos", make_npy_array(samples.pos, {rows(samples.pos), kSampleColumns})},
                   {"neg", make_npy_array(samples.neg, {rows(samples.neg), kSampleColumns})}});
}

Normalization read_deepsdf_normalization(const std::string& path) {
  const std::map<std::string, NpyArray> arrays = read_npz(path);
  const NpyArray& offset = member(arrays, "offset", path);
  const NpyArray& scale = member(arrays, "scale", path);
  const std::vector<int64_t>& os = offset.shape;
  NSDF_CHECK((os.size() == 1 && os[0] == 3) || (os.size() == 2 && os[0] == 1 && os[1] == 3),
             core::DataError, "{}: offset.npy: expected shape (3,) or (1, 3), found {}", path,
             shape_text(os));
  NSDF_CHECK(scale.shape.empty() || (scale.shape.size() == 1 && scale.shape[0] == 1),
             core::DataError, "{}: scale.npy: expected shape () or (1,), found {}", path,
             shape_text(scale.shape));
  check_finite(offset, path + ": offset.npy");
  check_finite(scale, path + ": scale.npy");
  Normalization n;
  n.offset = {offset.data[0], offset.data[1], offset.data[2]};
  n.scale = scale.data[0];
  NSDF_CHECK(n.scale > 0, core::DataError, "{}: scale.npy: scale must be positive, found {}", path,
             n.scale);
  return n;
}

void write_deepsdf_normalization(const std::string& path, const Normalization& n) {
  const std::vector<double> offset(n.offset.begin(), n.offset.end());
  NSDF_CHECK(std::isfinite(offset[0]) && std::isfinite(offset[1]) && std::isfinite(offset[2]) &&
                 std::isfinite(n.scale) && n.scale > 0,
             core::DataError,
             "{}: normalization needs a finite offset and a positive scale, got "
             "offset ({}) scale {}",
             path, fmt::join(offset, ", "), n.scale);
  write_npz(path, {{"offset", make_npy_array(offset, {3})},
                   {"scale", make_npy_array(std::vector<double>{n.scale}, {1})}});
}

}  // namespace nsdf::geometry
