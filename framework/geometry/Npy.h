#pragma once
// NumPy's .npy and .npz files, read and written without Python, so DeepSDF-style data sets and
// anything a user saved with np.save / np.savez / np.savez_compressed load directly.
//
// Reading accepts format versions 1.0, 2.0 and 3.0, little- and big-endian floats (f2, f4, f8),
// signed and unsigned integers (1, 2, 4, 8 bytes) and booleans, in C or Fortran order; values
// come back as doubles in C order (exact for every type except 64-bit integers beyond 2^53).
// Files are treated as hostile: every size a header declares is checked against the bytes
// present before anything is allocated, zip members are bounded by the archive, inflation
// stops at the declared size (zip bombs), and CRC-32s are verified. Content problems throw
// DataError, open/read failures IoError; every message starts with the file path, and for
// .npz members also the member name ("planes.npz: pos.npy: ...").
//
// Writing produces what numpy writes: version 1.0 headers padded to 64 bytes, C order, and
// zip archives (stored, or deflated on request) with zip64 records where sizes need them.
// The zip container itself (reading, writing, CRC-32) is Zip.h; this file is the .npy format.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace nsdf::geometry {

/// An n-dimensional numeric array as read from (or to be written to) a .npy file.
struct NpyArray {
  /// Extent of each axis; empty for a 0-d (scalar) array.
  std::vector<int64_t> shape;
  /// Values in C (row-major) order, converted to double whatever the file's type.
  std::vector<double> data;
  /// NumPy type string as in the file, e.g. "<f4", ">f8", "|u1". When writing, it selects the
  /// stored type (empty means "<f8").
  std::string dtype;

  /// Number of elements the shape describes (1 for a 0-d array).
  int64_t size() const;
};

/// An array of float32 values ("<f4"); data.size() must equal the product of `shape`.
NpyArray make_npy_array(const std::vector<float>& data, std::vector<int64_t> shape);
/// An array of float64 values ("<f8"); data.size() must equal the product of `shape`.
NpyArray make_npy_array(const std::vector<double>& data, std::vector<int64_t> shape);

/// The values of `array` as floats (rounded to nearest), for float32 consumers.
std::vector<float> to_floats(const NpyArray& array);

/// Reads a .npy file. Throws IoError when it cannot be read, DataError when it is malformed.
NpyArray read_npy(const std::string& path);

/// Parses the bytes of a .npy file; `name` starts every error message (a path, or
/// "archive.npz: member.npy"). The data must be exactly shape x item size bytes: numpy.load
/// ignores trailing bytes, we reject them as a sign of a damaged file.
NpyArray parse_npy(std::string_view bytes, const std::string& name);

/// The bytes of a .npy file (version 1.0, C order) holding `array` in array.dtype. Integer
/// dtypes need integral values in range; `name` starts error messages.
std::string encode_npy(const NpyArray& array, const std::string& name);

/// Writes float32 ("<f4") values of the given shape to a .npy file, atomically.
void write_npy(const std::string& path, const std::vector<float>& data,
               const std::vector<int64_t>& shape);
/// Writes float64 ("<f8") values of the given shape to a .npy file, atomically.
void write_npy(const std::string& path, const std::vector<double>& data,
               const std::vector<int64_t>& shape);
/// Writes `array` in its dtype to a .npy file, atomically.
void write_npy(const std::string& path, const NpyArray& array);

/// Reads a .npz archive: one entry per "<key>.npy" member, keyed without the ".npy" suffix
/// (as numpy.load does). Members that are not .npy files are skipped.
std::map<std::string, NpyArray> read_npz(const std::string& path);

/// Parses the bytes of a .npz archive; `name` starts every error message.
std::map<std::string, NpyArray> parse_npz(std::string_view bytes, const std::string& name);

/// What a .npy header declares about its array, without the values.
struct NpyHeaderInfo {
  /// Extent of each axis; empty for a 0-d (scalar) array.
  std::vector<int64_t> shape;
  /// NumPy type string as in the file, e.g. "<f4".
  std::string dtype;
};

/// The headers of the arrays of a .npz archive, keyed as read_npz keys them, without reading
/// the values: the file is mapped into memory and only its zip directory and the start of each
/// member are touched (a deflated member is inflated whole). Checks what read_npz checks except
/// the values and the CRC-32s of stored members: the archive's structure, each header, and that
/// each member holds exactly the bytes its header's shape needs (a truncated member). Throws
/// IoError when the file cannot be opened, DataError with read_npz's messages otherwise.
std::map<std::string, NpyHeaderInfo> read_npz_headers(const std::string& path);

/// The bytes of a .npz archive holding each array as member "<key>.npy": stored, or deflated
/// when `compress` (like np.savez_compressed); `name` starts error messages. `force_zip64`
/// writes zip64 records even when sizes do not need them (numpy.load reads both; it exists so
/// tests cover the zip64 path without 4 GiB files).
std::string encode_npz(const std::map<std::string, NpyArray>& arrays, const std::string& name,
                       bool compress = false, bool force_zip64 = false);

/// Writes a .npz archive atomically; numpy.load reads it back.
void write_npz(const std::string& path, const std::map<std::string, NpyArray>& arrays,
               bool compress = false);

}  // namespace nsdf::geometry
