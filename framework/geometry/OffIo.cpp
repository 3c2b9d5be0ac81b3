#include "geometry/OffIo.h"

#include <cmath>
#include <cstdint>
#include <iterator>
#include <limits>
#include <vector>

#include "core/Error.h"
#include "core/Files.h"
#include "geometry/MeshIo.h"
#include "geometry/TextScan.h"

namespace nsdf::geometry {

namespace {

// The shortest text a vertex line ("0 0 0\n") and a triangle line ("3 0 1 2\n") can take.
constexpr uint64_t kMinVertexBytes = 6;
constexpr uint64_t kMinFaceBytes = 8;

struct OffCounts {
  int64_t vertices = 0;
  int64_t faces = 0;
};

class OffParser {
 public:
  OffParser(std::string_view data, const std::string& path)
      : data_(data), path_(path), lines_(data, 0, 1) {}

  Mesh parse() {
    NSDF_CHECK(!data_.empty(), core::DataError, "{}: empty file", path_);
    const OffCounts counts = read_header();
    // Refuse counts the remaining text cannot hold before reserving anything for them.
    const uint64_t remaining = lines_.remaining();
    const auto nv = static_cast<uint64_t>(counts.vertices);
    const auto nf = static_cast<uint64_t>(counts.faces);
    if (nv > (remaining + 1) / kMinVertexBytes || nf > (remaining + 1) / kMinFaceBytes ||
        nv * kMinVertexBytes + nf * kMinFaceBytes > remaining + 1) {
      throw core::DataError(fmt::format(
          "{}: truncated: header declares {} vertices and {} faces but only {} bytes follow", path_,
          nv, nf, remaining));
    }
    NSDF_CHECK(counts.vertices <= std::numeric_limits<int32_t>::max(), core::DataError,
               "{}: {} vertices is more than nsdf supports", path_, counts.vertices);
    read_vertices(counts.vertices);
    read_faces(counts);
    // Text left over means the counts line disagrees with the body.
    std::string_view extra;
    NSDF_CHECK(!lines_.next_content(extra, '#'), core::DataError,
               "{}: line {}: unexpected data after the last face (the counts line declares {} "
               "vertices and {} faces)",
               path_, lines_.line_number(), counts.vertices, counts.faces);
    return std::move(mesh_);
  }

 private:
  OffCounts read_header() {
    std::string_view line;
    NSDF_CHECK(lines_.next_content(line, '#'), core::DataError, "{}: no OFF keyword line", path_);
    detail::Tokens tokens(line);
    std::string_view keyword;
    tokens.next(keyword);
    const size_t off = keyword.find("OFF");
    NSDF_CHECK(off != std::string_view::npos, core::DataError,
               "{}: not an OFF file: the first line is '{}', expected OFF, COFF, NOFF or CNOFF",
               path_, detail::printable(line));
    const std::string_view prefix = keyword.substr(0, off);
    for (const char c : prefix) {
      // 4OFF (4D) and nOFF (any dimension) change the vertex layout; the rest only add values.
      NSDF_CHECK(c == 'C' || c == 'N' || c == 'S' || c == 'T', core::DataError,
                 "{}: line 1: unsupported OFF variant '{}' (nsdf reads OFF, COFF, NOFF, CNOFF "
                 "and STOFF)",
                 path_, detail::printable(keyword));
    }
    normals_ = prefix.find('N') != std::string_view::npos;
    // Counts may follow the keyword on the same line, even glued to it ("OFF8 6 0").
    std::vector<std::string_view> values;
    if (off + 3 < keyword.size()) values.push_back(keyword.substr(off + 3));
    std::string_view token;
    while (tokens.next(token)) values.push_back(token);
    int64_t counts_line = lines_.line_number();
    if (values.empty()) {
      NSDF_CHECK(lines_.next_content(line, '#'), core::DataError,
                 "{}: missing the counts line 'nv nf ne' after the {} line", path_,
                 detail::printable(keyword));
      counts_line = lines_.line_number();
      detail::Tokens count_tokens(line);
      while (count_tokens.next(token)) values.push_back(token);
    }
    OffCounts counts;
    const bool ok = values.size() >= 2 && values.size() <= 3 &&
                    detail::parse_int(values[0], counts.vertices) == detail::NumberStatus::Ok &&
                    detail::parse_int(values[1], counts.faces) == detail::NumberStatus::Ok &&
                    counts.vertices >= 0 && counts.faces >= 0;
    NSDF_CHECK(ok, core::DataError,
               "{}: line {}: expected the counts line 'nv nf ne' (the counts line is missing or "
               "malformed), got '{}'",
               path_, counts_line, detail::printable(line));
    return counts;
  }

