#include "data/ObservationSource.h"

#include <cmath>
#include <filesystem>
#include <sstream>

#include "core/Error.h"
#include "core/Files.h"
#include "geometry/Npy.h"
#include "geometry/PointInput.h"
#include "geometry/TextScan.h"

namespace nsdf::data {

std::optional<geometry::Normalization> given_frame(const ObservationCommonOptions& o) {
  NSDF_CHECK(o.offset.empty() == (o.scale == 0), core::ConfigError,
             "observation: a known frame needs both offset (3 numbers) and scale (> 0); got {}",
             o.offset.empty() ? "only scale" : "only offset");
  if (o.offset.empty()) return std::nullopt;
  geometry::Normalization n;
  n.offset = {o.offset[0], o.offset[1], o.offset[2]};
  n.scale = o.scale;
  return n;
}

geometry::PointCloud read_ground_truth(const ObservationCommonOptions& o, uint64_t seed) {
  if (o.ground_truth.empty()) return {};
  geometry::InputPoints in =
      geometry::read_input_points(o.ground_truth.str(), o.ground_truth_points, seed);
  return std::move(in.cloud);
}

std::vector<double> read_matrix(const std::string& path, int rows, int cols,
                                const std::string& what) {
  std::vector<double> values;
  std::vector<int64_t> shape;
  if (geometry::detail::lower_extension(path) == ".npy") {
    geometry::NpyArray a = geometry::read_npy(path);
    values = std::move(a.data);
    shape = a.shape;
  } else {
    std::istringstream in(core::read_file(path));
    std::string token;
    while (in >> token) {
      char* end = nullptr;
      const double v = std::strtod(token.c_str(), &end);
      NSDF_CHECK(end && *end == '\0', core::DataError, "{}: {}: '{}' is not a number", path, what,
                 geometry::detail::printable(token));
      values.push_back(v);
    }
    shape = {static_cast<int64_t>(values.size())};
  }
  const bool ok_shape =
      static_cast<int64_t>(values.size()) == int64_t{rows} * cols &&
      (shape.size() == 1 || (shape.size() == 2 && shape[0] == rows && shape[1] == cols));
  NSDF_CHECK(ok_shape, core::DataError, "{}: {} must be {} x {}, got {}", path, what, rows, cols,
             shape.size() == 2 ? fmt::format("{} x {}", shape[0], shape[1])
                               : fmt::format("{} numbers", values.size()));
  for (size_t i = 0; i < values.size(); ++i)
    NSDF_CHECK(std::isfinite(values[i]), core::DataError,
               "{}: {} entry ({}, {}) is not finite ({})", path, what, i / cols, i % cols,
               values[i]);
  return values;
}

}  // namespace nsdf::data
