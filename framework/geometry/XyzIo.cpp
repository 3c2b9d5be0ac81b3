#include "geometry/XyzIo.h"

#include <cmath>
#include <cstdint>
#include <iterator>

#include "core/Error.h"
#include "core/Files.h"
#include "geometry/MeshIo.h"
#include "geometry/TextScan.h"

namespace nsdf::geometry {

PointCloud parse_xyz(std::string_view data, const std::string& path) {
  NSDF_CHECK(!data.empty(), core::DataError, "{}: empty file", path);
  PointCloud cloud;
  detail::LineReader lines(data, 0, 1);
  std::string_view line;
  std::string_view token;
  size_t width = 0;  // set by the first row
  int64_t first_row_line = 0;
  while (lines.next_content(line, '#')) {
    const int64_t n = lines.line_number();
    const size_t count = detail::Tokens(line).count();
    if (width == 0) {
      NSDF_CHECK(count == 3 || count == 6, core::DataError,
                 "{}: line {}: expected 3 values (x y z) or 6 (x y z nx ny nz), got {}", path, n,
                 count);
      width = count;
      first_row_line = n;
    }
    NSDF_CHECK(count == width, core::DataError,
               "{}: line {}: expected {} values like line {}, got {} (rows must all have the "
               "same width)",
               path, n, width, first_row_line, count);
    float row[6];
    detail::Tokens tokens(line);
    for (size_t c = 0; c < width; ++c) {
      tokens.next(token);
      const detail::NumberStatus s = detail::parse_float(token, row[c]);
      NSDF_CHECK(s != detail::NumberStatus::NotANumber, core::DataError,
                 "{}: line {}: expected a number, got '{}'", path, n, detail::printable(token));
      NSDF_CHECK(s != detail::NumberStatus::OutOfRange, core::DataError,
                 "{}: line {}: point {}: value {} out of float range", path, n, cloud.P.size(),
                 detail::printable(token));
      NSDF_CHECK(std::isfinite(row[c]), core::DataError, "{}: line {}: point {}: {} {}", path, n,
                 cloud.P.size(), detail::non_finite_name(row[c]),
                 c < 3 ? "coordinate" : "normal component");
    }
    cloud.P.push_back({row[0], row[1], row[2]});
    if (width == 6) cloud.N.push_back({row[3], row[4], row[5]});
  }
  return cloud;
}

PointCloud read_xyz(const std::string& path) { return parse_xyz(core::read_file(path), path); }

std::string encode_xyz(const PointCloud& cloud) {
  const bool normals = !cloud.N.empty();
  // The comment names the columns and keeps an empty cloud from making an empty file.
  std::string out = normals ? "# x y z nx ny nz\n" : "# x y z\n";
  auto it = std::back_inserter(out);
  for (size_t i = 0; i < cloud.P.size(); ++i) {
    const Vec3f& p = cloud.P[i];
    fmt::format_to(it, "{} {} {}", p[0], p[1], p[2]);
    if (normals) fmt::format_to(it, " {} {} {}", cloud.N[i][0], cloud.N[i][1], cloud.N[i][2]);
    out += '\n';
  }
  return out;
}

void write_xyz(const PointCloud& cloud, const std::string& path) {
  validate_point_cloud(cloud, path);
  core::write_file_atomic(path, encode_xyz(cloud));
}

}  // namespace nsdf::geometry
