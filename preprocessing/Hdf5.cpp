#include "preprocessing/Hdf5.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/Error.h"

namespace nsdf::preprocessing::hdf5 {

std::string where(const Location& loc, const std::string& name) {
  std::string path = loc.name;
  if (path.empty() || path.back() != '/') path += '/';
  return fmt::format("{}: {}{}", loc.file, path, name);
}

namespace {

void silence_hdf5_errors() {
  static std::once_flag once;
  std::call_once(once, [] { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); });
}

// Dataset / group creation properties: no modification times, so files are reproducible.
Handle dataset_properties() {
  Handle p(H5Pcreate(H5P_DATASET_CREATE));
  H5Pset_obj_track_times(p.get(), false);
  return p;
}

Handle link_properties() {
  Handle p(H5Pcreate(H5P_LINK_CREATE));
  H5Pset_create_intermediate_group(p.get(), 1);
  H5Pset_char_encoding(p.get(), H5T_CSET_UTF8);
  return p;
}

Handle simple_space(const std::vector<int64_t>& dims) {
  std::vector<hsize_t> d(dims.begin(), dims.end());
  return Handle(H5Screate_simple(static_cast<int>(d.size()), d.data(), nullptr));
}

Handle string_type() {
  Handle t(H5Tcopy(H5T_C_S1));
  H5Tset_size(t.get(), H5T_VARIABLE);
  H5Tset_cset(t.get(), H5T_CSET_UTF8);
  return t;
}

void write_numeric(const Location& loc, const std::string& name, hid_t file_type,
                   hid_t mem_type, const void* data, const std::vector<int64_t>& dims) {
  auto guard = lock();
  Handle space = simple_space(dims);
  Handle lcpl = link_properties();
  Handle dcpl = dataset_properties();
  Handle ds(H5Dcreate2(loc.id, name.c_str(), file_type, space.get(), lcpl.get(), dcpl.get(),
                       H5P_DEFAULT));
  NSDF_CHECK(ds, core::IoError, "{}: cannot create dataset", where(loc, name));
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  if (n > 0) {
    NSDF_CHECK(H5Dwrite(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) >= 0,
               core::IoError, "{}: cannot write dataset (disk full?)", where(loc, name));
  }
}

template <class T>
std::vector<T> read_numeric(const Location& loc, const std::string& name, hid_t mem_type,
                            int rank, int64_t columns, std::vector<int64_t>* dims_out) {
  auto guard = lock();
  NSDF_CHECK(exists(loc, name), core::DataError, "{}: missing dataset", where(loc, name));
  Handle ds = open_numeric_dataset(loc, name);
  const std::vector<int64_t> dims = dataset_dims(loc, name);
  NSDF_CHECK(rank < 0 || static_cast<int>(dims.size()) == rank, core::DataError,
             "{}: expected {} dimensions, got {}", where(loc, name), rank, dims.size());
  NSDF_CHECK(columns < 0 || (!dims.empty() && dims.back() == columns), core::DataError,
             "{}: expected {} columns, got shape ({})", where(loc, name), columns,
             fmt::join(dims, ", "));
  int64_t n = 1;
  for (int64_t d : dims) n *= d;
  std::vector<T> out(static_cast<size_t>(n));
  if (n > 0) {
    NSDF_CHECK(H5Dread(ds.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) >= 0,
               core::DataError, "{}: cannot read dataset (damaged file?)", where(loc, name));
  }
  if (dims_out) *dims_out = dims;
  return out;
}

Handle open_attribute(const Location& loc, const std::string& name) {
  NSDF_CHECK(has_attribute(loc, name), core::DataError, "{}: missing attribute '{}'",
             where(loc, ""), name);
  Handle a(H5Aopen(loc.id, name.c_str(), H5P_DEFAULT));
  NSDF_CHECK(a, core::DataError, "{}: cannot open attribute '{}'", where(loc, ""), name);
  return a;
}

void write_attribute_raw(const Location& loc, const std::string& name, hid_t file_type,
                         hid_t mem_type, const void* data, const std::vector<int64_t>& dims) {
  auto guard = lock();
  if (H5Aexists(loc.id, name.c_str()) > 0) H5Adelete(loc.id, name.c_str());
  Handle space = dims.empty() ? Handle(H5Screate(H5S_SCALAR)) : simple_space(dims);
  Handle a(H5Acreate2(loc.id, name.c_str(), file_type, space.get(), H5P_DEFAULT, H5P_DEFAULT));
  NSDF_CHECK(a, core::IoError, "{}: cannot create attribute '{}'", where(loc, ""), name);
  NSDF_CHECK(H5Awrite(a.get(), mem_type, data) >= 0, core::IoError,
             "{}: cannot write attribute '{}'", where(loc, ""), name);
}

}  // namespace

