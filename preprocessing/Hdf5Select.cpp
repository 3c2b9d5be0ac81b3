#include "preprocessing/Hdf5Select.h"

#include <fmt/format.h>

#include "core/Error.h"

namespace nsdf::preprocessing::hdf5 {

std::vector<float> read_floats_block(const Location& loc, const std::string& name,
                                     const std::vector<int64_t>& start,
                                     const std::vector<int64_t>& count,
                                     std::vector<int64_t>* dims_out) {
  auto guard = lock();
  const std::vector<int64_t> dims = dataset_dims(loc, name);  // DataError when missing
  NSDF_CHECK(start.size() == dims.size() && count.size() == dims.size(), core::DataError,
             "{}: expected {} dimensions, got shape ({})", where(loc, name), start.size(),
             fmt::join(dims, ", "));
  int64_t n = 1;
  for (size_t d = 0; d < dims.size(); ++d) {
    NSDF_CHECK(start[d] >= 0 && count[d] >= 0 && start[d] + count[d] <= dims[d], core::DataError,
               "{}: block [{}] + [{}] lies outside the dataset's shape ({})", where(loc, name),
               fmt::join(start, ", "), fmt::join(count, ", "), fmt::join(dims, ", "));
    n *= count[d];
  }
  Handle ds = open_numeric_dataset(loc, name);
  std::vector<float> out(static_cast<size_t>(n));
  if (dims_out) *dims_out = dims;
  if (n == 0) return out;
  const std::vector<hsize_t> h_start(start.begin(), start.end());
  const std::vector<hsize_t> h_count(count.begin(), count.end());
  Handle file_space(H5Dget_space(ds.get()));
  NSDF_CHECK(H5Sselect_hyperslab(file_space.get(), H5S_SELECT_SET, h_start.data(), nullptr,
                                 h_count.data(), nullptr) >= 0,
             core::DataError, "{}: cannot select block [{}] + [{}]", where(loc, name),
             fmt::join(start, ", "), fmt::join(count, ", "));
  Handle mem_space(
      H5Screate_simple(static_cast<int>(h_count.size()), h_count.data(), nullptr));
  NSDF_CHECK(H5Dread(ds.get(), H5T_NATIVE_FLOAT, mem_space.get(), file_space.get(),
                     H5P_DEFAULT, out.data()) >= 0,
             core::DataError, "{}: cannot read block [{}] + [{}] (damaged file?)", where(loc, name),
             fmt::join(start, ", "), fmt::join(count, ", "));
  return out;
}

}  // namespace nsdf::preprocessing::hdf5