  void read_vertices(int64_t count) {
    mesh_.V.resize(count);
    if (normals_) mesh_.N.resize(count);
    const size_t width = normals_ ? 6 : 3;
    std::string_view line;
    std::string_view token;
    for (int64_t i = 0; i < count; ++i) {
      NSDF_CHECK(lines_.next_content(line, '#'), core::DataError,
                 "{}: truncated: header declares {} vertices but the file ends after {}", path_,
                 count, i);
      const int64_t n = lines_.line_number();
      detail::Tokens tokens(line);
      for (size_t c = 0; c < width; ++c) {
        NSDF_CHECK(tokens.next(token), core::DataError,
                   "{}: line {}: vertex {}: expected {}, got {} values", path_, n, i,
                   normals_ ? "6 values (x y z nx ny nz)" : "3 coordinates",
                   detail::Tokens(line).count());
        float value = 0;
        const detail::NumberStatus s = detail::parse_float(token, value);
        NSDF_CHECK(s != detail::NumberStatus::NotANumber, core::DataError,
                   "{}: line {}: vertex {}: expected a number, got '{}'", path_, n, i,
                   detail::printable(token));
        NSDF_CHECK(s != detail::NumberStatus::OutOfRange, core::DataError,
                   "{}: line {}: vertex {}: value {} out of float range", path_, n, i,
                   detail::printable(token));
        NSDF_CHECK(std::isfinite(value), core::DataError, "{}: line {}: vertex {}: {} {}", path_, n,
                   i, detail::non_finite_name(value), c < 3 ? "coordinate" : "normal component");
        (c < 3 ? mesh_.V[i][c] : mesh_.N[i][c - 3]) = value;
      }
      // Any further values are a colour or texture coordinates.
    }
  }

  void read_faces(const OffCounts& counts) {
    mesh_.F.reserve(counts.faces);
    std::string_view line;
    std::string_view token;
    for (int64_t f = 0; f < counts.faces; ++f) {
      NSDF_CHECK(lines_.next_content(line, '#'), core::DataError,
                 "{}: truncated: header declares {} faces but the file ends after {}", path_,
                 counts.faces, f);
      const int64_t n = lines_.line_number();
      detail::Tokens tokens(line);
      int64_t k = 0;
      NSDF_CHECK(tokens.next(token) && detail::parse_int(token, k) == detail::NumberStatus::Ok,
                 core::DataError, "{}: line {}: face {}: expected a vertex count, got '{}'", path_,
                 n, f, detail::printable(token));
      NSDF_CHECK(k >= 3, core::DataError, "{}: line {}: face {} has {} vertices (need at least 3)",
                 path_, n, f, k);
      int32_t first = 0;
      int32_t prev = 0;
      for (int64_t c = 0; c < k; ++c) {
        NSDF_CHECK(tokens.next(token), core::DataError,
                   "{}: line {}: face {}: expected {} vertex indices, got {}", path_, n, f, k, c);
        int64_t index = 0;
        NSDF_CHECK(detail::parse_int(token, index) == detail::NumberStatus::Ok, core::DataError,
                   "{}: line {}: face {}: expected an integer vertex index, got '{}'", path_, n, f,
                   detail::printable(token));
        NSDF_CHECK(index >= 0 && index < counts.vertices, core::DataError,
                   "{}: line {}: face index {} out of range ({} vertices)", path_, n, index,
                   counts.vertices);
        const auto i = static_cast<int32_t>(index);
        if (c == 0) first = i;
        if (c >= 2) mesh_.F.push_back({first, prev, i});
        prev = i;
      }
      // Any further values are the face colour.
    }
  }

  std::string_view data_;
  const std::string& path_;
  detail::LineReader lines_;
  Mesh mesh_;
  bool normals_ = false;
};

}  // namespace

Mesh parse_off(std::string_view data, const std::string& path) {
  return OffParser(data, path).parse();
}

Mesh read_off(const std::string& path) { return parse_off(core::read_file(path), path); }

std::string encode_off(const Mesh& mesh) {
  const bool normals = !mesh.N.empty();
  std::string out;
  auto it = std::back_inserter(out);
  fmt::format_to(it, "{}\n{} {} 0\n", normals ? "NOFF" : "OFF", mesh.V.size(), mesh.F.size());
  for (size_t i = 0; i < mesh.V.size(); ++i) {
    const Vec3f& v = mesh.V[i];
    fmt::format_to(it, "{} {} {}", v[0], v[1], v[2]);
    if (normals) fmt::format_to(it, " {} {} {}", mesh.N[i][0], mesh.N[i][1], mesh.N[i][2]);
    out += '\n';
  }
  for (const Tri& t : mesh.F) fmt::format_to(it, "3 {} {} {}\n", t[0], t[1], t[2]);
  return out;
}

void write_off(const Mesh& mesh, const std::string& path) {
  validate_mesh(mesh, path);
  core::write_file_atomic(path, encode_off(mesh));
}

}  // namespace nsdf::geometry
