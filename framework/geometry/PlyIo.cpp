#include "geometry/PlyIo.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>

#include "core/Error.h"
#include "core/Files.h"
#include "geometry/Endian.h"
#include "geometry/MeshIo.h"
#include "geometry/RangeGrid.h"
#include "geometry/TextScan.h"

namespace nsdf::geometry {

namespace {

struct TypeName {
  const char* name;
  PlyType type;
};

// Both the original names and the sized ones that newer writers (VTK, Open3D) use.
constexpr TypeName kTypeNames[] = {
    {"char", PlyType::Int8},      {"uchar", PlyType::UInt8},    {"short", PlyType::Int16},
    {"ushort", PlyType::UInt16},  {"int", PlyType::Int32},      {"uint", PlyType::UInt32},
    {"float", PlyType::Float32},  {"double", PlyType::Float64}, {"int8", PlyType::Int8},
    {"uint8", PlyType::UInt8},    {"int16", PlyType::Int16},    {"uint16", PlyType::UInt16},
    {"int32", PlyType::Int32},    {"uint32", PlyType::UInt32},  {"float32", PlyType::Float32},
    {"float64", PlyType::Float64}};

constexpr size_t kMaxHeaderBytes = size_t{16} << 20;

bool is_integer_type(PlyType t) { return t != PlyType::Float32 && t != PlyType::Float64; }

bool parse_type(std::string_view name, PlyType& out) {
  for (const auto& t : kTypeNames) {
    if (name == t.name) {
      out = t.type;
      return true;
    }
  }
  return false;
}

std::string supported_type_names() {
  std::string out;
  for (const auto& t : kTypeNames) {
    if (!out.empty()) out += ", ";
    out += t.name;
  }
  return out;
}

std::string_view rest_of_line(std::string_view line, std::string_view keyword) {
  std::string_view rest = line.substr(line.find(keyword) + keyword.size());
  while (!rest.empty() && detail::is_space(rest.front())) rest.remove_prefix(1);
  while (!rest.empty() && detail::is_space(rest.back())) rest.remove_suffix(1);
  return rest;
}

/// "vertices", "faces", or "'range_grid' elements", for messages about counts.
std::string plural(const std::string& element) {
  if (element == "vertex") return "vertices";
  if (element == "face") return "faces";
  return fmt::format("'{}' elements", element);
}

double load_real(const char* p, PlyType type, bool swap) {
  switch (type) {
    case PlyType::Int8:
      return detail::load_scalar<int8_t>(p, swap);
    case PlyType::UInt8:
      return detail::load_scalar<uint8_t>(p, swap);
    case PlyType::Int16:
      return detail::load_scalar<int16_t>(p, swap);
    case PlyType::UInt16:
      return detail::load_scalar<uint16_t>(p, swap);
    case PlyType::Int32:
      return detail::load_scalar<int32_t>(p, swap);
    case PlyType::UInt32:
      return detail::load_scalar<uint32_t>(p, swap);
    case PlyType::Float32:
      return detail::load_scalar<float>(p, swap);
    case PlyType::Float64:
      return detail::load_scalar<double>(p, swap);
  }
  return 0;
}

// Only called for integer types (the header check rejects float counts and float indices);
// every PLY integer type (at most 32 bits) is exact in a double.
int64_t load_integer(const char* p, PlyType type, bool swap) {
  return static_cast<int64_t>(load_real(p, type, swap));
}

// What the reader does with each property of an element.
enum class Role { Skip, X, Y, Z, Nx, Ny, Nz, Indices, GridIndices };

struct ElementPlan {
  const PlyElement* element = nullptr;
  std::vector<Role> roles;  // one per property
  bool is_vertex = false;
  bool is_face = false;
  bool is_grid = false;  // the range_grid of a scan without faces, to be triangulated
  bool has_list = false;
  size_t min_binary_size = 0;  // bytes of one record with every list empty
};

int coord_slot(Role r) { return static_cast<int>(r) - static_cast<int>(Role::X); }

/// Reads a PLY body into a mesh, walking over everything it does not need.
class PlyBodyReader {
 public:
  PlyBodyReader(std::string_view data, const std::string& path, const PlyHeader& header,
                bool read_faces)
      : data_(data), path_(path), header_(header), read_faces_(read_faces) {}

