// describe_file: reads a geometry file with the ordinary readers and reports what it holds.
#include "geometry/Inspect.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <vector>

#include "core/Error.h"
#include "geometry/Mesh.h"
#include "geometry/MeshIo.h"
#include "geometry/MeshTopology.h"
#include "geometry/Npy.h"
#include "geometry/PlyIo.h"
#include "geometry/TextScan.h"

namespace nsdf::geometry {

namespace {

constexpr const char* kSupportedExtensions = ".ply, .obj, .off, .xyz, .npy, .npz";
// Arrays this small are printed whole (DeepSDF's offset and scale, a camera, a label).
constexpr int64_t kMaxPrintedValues = 8;
constexpr size_t kKeyWidth = 24;

/// Collects "  key: value" lines with the values aligned.
class Report {
 public:
  explicit Report(const std::string& first_line) : text_(first_line + "\n") {}

  void line(const std::string& key, const std::string& value, int indent = 1) {
    const std::string prefix(static_cast<size_t>(2 * indent), ' ');
    const size_t width = kKeyWidth > prefix.size() ? kKeyWidth - prefix.size() : 0;
    text_ += fmt::format("{}{:<{}} {}\n", prefix, key + ":", width, value);
  }

  std::string str() const { return text_; }

 private:
  std::string text_;
};

std::string yes_no(bool b) { return b ? "yes" : "no"; }

std::string number(double v) { return fmt::format("{:.6g}", v); }

std::string triple(const std::array<double, 3>& v) {
  return fmt::format("({}, {}, {})", number(v[0]), number(v[1]), number(v[2]));
}

// Python's repr of a shape tuple, as numpy prints it: "()", "(3,)", "(2, 3)".
std::string shape_repr(const std::vector<int64_t>& shape) {
  if (shape.size() == 1) return fmt::format("({},)", shape[0]);
  return fmt::format("({})", fmt::join(shape, ", "));
}

void add_bounding_box(Report& report, const std::vector<Vec3f>& points) {
  if (points.empty()) {
    report.line("bounding box", "empty (no points)");
    return;
  }
  std::array<double, 3> lo;
  std::array<double, 3> hi;
  lo.fill(std::numeric_limits<double>::infinity());
  hi.fill(-std::numeric_limits<double>::infinity());
  for (const Vec3f& p : points) {
    for (int c = 0; c < 3; ++c) {
      lo[c] = std::min(lo[c], static_cast<double>(p[c]));
      hi[c] = std::max(hi[c], static_cast<double>(p[c]));
    }
  }
  const std::array<double, 3> size{hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]};
  report.line("bounding box min", triple(lo));
  report.line("bounding box max", triple(hi));
  report.line("bounding box size", triple(size));
  report.line("bounding box diagonal",
              number(std::sqrt(size[0] * size[0] + size[1] * size[1] + size[2] * size[2])));
}

std::string property_text(const PlyProperty& p) {
  if (p.is_list) {
    return fmt::format("list {} {} {}", ply_type_name(p.count_type), ply_type_name(p.type), p.name);
  }
  return fmt::format("{} {}", ply_type_name(p.type), p.name);
}

// What the header declares, so that data the reader drops (confidence, colours, range_grid) is
// still visible.
void add_ply_header(Report& report, const PlyHeader& header) {
  report.line("format", fmt::format("PLY {}{}", ply_format_name(header.format),
                                    header.version.empty() ? "" : " " + header.version));
  for (const std::string& c : header.comments) report.line("comment", c);
  for (const std::string& c : header.obj_info) report.line("obj_info", c);
  for (const PlyElement& e : header.elements) {
    std::vector<std::string> props;
    for (const PlyProperty& p : e.properties) props.push_back(property_text(p));
    report.line(fmt::format("element {}", e.name),
                fmt::format("{}{}{}", e.count, props.empty() ? "" : ": ", fmt::join(props, ", ")));
  }
}

uint64_t ply_face_count(const PlyHeader& header) {
  for (const PlyElement& e : header.elements) {
    if (e.name == "face") return e.count;
  }
  return 0;
}

void add_topology(Report& report, const Mesh& mesh) {
  std::vector<bool> used(mesh.V.size(), false);
  for (const Tri& t : mesh.F) {
    for (const int32_t v : t) used[static_cast<size_t>(v)] = true;
  }
  const auto unreferenced = std::count(used.begin(), used.end(), false);
  const TopologyReport t = analyze_topology(mesh);
  report.line("unreferenced vertices", fmt::to_string(unreferenced));
  report.line("boundary edges", fmt::to_string(t.boundary_edges));
  report.line("non-manifold edges", fmt::to_string(t.non_manifold_edges));
  report.line("non-manifold vertices", fmt::to_string(t.non_manifold_vertices));
  report.line("degenerate faces", fmt::to_string(t.degenerate_faces));
  report.line("components", fmt::to_string(t.components));
  report.line("euler characteristic", fmt::to_string(t.euler));
  report.line("watertight", yes_no(t.watertight));
  report.line("consistently oriented", yes_no(t.consistently_oriented));
}

std::string describe_mesh_file(const std::string& path, const std::string& ext) {
  PlyHeader header;
  if (ext == ".ply") header = read_ply_header(path);
  const Mesh mesh = read_mesh(path);
  // A file without faces is a point cloud whatever its format; OBJ point clouds keep their
  // normals in `vn` lines that only the point-cloud reader pairs with the vertices.
  const bool is_cloud = mesh.F.empty();
  PointCloud cloud;
  if (is_cloud) {
    cloud = ext == ".obj" ? read_point_cloud(path) : PointCloud{mesh.V, mesh.N};
  }

  Report report(fmt::format("{}: {}", path, is_cloud ? "point cloud" : "triangle mesh"));
  if (ext == ".ply") {
    add_ply_header(report, header);
  } else {
    report.line("format", ext == ".obj" ? "OBJ" : "OFF");
  }
  if (is_cloud) {
    report.line("points", fmt::to_string(cloud.P.size()));
    report.line("normals", yes_no(!cloud.N.empty()));
    add_bounding_box(report, cloud.P);
    return report.str();
  }
  report.line("vertices", fmt::to_string(mesh.V.size()));
  std::string faces = fmt::format("{} triangles", mesh.F.size());
  const uint64_t polygons = ply_face_count(header);
  if (ext == ".ply" && polygons == 0 && !mesh.F.empty()) {
    faces += " (triangulated from the range grid)";
  } else if (ext == ".ply" && polygons != mesh.F.size()) {
    faces += fmt::format(" (from {} polygons)", polygons);
  }
  report.line("faces", faces);
  report.line("normals", yes_no(!mesh.N.empty()));
  add_bounding_box(report, mesh.V);
  add_topology(report, mesh);
  return report.str();
}

std::string describe_xyz(const std::string& path) {
  const PointCloud cloud = read_point_cloud(path);
  Report report(fmt::format("{}: point cloud", path));
  report.line("format", "XYZ");
  report.line("points", fmt::to_string(cloud.P.size()));
  report.line("normals", yes_no(!cloud.N.empty()));
  add_bounding_box(report, cloud.P);
  return report.str();
}

struct ColumnRange {
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  int64_t non_finite = 0;
};

ColumnRange column_range(const NpyArray& a, int64_t column) {
  ColumnRange r;
  const int64_t columns = a.shape[1];
  for (int64_t row = 0; row < a.shape[0]; ++row) {
    const double v = a.data[static_cast<size_t>(row * columns + column)];
    if (!std::isfinite(v)) {
      ++r.non_finite;
      continue;
    }
    r.min = std::min(r.min, v);
    r.max = std::max(r.max, v);
  }
  return r;
}

std::string range_text(const ColumnRange& r) {
  if (r.min > r.max) return r.non_finite == 0 ? "no values" : "no finite values";
  std::string out = fmt::format("[{}, {}]", number(r.min), number(r.max));
  if (r.non_finite > 0) out += fmt::format(" ({} non-finite)", r.non_finite);
  return out;
}

bool is_point_table(const NpyArray& a) {
  return a.shape.size() == 2 && (a.shape[1] == 3 || a.shape[1] == 4 || a.shape[1] == 6);
}

// Column ranges of N x 3 (points), N x 4 (points + sdf, as DeepSDF stores samples) and N x 6
// (points + normals) arrays: the quickest check that data is normalized and signs are sane.
void add_array(Report& report, const NpyArray& a, int indent) {
  report.line("dtype", a.dtype, indent);
  report.line("shape", shape_repr(a.shape), indent);
  if (a.size() <= kMaxPrintedValues) {
    std::vector<std::string> values;
    for (const double v : a.data) values.push_back(number(v));
    report.line("values", fmt::format("[{}]", fmt::join(values, ", ")), indent);
  }
  if (!is_point_table(a)) return;
  static const char* const kNames3[] = {"x", "y", "z"};
  static const char* const kNames4[] = {"x", "y", "z", "sdf"};
  static const char* const kNames6[] = {"x", "y", "z", "nx", "ny", "nz"};
  const int64_t columns = a.shape[1];
  const char* const* names = columns == 3 ? kNames3 : columns == 4 ? kNames4 : kNames6;
  for (int64_t c = 0; c < columns; ++c) {
    report.line(fmt::format("column {} ({})", c, names[c]), range_text(column_range(a, c)), indent);
  }
}

std::string describe_npy(const std::string& path) {
  const NpyArray array = read_npy(path);
  Report report(fmt::format("{}: NumPy array", path));
  add_array(report, array, 1);
  return report.str();
}

// DeepSDF's SdfSamples: pos rows should have sdf >= 0 and neg rows sdf < 0 (DeepSDF's own files
// hold a few NaN sdf rows, which its loader drops).
void add_sdf_samples(Report& report, const NpyArray& pos, const NpyArray& neg) {
  report.line("deepsdf", "SdfSamples (pos, neg: rows of x, y, z, sdf)");
  const auto one = [&](const char* key, const NpyArray& a, bool positive) {
    const ColumnRange sdf = column_range(a, 3);
    int64_t wrong_sign = 0;
    for (int64_t row = 0; row < a.shape[0]; ++row) {
      const double v = a.data[static_cast<size_t>(row * 4 + 3)];
      if (std::isfinite(v) && (positive ? v < 0 : v >= 0)) ++wrong_sign;
    }
    std::string text = fmt::format("{} samples, sdf {}", a.shape[0], range_text(sdf));
    if (wrong_sign > 0) {
      text += fmt::format(", {} with sdf {} 0", wrong_sign, positive ? "<" : ">=");
    }
    report.line(key, text);
  };
  one("pos", pos, true);
  one("neg", neg, false);
}

std::string describe_npz(const std::string& path) {
  const std::map<std::string, NpyArray> arrays = read_npz(path);
  Report report(fmt::format("{}: NumPy archive", path));
  report.line("arrays", fmt::to_string(arrays.size()));
  for (const auto& [name, array] : arrays) {
    report.line("member", name + ".npy");
    add_array(report, array, 2);
  }
  const auto find = [&](const char* key) -> const NpyArray* {
    const auto it = arrays.find(key);
    return it == arrays.end() ? nullptr : &it->second;
  };
  const NpyArray* pos = find("pos");
  const NpyArray* neg = find("neg");
  const auto is_samples = [](const NpyArray* a) {
    return a && a->shape.size() == 2 && a->shape[1] == 4;
  };
  if (is_samples(pos) && is_samples(neg)) add_sdf_samples(report, *pos, *neg);
  const NpyArray* offset = find("offset");
  const NpyArray* scale = find("scale");
  if (offset && scale && offset->size() == 3 && offset->shape.size() <= 2 && scale->size() == 1 &&
      scale->shape.size() <= 1) {
    report.line("deepsdf", "NormalizationParameters (normalized = (original + offset) * scale)");
    report.line("offset", triple({offset->data[0], offset->data[1], offset->data[2]}));
    report.line("scale", number(scale->data[0]));
  }
  return report.str();
}

}  // namespace

std::string describe_file(const std::string& path) {
  const std::string ext = detail::lower_extension(path);
  if (ext == ".ply" || ext == ".obj" || ext == ".off") return describe_mesh_file(path, ext);
  if (ext == ".xyz") return describe_xyz(path);
  if (ext == ".npy") return describe_npy(path);
  if (ext == ".npz") return describe_npz(path);
  if (ext.empty()) {
    throw core::DataError(fmt::format(
        "{}: cannot tell what the file holds: the name has no extension (supported: {})", path,
        kSupportedExtensions));
  }
  throw core::DataError(fmt::format("{}: unsupported file type '{}' (supported: {})", path, ext,
                              kSupportedExtensions));
}

}  // namespace nsdf::geometry
