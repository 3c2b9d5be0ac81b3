#include "geometry/PointInput.h"

#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/Error.h"
#include "geometry/MeshIo.h"
#include "geometry/Npy.h"
#include "geometry/ObjIo.h"
#include "geometry/OffIo.h"
#include "geometry/PlyIo.h"
#include "geometry/Sampling.h"
#include "geometry/TextScan.h"
#include "geometry/VecMath.h"
#include "geometry/XyzIo.h"

namespace nsdf::geometry {

namespace {

PointCloud cloud_from_array(const NpyArray& a, const std::string& name) {
  const bool ok = a.shape.size() == 2 && (a.shape[1] == 3 || a.shape[1] == 6);
  NSDF_CHECK(ok, core::DataError,
             "{}: expected an array of shape [N, 3] (x y z) or [N, 6] (x y z nx ny nz), got {}",
             name, fmt::format("({})", fmt::join(a.shape, ", ")));
  const int64_t n = a.shape[0], w = a.shape[1];
  PointCloud cloud;
  cloud.P.resize(static_cast<size_t>(n));
  if (w == 6) cloud.N.resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    const double* row = a.data.data() + i * w;
    for (int c = 0; c < 3; ++c) {
      cloud.P[i][c] = static_cast<float>(row[c]);
      if (w == 6) cloud.N[i][c] = static_cast<float>(row[3 + c]);
    }
  }
  return cloud;
}

PointCloud read_npz_cloud(const std::string& path) {
  const auto arrays = read_npz(path);
  if (const auto it = arrays.find("points"); it != arrays.end())
    return cloud_from_array(it->second, path + ": points.npy");
  NSDF_CHECK(arrays.size() == 1, core::DataError,
             "{}: holds {} arrays; expected one, or one named 'points'", path, arrays.size());
  return cloud_from_array(arrays.begin()->second, path + ": " + arrays.begin()->first + ".npy");
}

}  // namespace

int64_t drop_non_finite_rows(PointCloud& cloud) {
  const bool normals = !cloud.N.empty();
  size_t kept = 0;
  for (size_t i = 0; i < cloud.P.size(); ++i) {
    if (!finite(cloud.P[i]) || (normals && !finite(cloud.N[i]))) continue;
    cloud.P[kept] = cloud.P[i];
    if (normals) cloud.N[kept] = cloud.N[i];
    ++kept;
  }
  const auto dropped = static_cast<int64_t>(cloud.P.size() - kept);
  cloud.P.resize(kept);
  if (normals) cloud.N.resize(kept);
  return dropped;
}

InputPoints read_input_points(const std::string& path, int64_t mesh_samples, uint64_t seed) {
  NSDF_CHECK(mesh_samples > 0, core::ConfigError, "mesh_samples must be > 0, got {}", mesh_samples);
  const std::string ext = detail::lower_extension(path);
  InputPoints in;
  if (ext == ".xyz") {
    in.cloud = read_xyz(path);
  } else if (ext == ".npy") {
    in.cloud = cloud_from_array(read_npy(path), path);
  } else if (ext == ".npz") {
    in.cloud = read_npz_cloud(path);
  } else if (ext == ".ply" || ext == ".obj" || ext == ".off") {
    Mesh mesh = ext == ".ply" ? read_ply(path) : ext == ".obj" ? read_obj(path) : read_off(path);
    if (!mesh.F.empty()) {
      validate_mesh(mesh, path);
      in.cloud = sample_surface(mesh, mesh_samples, seed);
      in.from_mesh = true;
      in.mesh = std::move(mesh);
    } else {
      in.cloud.P = std::move(mesh.V);
      in.cloud.N = std::move(mesh.N);
    }
  } else {
    throw core::DataError(fmt::format(
        "{}: unsupported point format '{}' (supported: .ply, .obj, .off, .xyz, .npy, .npz)", path,
        ext.empty() ? std::string("(no extension)") : ext));
  }
  NSDF_CHECK(in.cloud.N.empty() || in.cloud.N.size() == in.cloud.P.size(), core::DataError,
             "{}: {} normals for {} points (need none or one per point)", path,
             in.cloud.N.size(), in.cloud.P.size());
  in.dropped_rows = drop_non_finite_rows(in.cloud);
  NSDF_CHECK(!in.cloud.P.empty(), core::DataError, "{}: no finite point ({} rows dropped)", path,
             in.dropped_rows);
  return in;
}

}  // namespace nsdf::geometry