  Mesh read() {
    plan();
    size_t pos = header_.body_offset;
    detail::LineReader lines(data_, header_.body_offset, header_.body_first_line);
    for (const ElementPlan& plan : plans_) {
      if (header_.format == PlyFormat::Ascii) {
        read_ascii(plan, lines);
      } else {
        read_binary(plan, pos);
      }
    }
    // Text left over means the header counts disagree with the body. (Bytes after a binary
    // body are left alone: some writers pad files.)
    std::string_view extra;
    if (header_.format == PlyFormat::Ascii && lines.next_content(extra, 0)) {
      throw core::DataError(fmt::format(
          "{}: line {}: unexpected data after the last element (does the header declare too "
          "few {}?)",
          path_, lines.line_number(),
          plans_.empty() ? std::string("elements") : plural(plans_.back().element->name)));
    }
    // The grid may come before the vertices, so it is meshed once everything is read.
    if (grid_rows_ > 0) mesh_.F = triangulate_range_grid(mesh_.V, grid_, grid_rows_, grid_cols_);
    return std::move(mesh_);
  }

 private:
  void plan() {
    const PlyElement* vertex = nullptr;
    const PlyElement* face = nullptr;
    const PlyElement* grid = nullptr;
    for (const PlyElement& e : header_.elements) {
      if (e.name == "vertex" && !vertex) vertex = &e;
      if (e.name == "face" && !face) face = &e;
      if (e.name == "range_grid" && !grid) grid = &e;
    }
    NSDF_CHECK(vertex, core::DataError, "{}: no 'vertex' element in the header", path_);
    vertex_count_ = static_cast<int64_t>(vertex->count);  // parsed from an int64
    // A range scan without faces: its grid is the only connectivity there is.
    if (!(read_faces_ && grid && !face && plan_grid_shape(*grid))) grid = nullptr;
    for (const PlyElement& e : header_.elements) {
      ElementPlan p;
      p.element = &e;
      p.is_vertex = &e == vertex;
      p.is_face = &e == face && read_faces_;
      p.is_grid = &e == grid;
      p.roles.assign(e.properties.size(), Role::Skip);
      for (size_t i = 0; i < e.properties.size(); ++i) {
        const PlyProperty& prop = e.properties[i];
        p.has_list = p.has_list || prop.is_list;
        p.min_binary_size += ply_type_size(prop.is_list ? prop.count_type : prop.type);
      }
      if (p.is_vertex) plan_vertex(p);
      if (p.is_face) plan_face(p);
      if (p.is_grid) plan_grid(p);
      plans_.push_back(std::move(p));
    }
  }

  /// Reads num_cols and num_rows from the obj_info lines into grid_cols_ and grid_rows_ and
  /// checks them against the range_grid count. False when neither is given: a grid of unknown
  /// shape cannot be meshed, and the scan reads as vertices only.
  bool plan_grid_shape(const PlyElement& grid) {
    int64_t cols = 0;
    int64_t rows = 0;
    for (const std::string& info : header_.obj_info) {
      detail::Tokens tokens(info);
      std::string_view key;
      if (!tokens.next(key) || (key != "num_cols" && key != "num_rows")) continue;
      std::string_view token;
      int64_t value = 0;
      NSDF_CHECK(tokens.next(token) &&
                     detail::parse_int(token, value) == detail::NumberStatus::Ok && value > 0 &&
                     !tokens.next(token),
                 core::DataError, "{}: 'obj_info {}': expected 'obj_info {} <positive integer>'",
                 path_, detail::printable(info), key);
      int64_t& slot = key == "num_cols" ? cols : rows;
      NSDF_CHECK(slot == 0 || slot == value, core::DataError,
                 "{}: obj_info {} is given twice, as {} and {}", path_, key, slot, value);
      slot = value;
    }
    if (cols == 0 && rows == 0) return false;
    const auto count = static_cast<int64_t>(grid.count);  // parsed from an int64
    // The missing one is implied when the cells fill whole rows.
    if (cols == 0) {
      NSDF_CHECK(count > 0 && count % rows == 0, core::DataError,
                 "{}: obj_info num_cols is missing, and the range_grid's {} cells do not fill "
                 "num_rows {} equal rows",
                 path_, count, rows);
      cols = count / rows;
    } else if (rows == 0) {
      NSDF_CHECK(count > 0 && count % cols == 0, core::DataError,
                 "{}: obj_info num_rows is missing, and the range_grid's {} cells do not fill "
                 "whole rows of num_cols {}",
                 path_, count, cols);
      rows = count / cols;
    }
    // Divide rather than multiply: rows x cols may overflow.
    NSDF_CHECK(count % cols == 0 && count / cols == rows, core::DataError,
               "{}: the range_grid has {} cells but obj_info declares num_rows {} x num_cols {}",
               path_, count, rows, cols);
    grid_rows_ = rows;
    grid_cols_ = cols;
    return true;
  }

