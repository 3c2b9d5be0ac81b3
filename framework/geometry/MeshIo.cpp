#include "geometry/MeshIo.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "core/Error.h"
#include "core/Files.h"
#include "geometry/ObjIo.h"
#include "geometry/OffIo.h"
#include "geometry/PlyIo.h"
#include "geometry/TextScan.h"
#include "geometry/XyzIo.h"

namespace nsdf::geometry {

namespace {

constexpr const char* kMeshExtensions = ".ply, .obj, .off";
constexpr const char* kPointCloudExtensions = ".ply, .xyz, .obj, .off";
constexpr const char* kPointCloudWriteExtensions = ".ply, .xyz";

[[noreturn]] void unsupported(const std::string& path, const std::string& what,
                              const char* supported) {
  const std::string ext = detail::lower_extension(path);
  if (ext.empty()) {
    throw core::DataError(
        fmt::format("{}: cannot tell the {} format: the file name has no extension "
                    "(supported: {})",
                    path, what, supported));
  }
  throw core::DataError(
      fmt::format("{}: unsupported {} format '{}' (supported: {})", path, what, ext, supported));
}

void check_finite_rows(const std::vector<Vec3f>& rows, const char* row_name, const char* what,
                       const std::string& path) {
  for (size_t i = 0; i < rows.size(); ++i) {
    for (const float c : rows[i]) {
      NSDF_CHECK(std::isfinite(c), core::DataError, "{}: {} {}: {} {}", path, row_name, i,
                 detail::non_finite_name(c), what);
    }
  }
}

}  // namespace

Mesh read_mesh(const std::string& path) {
  const std::string ext = detail::lower_extension(path);
  Mesh mesh;
  if (ext == ".ply") {
    mesh = read_ply(path);
  } else if (ext == ".obj") {
    mesh = read_obj(path);
  } else if (ext == ".off") {
    mesh = read_off(path);
  } else {
    unsupported(path, "mesh", kMeshExtensions);
  }
  validate_mesh(mesh, path);
  return mesh;
}

PointCloud read_point_cloud(const std::string& path) {
  const std::string ext = detail::lower_extension(path);
  PointCloud cloud;
  if (ext == ".ply") {
    cloud = read_ply_point_cloud(path);
  } else if (ext == ".xyz") {
    cloud = read_xyz(path);
  } else if (ext == ".obj") {
    cloud = read_obj_point_cloud(path);
  } else if (ext == ".off") {
    Mesh mesh = read_off(path);
    cloud.P = std::move(mesh.V);
    cloud.N = std::move(mesh.N);
  } else {
    unsupported(path, "point cloud", kPointCloudExtensions);
  }
  validate_point_cloud(cloud, path);
  return cloud;
}

void write_mesh(const Mesh& mesh, const std::string& path, bool binary) {
  const std::string ext = detail::lower_extension(path);
  if (ext == ".ply") {
    write_ply(mesh, path, binary ? PlyFormat::BinaryLittleEndian : PlyFormat::Ascii);
  } else if (ext == ".obj") {
    write_obj(mesh, path);
  } else if (ext == ".off") {
    write_off(mesh, path);
  } else {
    unsupported(path, "mesh", kMeshExtensions);
  }
}

void write_point_cloud(const PointCloud& cloud, const std::string& path, bool binary) {
  const std::string ext = detail::lower_extension(path);
  if (ext == ".ply") {
    write_ply(cloud, path, binary ? PlyFormat::BinaryLittleEndian : PlyFormat::Ascii);
  } else if (ext == ".xyz") {
    write_xyz(cloud, path);
  } else {
    unsupported(path, "point cloud", kPointCloudWriteExtensions);
  }
}

void validate_mesh(const Mesh& mesh, const std::string& path) {
  check_finite_rows(mesh.V, "vertex", "coordinate", path);
  NSDF_CHECK(mesh.N.empty() || mesh.N.size() == mesh.V.size(), core::DataError,
             "{}: {} normals for {} vertices (need none or one per vertex)", path, mesh.N.size(),
             mesh.V.size());
  check_finite_rows(mesh.N, "normal", "component", path);
  const auto n = static_cast<int64_t>(mesh.V.size());
  for (size_t f = 0; f < mesh.F.size(); ++f) {
    for (const int32_t i : mesh.F[f]) {
      NSDF_CHECK(i >= 0 && i < n, core::DataError,
                 "{}: triangle {}: vertex index {} out of range ({} vertices)", path, f, i, n);
    }
  }
}

void validate_point_cloud(const PointCloud& cloud, const std::string& path) {
  check_finite_rows(cloud.P, "point", "coordinate", path);
  NSDF_CHECK(cloud.N.empty() || cloud.N.size() == cloud.P.size(), core::DataError,
             "{}: {} normals for {} points (need none or one per point)", path, cloud.N.size(),
             cloud.P.size());
  check_finite_rows(cloud.N, "normal", "component", path);
}

}  // namespace nsdf::geometry