std::unique_lock<std::recursive_mutex> lock() {
  static std::recursive_mutex mutex;
  return std::unique_lock<std::recursive_mutex>(mutex);
}

Handle& Handle::operator=(Handle&& o) noexcept {
  if (this != &o) {
    Handle old(id_);
    id_ = o.id_;
    o.id_ = -1;
  }
  return *this;
}

Handle::~Handle() {
  if (id_ < 0) return;
  auto guard = lock();
  switch (H5Iget_type(id_)) {
    case H5I_FILE: H5Fclose(id_); break;
    case H5I_GROUP: H5Gclose(id_); break;
    case H5I_DATASET: H5Dclose(id_); break;
    case H5I_DATASPACE: H5Sclose(id_); break;
    case H5I_DATATYPE: H5Tclose(id_); break;
    case H5I_ATTR: H5Aclose(id_); break;
    case H5I_GENPROP_LST: H5Pclose(id_); break;
    default: break;
  }
}

Handle create_file(const std::string& path) {
  auto guard = lock();
  silence_hdf5_errors();
  // Latest-format-free defaults keep files readable by any HDF5 1.8+ (h5py, MATLAB).
  Handle fcpl(H5Pcreate(H5P_FILE_CREATE));
  H5Pset_link_creation_order(fcpl.get(), 0);
  Handle f(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl.get(), H5P_DEFAULT));
  NSDF_CHECK(f, core::IoError, "{}: cannot create HDF5 file (folder missing or not writable?)",
             path);
  return f;
}