  void plan_grid(ElementPlan& p) {
    for (size_t i = 0; i < p.element->properties.size(); ++i) {
      const PlyProperty& prop = p.element->properties[i];
      if (prop.name != "vertex_indices" && prop.name != "vertex_index") continue;
      NSDF_CHECK(prop.is_list && is_integer_type(prop.type), core::DataError,
                 "{}: range_grid property '{}' is not a list of integers (expected 'property "
                 "list uchar int {}')",
                 path_, prop.name, prop.name);
      p.roles[i] = Role::GridIndices;
      return;
    }
    NSDF_CHECK(p.element->count == 0, core::DataError,
               "{}: the range_grid element has no 'vertex_indices' list", path_);
  }

  void plan_vertex(ElementPlan& p) {
    const auto find = [&](const char* name) -> int {
      for (size_t i = 0; i < p.element->properties.size(); ++i) {
        if (p.element->properties[i].name == name) return static_cast<int>(i);
      }
      return -1;
    };
    const char* coords[] = {"x", "y", "z"};
    for (int c = 0; c < 3; ++c) {
      const int i = find(coords[c]);
      NSDF_CHECK(i >= 0, core::DataError, "{}: the vertex element has no '{}' property", path_,
                 coords[c]);
      NSDF_CHECK(!p.element->properties[i].is_list, core::DataError,
                 "{}: vertex property '{}' is a list, expected a scalar", path_, coords[c]);
      p.roles[i] = static_cast<Role>(static_cast<int>(Role::X) + c);
    }
    // Normals only when all three are there as scalars; a lone "nx" is someone else's data.
    const int n[] = {find("nx"), find("ny"), find("nz")};
    bool normals = true;
    for (const int i : n) normals = normals && i >= 0 && !p.element->properties[i].is_list;
    if (normals) {
      for (int c = 0; c < 3; ++c) p.roles[n[c]] = static_cast<Role>(static_cast<int>(Role::Nx) + c);
    }
    has_normals_ = normals;
  }

  void plan_face(ElementPlan& p) {
    for (size_t i = 0; i < p.element->properties.size(); ++i) {
      const PlyProperty& prop = p.element->properties[i];
      if (prop.name != "vertex_indices" && prop.name != "vertex_index") continue;
      NSDF_CHECK(prop.is_list, core::DataError,
                 "{}: face property '{}' is a scalar, expected a list of vertex indices", path_,
                 prop.name);
      NSDF_CHECK(is_integer_type(prop.type), core::DataError,
                 "{}: face property '{}' has item type '{}', expected an integer type", path_,
                 prop.name, ply_type_name(prop.type));
      p.roles[i] = Role::Indices;
      return;
    }
    NSDF_CHECK(p.element->count == 0, core::DataError,
               "{}: the face element has no 'vertex_indices' (or 'vertex_index') list", path_);
  }

  // Vertex records: resize V (and N) once the count has passed the size check.
  void start_element(const ElementPlan& p) {
    if (p.is_vertex) {
      // Only checked here, after the size check, so that a lying header reads as truncated.
      NSDF_CHECK(p.element->count <= static_cast<uint64_t>(std::numeric_limits<int32_t>::max()),
                 core::DataError, "{}: {} vertices is more than nsdf supports ({})", path_,
                 p.element->count, std::numeric_limits<int32_t>::max());
      mesh_.V.resize(p.element->count);
      if (has_normals_) mesh_.N.resize(p.element->count);
    }
    if (p.is_face) mesh_.F.reserve(p.element->count);
    if (p.is_grid) grid_.assign(p.element->count, -1);  // bounded by the size check
  }

