#pragma once
// Reading part of an HDF5 dataset (a hyperslab), next to the whole-dataset reads of Hdf5.h:
// D-Faust's registrations hold every frame of a sequence in one (#V, 3, #frames) dataset, and
// a shape is one frame of it.

#include <cstdint>
#include <string>
#include <vector>

#include "preprocessing/Hdf5.h"

namespace nsdf::preprocessing::hdf5 {

/// Reads the block of numeric dataset `name` that starts at `start` and spans `count` along
/// each axis (start.size() == count.size() == the dataset's rank), converted to float, in
/// row-major order of the block. Only the block is read from the file.
/// @param[out] dims when given, receives the dataset's full shape.
/// Throws DataError "<file>: <object>: ..." when the dataset is missing, is not numeric, has
/// another rank, or the block does not lie inside it.
std::vector<float> read_floats_block(const Location& loc, const std::string& name,
                                     const std::vector<int64_t>& start,
                                     const std::vector<int64_t>& count,
                                     std::vector<int64_t>* dims = nullptr);

}  // namespace nsdf::preprocessing::hdf5