Handle open_file(const std::string& path) {
  auto guard = lock();
  silence_hdf5_errors();
  NSDF_CHECK(H5Fis_hdf5(path.c_str()) > 0, core::IoError,
             "{}: cannot open: missing, unreadable or not an HDF5 file", path);
  Handle f(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
  NSDF_CHECK(f, core::IoError, "{}: cannot open HDF5 file (damaged?)", path);
  return f;
}

bool exists(const Location& loc, const std::string& name) {
  auto guard = lock();
  // H5Lexists needs every intermediate link to exist: check each prefix.
  size_t pos = 0;
  while (true) {
    const size_t next = name.find('/', pos);
    const std::string prefix = name.substr(0, next);
    if (H5Lexists(loc.id, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (next == std::string::npos) return true;
    pos = next + 1;
  }
}

Handle create_group(const Location& loc, const std::string& name) {
  auto guard = lock();
  Handle lcpl = link_properties();
  Handle gcpl(H5Pcreate(H5P_GROUP_CREATE));
  H5Pset_obj_track_times(gcpl.get(), false);
  Handle g(H5Gcreate2(loc.id, name.c_str(), lcpl.get(), gcpl.get(), H5P_DEFAULT));
  NSDF_CHECK(g, core::IoError, "{}: cannot create group (exists already?)", where(loc, name));
  return g;
}

Handle open_group(const Location& loc, const std::string& name) {
  auto guard = lock();
  NSDF_CHECK(exists(loc, name), core::DataError, "{}: missing group", where(loc, name));
  Handle g(H5Gopen2(loc.id, name.c_str(), H5P_DEFAULT));
  NSDF_CHECK(g, core::DataError, "{}: not a group", where(loc, name));
  return g;
}

void write_floats(const Location& loc, const std::string& name, const float* data,
                  const std::vector<int64_t>& dims) {
  write_numeric(loc, name, H5T_IEEE_F32LE, H5T_NATIVE_FLOAT, data, dims);
}

void write_doubles(const Location& loc, const std::string& name, const double* data,
                   const std::vector<int64_t>& dims) {
  write_numeric(loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, data, dims);
}

void write_strings(const Location& loc, const std::string& name,
                   const std::vector<std::string>& values) {
  std::vector<const char*> ptrs;
  ptrs.reserve(values.size());
  for (const auto& v : values) ptrs.push_back(v.c_str());
  auto guard = lock();
  Handle type = string_type();
  write_numeric(loc, name, type.get(), type.get(), ptrs.data(),
                {static_cast<int64_t>(values.size())});
}

std::vector<int64_t> dataset_dims(const Location& loc, const std::string& name) {
  auto guard = lock();
  NSDF_CHECK(exists(loc, name), core::DataError, "{}: missing dataset", where(loc, name));
  Handle ds(H5Dopen2(loc.id, name.c_str(), H5P_DEFAULT));
  NSDF_CHECK(ds, core::DataError, "{}: not a dataset", where(loc, name));
  Handle space(H5Dget_space(ds.get()));
  const int rank = H5Sget_simple_extent_ndims(space.get());
  NSDF_CHECK(rank >= 0, core::DataError, "{}: unreadable dataspace", where(loc, name));
  std::vector<hsize_t> d(static_cast<size_t>(rank));
  H5Sget_simple_extent_dims(space.get(), d.data(), nullptr);
  return std::vector<int64_t>(d.begin(), d.end());
}

Handle open_numeric_dataset(const Location& loc, const std::string& name) {
  auto guard = lock();
  Handle ds(H5Dopen2(loc.id, name.c_str(), H5P_DEFAULT));
  NSDF_CHECK(ds, core::DataError, "{}: not a dataset", where(loc, name));
  Handle type(H5Dget_type(ds.get()));
  const H5T_class_t cls = H5Tget_class(type.get());
  NSDF_CHECK(cls == H5T_FLOAT || cls == H5T_INTEGER, core::DataError,
             "{}: expected numbers, the dataset holds another type", where(loc, name));
  return ds;
}

std::vector<float> read_floats(const Location& loc, const std::string& name, int rank,
                               int64_t columns, std::vector<int64_t>* dims) {
  return read_numeric<float>(loc, name, H5T_NATIVE_FLOAT, rank, columns, dims);
}

std::vector<double> read_doubles(const Location& loc, const std::string& name, int rank,
                                 int64_t columns, std::vector<int64_t>* dims) {
  return read_numeric<double>(loc, name, H5T_NATIVE_DOUBLE, rank, columns, dims);
}

std::vector<std::string> read_strings(const Location& loc, const std::string& name) {
  auto guard = lock();
  const std::vector<int64_t> dims = dataset_dims(loc, name);
  NSDF_CHECK(dims.size() == 1, core::DataError, "{}: expected a 1-D list of strings",
             where(loc, name));
  Handle ds(H5Dopen2(loc.id, name.c_str(), H5P_DEFAULT));
  Handle type(H5Dget_type(ds.get()));
  NSDF_CHECK(H5Tget_class(type.get()) == H5T_STRING, core::DataError, "{}: expected strings",
             where(loc, name));
  const size_t n = static_cast<size_t>(dims[0]);
  std::vector<std::string> out;
  out.reserve(n);
  if (H5Tis_variable_str(type.get()) > 0) {
    std::vector<char*> ptrs(n, nullptr);
    Handle mem = string_type();
    if (n > 0) {
      NSDF_CHECK(H5Dread(ds.get(), mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()) >= 0,
                 core::DataError, "{}: cannot read strings", where(loc, name));
    }
    for (char* p : ptrs) out.emplace_back(p ? p : "");
    Handle space(H5Dget_space(ds.get()));
    if (n > 0) H5Dvlen_reclaim(mem.get(), space.get(), H5P_DEFAULT, ptrs.data());
  } else {
    const size_t size = H5Tget_size(type.get());
    std::vector<char> buf(n * size);
    if (n > 0) {
      NSDF_CHECK(H5Dread(ds.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()) >= 0,
                 core::DataError, "{}: cannot read strings", where(loc, name));
    }
    for (size_t i = 0; i < n; ++i) {
      const char* s = buf.data() + i * size;
      out.emplace_back(s, strnlen(s, size));
    }
  }
  return out;
}

void write_attribute(const Location& loc, const std::string& name, const std::string& value) {
  auto guard = lock();
  Handle type = string_type();
  const char* ptr = value.c_str();
  write_attribute_raw(loc, name, type.get(), type.get(), &ptr, {});
}

void write_attribute(const Location& loc, const std::string& name, double value) {
  write_attribute_raw(loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, &value, {});
}

void write_attribute(const Location& loc, const std::string& name, int64_t value) {
  write_attribute_raw(loc, name, H5T_STD_I64LE, H5T_NATIVE_INT64, &value, {});
}

void write_attribute(const Location& loc, const std::string& name,
                     const std::vector<double>& values) {
  write_attribute_raw(loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, values.data(),
                      {static_cast<int64_t>(values.size())});
}

bool has_attribute(const Location& loc, const std::string& name) {
  auto guard = lock();
  return H5Aexists(loc.id, name.c_str()) > 0;
}

std::string read_string_attribute(const Location& loc, const std::string& name) {
  auto guard = lock();
  Handle a = open_attribute(loc, name);
  Handle type(H5Aget_type(a.get()));
  NSDF_CHECK(H5Tget_class(type.get()) == H5T_STRING, core::DataError,
             "{}: attribute '{}' is not a string", where(loc, ""), name);
  if (H5Tis_variable_str(type.get()) > 0) {
    Handle mem = string_type();
    char* p = nullptr;
    NSDF_CHECK(H5Aread(a.get(), mem.get(), &p) >= 0, core::DataError,
               "{}: cannot read attribute '{}'", where(loc, ""), name);
    std::string out = p ? p : "";
    H5free_memory(p);
    return out;
  }
  const size_t size = H5Tget_size(type.get());
  std::vector<char> buf(size + 1, '\0');
  NSDF_CHECK(H5Aread(a.get(), type.get(), buf.data()) >= 0, core::DataError,
             "{}: cannot read attribute '{}'", where(loc, ""), name);
  return std::string(buf.data(), strnlen(buf.data(), size));
}

std::vector<double> read_doubles_attribute(const Location& loc, const std::string& name) {
  auto guard = lock();
  Handle a = open_attribute(loc, name);
  Handle type(H5Aget_type(a.get()));
  const H5T_class_t cls = H5Tget_class(type.get());
  NSDF_CHECK(cls == H5T_FLOAT || cls == H5T_INTEGER, core::DataError,
             "{}: attribute '{}' is not numeric", where(loc, ""), name);
  Handle space(H5Aget_space(a.get()));
  const hssize_t n = H5Sget_simple_extent_npoints(space.get());
  std::vector<double> out(static_cast<size_t>(std::max<hssize_t>(n, 0)));
  if (!out.empty()) {
    NSDF_CHECK(H5Aread(a.get(), H5T_NATIVE_DOUBLE, out.data()) >= 0, core::DataError,
               "{}: cannot read attribute '{}'", where(loc, ""), name);
  }
  return out;
}

double read_double_attribute(const Location& loc, const std::string& name) {
  const std::vector<double> v = read_doubles_attribute(loc, name);
  NSDF_CHECK(v.size() == 1, core::DataError, "{}: attribute '{}' should hold one number, holds {}",
             where(loc, ""), name, v.size());
  return v[0];
}

std::vector<std::string> attribute_names(const Location& loc) {
  auto guard = lock();
  H5O_info_t info;
  NSDF_CHECK(H5Oget_info2(loc.id, &info, H5O_INFO_NUM_ATTRS) >= 0, core::DataError,
             "{}: cannot list attributes", where(loc, ""));
  std::vector<std::string> out;
  for (hsize_t i = 0; i < info.num_attrs; ++i) {
    const ssize_t len = H5Aget_name_by_idx(loc.id, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr,
                                           0, H5P_DEFAULT);
    std::string s(static_cast<size_t>(std::max<ssize_t>(len, 0)), '\0');
    H5Aget_name_by_idx(loc.id, ".", H5_INDEX_NAME, H5_ITER_INC, i, s.data(), s.size() + 1,
                       H5P_DEFAULT);
    out.push_back(s);
  }
  return out;
}

std::vector<std::string> child_names(const Location& loc) {
  auto guard = lock();
  std::vector<std::string> out;
  auto collect = [](hid_t, const char* name, const H5L_info_t*, void* data) -> herr_t {
    static_cast<std::vector<std::string>*>(data)->emplace_back(name);
    return 0;
  };
  H5Literate(loc.id, H5_INDEX_NAME, H5_ITER_INC, nullptr, collect, &out);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace nsdf::preprocessing::hdf5