  void set_value(Role role, uint64_t record, double value) {
    const auto f = static_cast<float>(value);
    if (role <= Role::Z) {
      NSDF_CHECK(std::isfinite(value), core::DataError, "{}: {}vertex {}: {} coordinate", path_,
                 where(), record, std::isnan(value) ? "NaN" : "Inf");
      NSDF_CHECK(std::isfinite(f), core::DataError,
                 "{}: {}vertex {}: coordinate {} out of float range", path_, where(), record,
                 value);
      mesh_.V[record][coord_slot(role)] = f;
    } else {
      NSDF_CHECK(std::isfinite(value), core::DataError, "{}: {}vertex {}: {} normal component",
                 path_, where(), record, std::isnan(value) ? "NaN" : "Inf");
      NSDF_CHECK(std::isfinite(f), core::DataError,
                 "{}: {}vertex {}: normal component {} out of float range", path_, where(), record,
                 value);
      mesh_.N[record][coord_slot(role) - 3] = f;
    }
  }

  // Adds one polygon corner, fanning triangles from the first corner.
  void add_corner(int64_t index, int64_t corner, uint64_t record) {
    NSDF_CHECK(index >= 0 && index < vertex_count_, core::DataError,
               "{}: {}face {}: vertex index {} out of range ({} vertices)", path_, where(), record,
               index, vertex_count_);
    const auto i = static_cast<int32_t>(index);
    if (corner == 0) {
      fan_first_ = i;
    } else if (corner >= 2) {
      mesh_.F.push_back({fan_first_, fan_prev_, i});
    }
    fan_prev_ = i;
  }

  void check_polygon_size(int64_t n, uint64_t record) {
    NSDF_CHECK(n >= 3, core::DataError, "{}: {}face {} has {} vertices (need at least 3)", path_,
               where(), record, n);
  }

  // "range_grid cell 1029 (row 2, column 5)", for messages about one cell.
  std::string grid_cell(uint64_t record) const {
    const auto cols = static_cast<uint64_t>(grid_cols_);
    return fmt::format("range_grid cell {} (row {}, column {})", record, record / cols,
                       record % cols);
  }

  void check_grid_list_size(int64_t n, uint64_t record) {
    NSDF_CHECK(n <= 1, core::DataError, "{}: {}{} lists {} vertex indices, expected 0 or 1", path_,
               where(), grid_cell(record), n);
  }

  void set_grid_cell(int64_t index, uint64_t record) {
    NSDF_CHECK(index >= 0 && index < vertex_count_, core::DataError,
               "{}: {}{}: vertex index {} out of range ({} vertices)", path_, where(),
               grid_cell(record), index, vertex_count_);
    grid_[record] = static_cast<int32_t>(index);
  }

  [[noreturn]] void fail_truncated(const ElementPlan& p, size_t remaining, bool binary) {
    const PlyElement& e = *p.element;
    if (binary) {
      throw core::DataError(fmt::format(
          "{}: truncated: header declares {} {} ({}{} bytes each) but only {} bytes follow", path_,
          e.count, plural(e.name), p.has_list ? "at least " : "", p.min_binary_size, remaining));
    }
    throw core::DataError(fmt::format(
        "{}: truncated: header declares {} {} ({} values each) but only {} bytes follow", path_,
        e.count, plural(e.name), e.properties.size(), remaining));
  }

