#include "geometry/ObjIo.h"

#include <cmath>
#include <cstdint>
#include <iterator>
#include <limits>
#include <utility>
#include <vector>

#include "core/Error.h"
#include "core/Files.h"
#include "geometry/MeshIo.h"
#include "geometry/TextScan.h"

namespace nsdf::geometry {

namespace {

constexpr int64_t kMaxVertices = std::numeric_limits<int32_t>::max();

struct ObjContents {
  Mesh mesh;
  std::vector<Vec3f> normals;  // the `vn` lines
  bool faces_name_normals = false;
};

class ObjParser {
 public:
  ObjParser(std::string_view data, const std::string& path) : data_(data), path_(path) {}

  ObjContents parse() {
    NSDF_CHECK(!data_.empty(), core::DataError, "{}: empty file", path_);
    detail::LineReader lines(data_, 0, 1);
    std::string_view line;
    std::string_view keyword;
    while (lines.next_content(line, '#')) {
      line_ = lines.line_number();
      detail::Tokens tokens(line);
      tokens.next(keyword);
      if (keyword == "v") {
        NSDF_CHECK(static_cast<int64_t>(out_.mesh.V.size()) < kMaxVertices, core::DataError,
                   "{}: line {}: more vertices than nsdf supports ({})", path_, line_,
                   kMaxVertices);
        out_.mesh.V.push_back(read_vec3(tokens, line, "coordinate", "vertex", out_.mesh.V.size()));
      } else if (keyword == "vn") {
        out_.normals.push_back(read_vec3(tokens, line, "component", "normal", out_.normals.size()));
      } else if (keyword == "f") {
        read_face(tokens);
      }
      // Everything else (vt, o, g, s, usemtl, mtllib, l, p, curves, ...) carries no geometry
      // that a signed distance function needs.
    }
    finish();
    return std::move(out_);
  }

 private:
  Vec3f read_vec3(detail::Tokens& tokens, std::string_view line, const char* value_name,
                  const char* row_name, size_t row) {
    Vec3f v{};
    std::string_view token;
    for (int c = 0; c < 3; ++c) {
      NSDF_CHECK(tokens.next(token), core::DataError, "{}: line {}: expected 3 {}s, got {}", path_,
                 line_, value_name, detail::Tokens(line).count() - 1);
      const detail::NumberStatus s = detail::parse_float(token, v[c]);
      NSDF_CHECK(s != detail::NumberStatus::NotANumber, core::DataError,
                 "{}: line {}: expected a number, got '{}'", path_, line_,
                 detail::printable(token));
      NSDF_CHECK(s != detail::NumberStatus::OutOfRange, core::DataError,
                 "{}: line {}: {} {}: {} {} out of float range", path_, line_, row_name, row,
                 value_name, detail::printable(token));
      NSDF_CHECK(std::isfinite(v[c]), core::DataError, "{}: line {}: {} {}: {} {}", path_, line_,
                 row_name, row, detail::non_finite_name(v[c]), value_name);
    }
    return v;  // further values (w, or r g b) are not geometry
  }

  // What face corners index: vertices or normals.
  struct IndexKind {
    const char* name;     // "face" or "normal", as in "face index 9"
    const char* entries;  // "vertices" or "normals"
    int64_t max_forward = 0;
    int64_t max_forward_line = 0;
  };

  // Resolves a 1-based or negative OBJ index against the `count` entries defined so far.
  // A positive index past `count` may be defined by a later line: remember the largest and
  // check it once the whole file is read.
  int64_t resolve(int64_t index, size_t count, IndexKind& kind) {
    NSDF_CHECK(index != 0, core::DataError,
               "{}: line {}: {} index 0 is invalid (OBJ indices start at 1)", path_, line_,
               kind.name);
    const auto n = static_cast<int64_t>(count);
    if (index < 0) {
      // index >= -n, not -index <= n: negating INT64_MIN overflows (found by the OBJ fuzzer).
      NSDF_CHECK(index >= -n, core::DataError,
                 "{}: line {}: {} index {} out of range ({} {} so far)", path_, line_, kind.name,
                 index, n, kind.entries);
      return n + index;
    }
    if (index > n && index > kind.max_forward) {
      kind.max_forward = index;
      kind.max_forward_line = line_;
    }
    return index - 1;
  }

  void check_forward(const IndexKind& kind, size_t count) {
    const auto n = static_cast<int64_t>(count);
    NSDF_CHECK(kind.max_forward <= n, core::DataError,
               "{}: line {}: {} index {} out of range ({} {})", path_, kind.max_forward_line,
               kind.name, kind.max_forward, n, kind.entries);
  }

  int64_t parse_index(std::string_view text, std::string_view corner) {
    int64_t index = 0;
    const detail::NumberStatus s = detail::parse_int(text, index);
    NSDF_CHECK(s == detail::NumberStatus::Ok, core::DataError,
               "{}: line {}: bad face corner '{}' (expected v, v/vt, v//vn or v/vt/vn)", path_,
               line_, detail::printable(corner));
    return index;
  }

