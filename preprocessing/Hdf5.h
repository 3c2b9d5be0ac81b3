#pragma once
// A thin layer over HDF5's C API (Debian's 1.10; HighFive is not packaged): owning handles, the
// typed reads and writes the sample files need, and one process-wide lock. Debian builds HDF5
// without its thread-safety option, so every HDF5 call in nsdf runs under hdf5_lock(); TBB
// workers writing their shapes' files take turns (a write of a few MB is milliseconds).
//
// Datasets are written contiguous and uncompressed (gzip costs 14x read speed for 13% space,
// FACTS.md), without object modification times, so the same content always gives the same
// bytes. Errors throw IoError / DataError starting with the file path and the object name.

#include <hdf5.h>

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace nsdf::preprocessing::hdf5 {

/// The process-wide HDF5 lock (recursive: helpers call helpers).
std::unique_lock<std::recursive_mutex> lock();

/// An owned hid_t, closed with the right H5*close when it goes out of scope.
class Handle {
 public:
  Handle() = default;
  explicit Handle(hid_t id) : id_(id) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& o) noexcept : id_(o.id_) { o.id_ = -1; }
  Handle& operator=(Handle&& o) noexcept;
  ~Handle();
  hid_t get() const { return id_; }
  explicit operator bool() const { return id_ >= 0; }

 private:
  hid_t id_ = -1;
};

/// An HDF5 file (or a group in it) and the path used in messages.
struct Location {
  hid_t id;
  std::string file;  ///< file path, for messages
  std::string name;  ///< object path inside the file ("/" for the root)
};

/// "<file>: <object path>/<name>", how messages name an object.
std::string where(const Location& loc, const std::string& name);

/// Creates (truncating) `path`; IoError naming it on failure. Silences HDF5's own error stack
/// printing for the process (our messages say what failed).
Handle create_file(const std::string& path);
/// Opens `path` read-only; IoError when it is missing or not an HDF5 file.
Handle open_file(const std::string& path);

/// Whether `name` (relative to loc, may contain '/') exists as a link.
bool exists(const Location& loc, const std::string& name);
/// Creates group `name` under loc, intermediate groups included.
Handle create_group(const Location& loc, const std::string& name);
/// Opens group `name`; DataError "<file>: <loc>/<name>: missing group" when absent.
Handle open_group(const Location& loc, const std::string& name);

/// Writes a float32 / float64 dataset of the given shape (dims' product = data size).
void write_floats(const Location& loc, const std::string& name, const float* data,
                  const std::vector<int64_t>& dims);
void write_doubles(const Location& loc, const std::string& name, const double* data,
                   const std::vector<int64_t>& dims);
/// Writes a 1-D dataset of variable-length UTF-8 strings.
void write_strings(const Location& loc, const std::string& name,
                   const std::vector<std::string>& values);

/// The shape of dataset `name`; DataError when it is missing.
std::vector<int64_t> dataset_dims(const Location& loc, const std::string& name);
/// Opens dataset `name`, which must hold numbers (any float or integer type, which HDF5
/// converts on reading); DataError "<file>: <object>: not a dataset" or "...: expected
/// numbers, ..." otherwise.
Handle open_numeric_dataset(const Location& loc, const std::string& name);
/// Reads a numeric dataset converted to float / double (HDF5 converts any stored float or
/// integer type). DataError when missing, when its rank differs from `rank` (unless rank < 0),
/// or when `columns` >= 0 and the last axis differs. `dims` receives the shape.
std::vector<float> read_floats(const Location& loc, const std::string& name, int rank,
                               int64_t columns, std::vector<int64_t>* dims = nullptr);
std::vector<double> read_doubles(const Location& loc, const std::string& name, int rank,
                                 int64_t columns, std::vector<int64_t>* dims = nullptr);
/// Reads a 1-D dataset of strings (variable or fixed length).
std::vector<std::string> read_strings(const Location& loc, const std::string& name);

/// Attributes: scalars, short double arrays and UTF-8 strings.
void write_attribute(const Location& loc, const std::string& name, const std::string& value);
void write_attribute(const Location& loc, const std::string& name, double value);
void write_attribute(const Location& loc, const std::string& name, int64_t value);
void write_attribute(const Location& loc, const std::string& name,
                     const std::vector<double>& values);
bool has_attribute(const Location& loc, const std::string& name);
std::string read_string_attribute(const Location& loc, const std::string& name);
double read_double_attribute(const Location& loc, const std::string& name);
std::vector<double> read_doubles_attribute(const Location& loc, const std::string& name);
/// Names of the attributes of loc, in creation order.
std::vector<std::string> attribute_names(const Location& loc);
/// Names of the links (groups and datasets) directly under loc, sorted.
std::vector<std::string> child_names(const Location& loc);

}  // namespace nsdf::preprocessing::hdf5