  void read_ascii(const ElementPlan& p, detail::LineReader& lines) {
    const PlyElement& e = *p.element;
    if (e.properties.empty()) return;  // records without values take no text
    // Every value takes at least one character and one separator (the very last one may end
    // the file), so a count that does not fit in the remaining text is a lie: refuse it
    // before reserving anything for it.
    const uint64_t min_record = 2 * e.properties.size();
    if (e.count > (lines.remaining() + 1) / min_record) {
      fail_truncated(p, lines.remaining(), false);
    }
    start_element(p);
    std::string_view line;
    std::string_view token;
    for (uint64_t r = 0; r < e.count; ++r) {
      if (!lines.next_content(line, 0)) {
        throw core::DataError(
            fmt::format("{}: truncated: header declares {} {} but the file ends after {} (line {})",
                        path_, e.count, plural(e.name), r, lines.line_number()));
      }
      line_ = lines.line_number();
      detail::Tokens tokens(line);
      size_t used = 0;
      const auto next = [&](std::string_view& tok) {
        if (!tokens.next(tok)) {
          throw core::DataError(fmt::format("{}: {}{} {}: expected {}{} values, got {}", path_,
                                            where(), e.name, r, p.has_list ? "at least " : "",
                                            p.has_list ? used + 1 : e.properties.size(), used));
        }
        ++used;
      };
      for (size_t i = 0; i < e.properties.size(); ++i) {
        const PlyProperty& prop = e.properties[i];
        const Role role = p.roles[i];
        next(token);
        if (!prop.is_list) {
          if (role == Role::Skip) continue;
          float value = 0;
          const detail::NumberStatus s = detail::parse_float(token, value);
          NSDF_CHECK(s != detail::NumberStatus::NotANumber, core::DataError,
                     "{}: {}vertex {}: property '{}': expected a number, got '{}'", path_, where(),
                     r, prop.name, detail::printable(token));
          NSDF_CHECK(s != detail::NumberStatus::OutOfRange, core::DataError,
                     "{}: {}vertex {}: property '{}': value {} out of float range", path_, where(),
                     r, prop.name, detail::printable(token));
          set_value(role, r, value);
          continue;
        }
        int64_t n = 0;
        NSDF_CHECK(detail::parse_int(token, n) == detail::NumberStatus::Ok && n >= 0,
                   core::DataError, "{}: {}{} {}: list '{}': expected a count, got '{}'", path_,
                   where(), e.name, r, prop.name, detail::printable(token));
        if (role == Role::Indices) check_polygon_size(n, r);
        if (role == Role::GridIndices) check_grid_list_size(n, r);
        for (int64_t k = 0; k < n; ++k) {
          next(token);
          if (role != Role::Indices && role != Role::GridIndices) continue;
          int64_t index = 0;
          const detail::NumberStatus s = detail::parse_int(token, index);
          NSDF_CHECK(s == detail::NumberStatus::Ok, core::DataError,
                     "{}: {}{}: expected an integer vertex index, got '{}'", path_, where(),
                     role == Role::Indices ? fmt::format("face {}", r) : grid_cell(r),
                     detail::printable(token));
          if (role == Role::Indices) {
            add_corner(index, k, r);
          } else {
            set_grid_cell(index, r);
          }
        }
      }
      if (tokens.next(token)) {
        throw core::DataError(fmt::format("{}: {}{} {}: expected {} values, got {}", path_, where(),
                                          e.name, r, used, detail::Tokens(line).count()));
      }
    }
  }

  void read_binary(const ElementPlan& p, size_t& pos) {
    const PlyElement& e = *p.element;
    const bool swap = (header_.format == PlyFormat::BinaryBigEndian) != detail::kHostIsBigEndian;
    const size_t remaining = data_.size() - pos;
    byte_ = 0;
    if (p.min_binary_size == 0) return;  // records without values take no bytes
    if (e.count > remaining / p.min_binary_size) fail_truncated(p, remaining, true);
    start_element(p);
    const char* base = data_.data();
    if (!p.has_list) {
      const size_t record_size = p.min_binary_size;
      if (p.is_vertex) {
        // Fixed-size records: gather the offsets once, then no per-record bounds checks.
        std::vector<std::pair<size_t, size_t>> wanted;  // (offset, property index)
        size_t offset = 0;
        for (size_t i = 0; i < e.properties.size(); ++i) {
          if (p.roles[i] != Role::Skip) wanted.emplace_back(offset, i);
          offset += ply_type_size(e.properties[i].type);
        }
        for (uint64_t r = 0; r < e.count; ++r) {
          const char* record = base + pos + r * record_size;
          for (const auto& [off, i] : wanted) {
            set_value(p.roles[i], r, load_real(record + off, e.properties[i].type, swap));
          }
        }
      }
      pos += e.count * record_size;
      return;
    }
    for (uint64_t r = 0; r < e.count; ++r) {
      const size_t record_start = pos;
      const auto need = [&](uint64_t bytes) {
        if (bytes > data_.size() - pos) {
          throw core::DataError(
              fmt::format("{}: truncated: {} {} (byte offset {}) runs past the end of the file "
                          "(header declares {} {})",
                          path_, e.name, r, record_start, e.count, plural(e.name)));
        }
      };
      byte_ = record_start;
      for (size_t i = 0; i < e.properties.size(); ++i) {
        const PlyProperty& prop = e.properties[i];
        const Role role = p.roles[i];
        if (!prop.is_list) {
          const size_t size = ply_type_size(prop.type);
          need(size);
          if (role != Role::Skip) set_value(role, r, load_real(base + pos, prop.type, swap));
          pos += size;
          continue;
        }
        const size_t count_size = ply_type_size(prop.count_type);
        need(count_size);
        const int64_t n = load_integer(base + pos, prop.count_type, swap);
        pos += count_size;
        NSDF_CHECK(n >= 0, core::DataError, "{}: {}{} {}: list '{}' has negative count {}", path_,
                   where(), e.name, r, prop.name, n);
        const size_t item_size = ply_type_size(prop.type);
        // Check before the multiplication can overflow: n < 2^32 and item_size <= 8.
        need(static_cast<uint64_t>(n) * item_size);
        if (role == Role::Indices) {
          check_polygon_size(n, r);
          for (int64_t k = 0; k < n; ++k) {
            add_corner(load_integer(base + pos + k * item_size, prop.type, swap), k, r);
          }
        } else if (role == Role::GridIndices) {
          check_grid_list_size(n, r);
          if (n == 1) set_grid_cell(load_integer(base + pos, prop.type, swap), r);
        }
        pos += static_cast<size_t>(n) * item_size;
      }
    }
  }