  void read_face(detail::Tokens& tokens) {
    std::string_view corner;
    int64_t k = 0;
    int32_t first = 0;
    int32_t prev = 0;
    while (tokens.next(corner)) {
      const size_t slash = corner.find('/');
      const int64_t v =
          resolve(parse_index(corner.substr(0, slash), corner), out_.mesh.V.size(), vertices_);
      if (slash != std::string_view::npos) {
        const std::string_view rest = corner.substr(slash + 1);
        const size_t slash2 = rest.find('/');
        if (slash2 != std::string_view::npos) {
          // rest[0, slash2) is the texture coordinate: checked for syntax, otherwise unused.
          if (slash2 > 0) parse_index(rest.substr(0, slash2), corner);
          const int64_t vn =
              resolve(parse_index(rest.substr(slash2 + 1), corner), out_.normals.size(), normals_);
          add_corner_normal(v, vn);
        } else {
          parse_index(rest, corner);
        }
      }
      // Fan triangulation: (first, prev, this) for every corner after the second.
      const auto i = static_cast<int32_t>(std::min<int64_t>(v, kMaxVertices));
      if (k == 0) first = i;
      if (k >= 2) out_.mesh.F.push_back({first, prev, i});
      prev = i;
      ++k;
    }
    NSDF_CHECK(k >= 3, core::DataError, "{}: line {}: face has {} vertices (need at least 3)",
               path_, line_, k);
  }

  // Remembers which normal a vertex's corners name: the first one, how often it was named,
  // and every disagreeing corner (rare: creases), resolved in finish() once all `vn` exist.
  void add_corner_normal(int64_t v, int64_t vn) {
    out_.faces_name_normals = true;
    if (first_vn_.size() < out_.mesh.V.size()) first_vn_.resize(out_.mesh.V.size(), -1);
    if (v >= static_cast<int64_t>(first_vn_.size())) {
      pending_.emplace_back(v, vn);  // a vertex defined further down the file
      return;
    }
    record_normal(v, vn);
  }

  void record_normal(int64_t v, int64_t vn) {
    if (first_uses_.size() < first_vn_.size()) first_uses_.resize(first_vn_.size(), 0);
    if (first_vn_[v] < 0) first_vn_[v] = vn;
    if (first_vn_[v] == vn) {
      ++first_uses_[v];
    } else {
      disagreeing_.emplace_back(v, vn);
    }
  }

  void finish() {
    NSDF_CHECK(!out_.mesh.V.empty(), core::DataError,
               "{}: no vertices ('v' lines): not an OBJ mesh", path_);
    check_forward(vertices_, out_.mesh.V.size());
    check_forward(normals_, out_.normals.size());
    if (!out_.faces_name_normals) return;
    first_vn_.resize(out_.mesh.V.size(), -1);
    for (const auto& [v, vn] : pending_) record_normal(v, vn);
    std::vector<Vec3f>& N = out_.mesh.N;
    N.assign(out_.mesh.V.size(), Vec3f{0, 0, 0});
    for (size_t v = 0; v < first_vn_.size(); ++v) {
      if (first_vn_[v] >= 0) N[v] = out_.normals[first_vn_[v]];
    }
    if (disagreeing_.empty()) return;
    // A vertex whose corners name different normals gets their mean, weighted per corner.
    std::vector<std::array<double, 3>> sum(N.size(), {0, 0, 0});
    std::vector<bool> mixed(N.size(), false);
    for (const auto& [v, vn] : disagreeing_) {
      mixed[v] = true;
      for (int c = 0; c < 3; ++c) sum[v][c] += out_.normals[vn][c];
    }
    for (size_t v = 0; v < N.size(); ++v) {
      if (!mixed[v]) continue;
      for (int c = 0; c < 3; ++c) sum[v][c] += double(first_uses_[v]) * N[v][c];
      const double len =
          std::sqrt(sum[v][0] * sum[v][0] + sum[v][1] * sum[v][1] + sum[v][2] * sum[v][2]);
      if (len > 0) {
        for (int c = 0; c < 3; ++c) N[v][c] = static_cast<float>(sum[v][c] / len);
      }
    }
  }

  std::string_view data_;
  const std::string& path_;
  ObjContents out_;
  int64_t line_ = 0;
  IndexKind vertices_{"face", "vertices"};
  IndexKind normals_{"normal", "normals"};
  std::vector<int64_t> first_vn_;
  std::vector<int32_t> first_uses_;
  std::vector<std::pair<int64_t, int64_t>> disagreeing_;
  std::vector<std::pair<int64_t, int64_t>> pending_;
};

}  // namespace

Mesh parse_obj(std::string_view data, const std::string& path) {
  return ObjParser(data, path).parse().mesh;
}

PointCloud parse_obj_point_cloud(std::string_view data, const std::string& path) {
  ObjContents obj = ObjParser(data, path).parse();
  PointCloud cloud{std::move(obj.mesh.V), std::move(obj.mesh.N)};
  if (!obj.faces_name_normals && obj.normals.size() == cloud.P.size()) {
    cloud.N = std::move(obj.normals);
  }
  return cloud;
}

Mesh read_obj(const std::string& path) { return parse_obj(core::read_file(path), path); }

PointCloud read_obj_point_cloud(const std::string& path) {
  return parse_obj_point_cloud(core::read_file(path), path);
}

std::string encode_obj(const Mesh& mesh) {
  std::string out = "# written by nsdf\n";
  auto it = std::back_inserter(out);
  for (const Vec3f& v : mesh.V) fmt::format_to(it, "v {} {} {}\n", v[0], v[1], v[2]);
  for (const Vec3f& n : mesh.N) fmt::format_to(it, "vn {} {} {}\n", n[0], n[1], n[2]);
  for (const Tri& t : mesh.F) {
    if (mesh.N.empty()) {
      fmt::format_to(it, "f {} {} {}\n", t[0] + 1, t[1] + 1, t[2] + 1);
    } else {
      fmt::format_to(it, "f {0}//{0} {1}//{1} {2}//{2}\n", t[0] + 1, t[1] + 1, t[2] + 1);
    }
  }
  return out;
}

void write_obj(const Mesh& mesh, const std::string& path) {
  validate_mesh(mesh, path);
  core::write_file_atomic(path, encode_obj(mesh));
}

}  // namespace nsdf::geometry