  // Where the record being read starts, for messages: "line 12: " (ascii), "byte 96: "
  // (binary records with lists), or nothing (fixed-size binary records: the index says it).
  std::string where() const {
    if (line_ > 0) return fmt::format("line {}: ", line_);
    if (byte_ > 0) return fmt::format("byte {}: ", byte_);
    return {};
  }

  std::string_view data_;
  const std::string& path_;
  const PlyHeader& header_;
  bool read_faces_;
  std::vector<ElementPlan> plans_;
  Mesh mesh_;
  int64_t vertex_count_ = 0;
  bool has_normals_ = false;
  // The range grid being meshed (grid_rows_ > 0 only then): a vertex index or -1 per cell.
  int64_t grid_rows_ = 0;
  int64_t grid_cols_ = 0;
  std::vector<int32_t> grid_;
  int64_t line_ = 0;
  size_t byte_ = 0;
  int32_t fan_first_ = 0;
  int32_t fan_prev_ = 0;
};

Mesh parse_body(std::string_view data, const std::string& path, bool read_faces) {
  const PlyHeader header = parse_ply_header(data, path);
  return PlyBodyReader(data, path, header, read_faces).read();
}

void append_header(std::string& out, PlyFormat format, size_t vertices, bool normals,
                   const size_t* faces) {
  fmt::format_to(std::back_inserter(out),
                 "ply\nformat {} 1.0\ncomment written by nsdf\nelement vertex {}\n"
                 "property float x\nproperty float y\nproperty float z\n",
                 ply_format_name(format), vertices);
  if (normals) out += "property float nx\nproperty float ny\nproperty float nz\n";
  if (faces) {
    fmt::format_to(std::back_inserter(out),
                   "element face {}\nproperty list uchar int vertex_indices\n", *faces);
  }
  out += "end_header\n";
}

void append_vertices(std::string& out, PlyFormat format, const std::vector<Vec3f>& V,
                     const std::vector<Vec3f>& N) {
  const bool normals = !N.empty();
  if (format == PlyFormat::Ascii) {
    for (size_t i = 0; i < V.size(); ++i) {
      // fmt prints the shortest digits that read back to the same float.
      fmt::format_to(std::back_inserter(out), "{} {} {}", V[i][0], V[i][1], V[i][2]);
      if (normals) fmt::format_to(std::back_inserter(out), " {} {} {}", N[i][0], N[i][1], N[i][2]);
      out += '\n';
    }
    return;
  }
  const bool swap = (format == PlyFormat::BinaryBigEndian) != detail::kHostIsBigEndian;
  out.reserve(out.size() + V.size() * (normals ? 24 : 12));
  for (size_t i = 0; i < V.size(); ++i) {
    for (const float c : V[i]) detail::append_scalar(out, c, swap);
    if (normals) {
      for (const float c : N[i]) detail::append_scalar(out, c, swap);
    }
  }
}

}  // namespace

std::string_view ply_format_name(PlyFormat format) {
  switch (format) {
    case PlyFormat::Ascii:
      return "ascii";
    case PlyFormat::BinaryLittleEndian:
      return "binary_little_endian";
    case PlyFormat::BinaryBigEndian:
      return "binary_big_endian";
  }
  return "?";
}

std::string_view ply_type_name(PlyType type) {
  for (const auto& t : kTypeNames) {
    if (t.type == type) return t.name;
  }
  return "?";
}

size_t ply_type_size(PlyType type) {
  switch (type) {
    case PlyType::Int8:
    case PlyType::UInt8:
      return 1;
    case PlyType::Int16:
    case PlyType::UInt16:
      return 2;
    case PlyType::Int32:
    case PlyType::UInt32:
    case PlyType::Float32:
      return 4;
    case PlyType::Float64:
      return 8;
  }
  return 0;
}

PlyHeader parse_ply_header(std::string_view data, const std::string& path) {
  NSDF_CHECK(!data.empty(), core::DataError, "{}: empty file", path);
  detail::LineReader lines(data, 0, 1);
  std::string_view line;
  std::string_view token;
  lines.next(line);
  {
    detail::Tokens tokens(line);
    NSDF_CHECK(tokens.next(token) && token == "ply" && !tokens.next(token), core::DataError,
               "{}: not a PLY file: the first line is '{}', expected 'ply'", path,
               detail::printable(line));
  }
  PlyHeader header;
  bool has_format = false;
  while (lines.next(line)) {
    const int64_t n = lines.line_number();
    detail::Tokens tokens(line);
    if (!tokens.next(token)) continue;  // blank header lines are harmless
    if (token == "end_header") {
      NSDF_CHECK(has_format, core::DataError, "{}: the header has no 'format' line", path);
      header.body_offset = data.size() - lines.remaining();
      header.body_first_line = n + 1;
      return header;
    }
    if (token == "comment") {
      header.comments.emplace_back(rest_of_line(line, "comment"));
    } else if (token == "obj_info") {
      header.obj_info.emplace_back(rest_of_line(line, "obj_info"));
    } else if (token == "format") {
      std::string_view name;
      NSDF_CHECK(tokens.next(name), core::DataError, "{}: line {}: 'format' without a format name",
                 path, n);
      if (name == "ascii") {
        header.format = PlyFormat::Ascii;
      } else if (name == "binary_little_endian") {
        header.format = PlyFormat::BinaryLittleEndian;
      } else if (name == "binary_big_endian") {
        header.format = PlyFormat::BinaryBigEndian;
      } else {
        throw core::DataError(
            fmt::format("{}: line {}: unknown format '{}' (expected ascii, binary_little_endian or "
                        "binary_big_endian)",
                        path, n, detail::printable(name)));
      }
      std::string_view version;
      if (tokens.next(version)) header.version = std::string(version);
      has_format = true;
    } else if (token == "element") {
      std::string_view name;
      std::string_view count;
      NSDF_CHECK(tokens.next(name) && tokens.next(count), core::DataError,
                 "{}: line {}: expected 'element <name> <count>', got '{}'", path, n,
                 detail::printable(line));
      int64_t value = 0;
      NSDF_CHECK(detail::parse_int(count, value) == detail::NumberStatus::Ok && value >= 0,
                 core::DataError, "{}: line {}: element '{}': bad count '{}'", path, n,
                 detail::printable(name), detail::printable(count));
      header.elements.push_back({std::string(name), static_cast<uint64_t>(value), {}});
    } else if (token == "property") {
      NSDF_CHECK(!header.elements.empty(), core::DataError,
                 "{}: line {}: 'property' before any 'element'", path, n);
      PlyProperty prop;
      std::string_view type;
      NSDF_CHECK(tokens.next(type), core::DataError, "{}: line {}: 'property' without a type", path,
                 n);
      const auto parse_checked = [&](std::string_view name, PlyType& out) {
        NSDF_CHECK(parse_type(name, out), core::DataError,
                   "{}: line {}: unsupported property type '{}' (supported: {})", path, n,
                   detail::printable(name), supported_type_names());
      };
      if (type == "list") {
        std::string_view count_type;
        std::string_view item_type;
        NSDF_CHECK(tokens.next(count_type) && tokens.next(item_type), core::DataError,
                   "{}: line {}: expected 'property list <count type> <item type> <name>'", path,
                   n);
        prop.is_list = true;
        parse_checked(count_type, prop.count_type);
        parse_checked(item_type, prop.type);
        NSDF_CHECK(is_integer_type(prop.count_type), core::DataError,
                   "{}: line {}: list count type '{}' is not an integer type", path, n,
                   detail::printable(count_type));
      } else {
        parse_checked(type, prop.type);
      }
      std::string_view name;
      NSDF_CHECK(tokens.next(name), core::DataError, "{}: line {}: property without a name", path,
                 n);
      prop.name = std::string(name);
      header.elements.back().properties.push_back(std::move(prop));
    } else {
      throw core::DataError(fmt::format(
          "{}: line {}: unknown header keyword '{}' (is the 'end_header' line missing?)", path, n,
          detail::printable(token)));
    }
  }
  throw core::DataError(
      fmt::format("{}: missing 'end_header': the header runs to the end of the file", path));
}

PlyHeader read_ply_header(const std::string& path) {
  std::error_code ec;
  NSDF_CHECK(!std::filesystem::is_directory(path, ec), core::IoError,
             "{}: cannot read: is a folder, not a file", path);
  std::ifstream in(path, std::ios::binary);
  NSDF_CHECK(in.good(), core::IoError, "{}: cannot open for reading", path);
  // Read in chunks until the end_header line has arrived: a header is small, a body may not be.
  std::string text;
  char chunk[1 << 16];
  for (;;) {
    in.read(chunk, sizeof(chunk));
    const auto got = static_cast<size_t>(in.gcount());
    NSDF_CHECK(!in.bad(), core::IoError, "{}: read failed", path);
    const size_t search_from = text.size() > 16 ? text.size() - 16 : 0;
    text.append(chunk, got);
    const size_t end = text.find("end_header", search_from);
    if (end != std::string::npos && text.find('\n', end) != std::string::npos) break;
    if (got < sizeof(chunk)) break;  // end of file
    NSDF_CHECK(text.size() < kMaxHeaderBytes, core::DataError,
               "{}: missing 'end_header' in the first {} bytes", path, text.size());
  }
  return parse_ply_header(text, path);
}

Mesh parse_ply(std::string_view data, const std::string& path) {
  return parse_body(data, path, true);
}

PointCloud parse_ply_point_cloud(std::string_view data, const std::string& path) {
  Mesh mesh = parse_body(data, path, false);
  return {std::move(mesh.V), std::move(mesh.N)};
}

Mesh read_ply(const std::string& path) { return parse_ply(core::read_file(path), path); }

PointCloud read_ply_point_cloud(const std::string& path) {
  return parse_ply_point_cloud(core::read_file(path), path);
}

std::string encode_ply(const Mesh& mesh, PlyFormat format) {
  std::string out;
  const size_t faces = mesh.F.size();
  append_header(out, format, mesh.V.size(), !mesh.N.empty(), &faces);
  append_vertices(out, format, mesh.V, mesh.N);
  if (format == PlyFormat::Ascii) {
    for (const Tri& t : mesh.F)
      fmt::format_to(std::back_inserter(out), "3 {} {} {}\n", t[0], t[1], t[2]);
    return out;
  }
  const bool swap = (format == PlyFormat::BinaryBigEndian) != detail::kHostIsBigEndian;
  out.reserve(out.size() + faces * 13);
  for (const Tri& t : mesh.F) {
    out += static_cast<char>(3);
    for (const int32_t i : t) detail::append_scalar(out, i, swap);
  }
  return out;
}

std::string encode_ply(const PointCloud& cloud, PlyFormat format) {
  std::string out;
  append_header(out, format, cloud.P.size(), !cloud.N.empty(), nullptr);
  append_vertices(out, format, cloud.P, cloud.N);
  return out;
}

void write_ply(const Mesh& mesh, const std::string& path, PlyFormat format) {
  validate_mesh(mesh, path);
  core::write_file_atomic(path, encode_ply(mesh, format));
}

void write_ply(const PointCloud& cloud, const std::string& path, PlyFormat format) {
  validate_point_cloud(cloud, path);
  core::write_file_atomic(path, encode_ply(cloud, format));
}

}  // namespace nsdf::geometry
