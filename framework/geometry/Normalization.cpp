#include "geometry/Normalization.h"

#include <algorithm>
#include <cmath>

#include "core/Error.h"

namespace nsdf::geometry {

std::array<double, 3> normalize_point(const Normalization& n, const std::array<double, 3>& p) {
  return {(p[0] + n.offset[0]) * n.scale, (p[1] + n.offset[1]) * n.scale,
          (p[2] + n.offset[2]) * n.scale};
}

std::array<double, 3> denormalize_point(const Normalization& n, const std::array<double, 3>& p) {
  return {p[0] / n.scale - n.offset[0], p[1] / n.scale - n.offset[1], p[2] / n.scale - n.offset[2]};
}

namespace {

using Vec3d = std::array<double, 3>;

void check_points(const std::vector<Vec3f>& V, const char* what) {
  NSDF_CHECK(!V.empty(), core::DataError, "{}: no points to normalize", what);
  for (size_t i = 0; i < V.size(); ++i)
    NSDF_CHECK(std::isfinite(V[i][0]) && std::isfinite(V[i][1]) && std::isfinite(V[i][2]),
               core::DataError, "{}: point {} ({}, {}, {}) is not finite", what, i, V[i][0],
               V[i][1], V[i][2]);
}

void check_similarity(const Normalization& s) {
  NSDF_CHECK(std::isfinite(s.scale) && s.scale > 0, core::DataError,
             "normalization: scale = {} must be finite and > 0", s.scale);
  NSDF_CHECK(std::isfinite(s.offset[0]) && std::isfinite(s.offset[1]) && std::isfinite(s.offset[2]),
             core::DataError, "normalization: offset ({}, {}, {}) is not finite", s.offset[0],
             s.offset[1], s.offset[2]);
}

void bounding_box(const std::vector<Vec3f>& V, Vec3d& lo, Vec3d& hi) {
  for (int d = 0; d < 3; ++d) lo[d] = hi[d] = V[0][d];
  for (const Vec3f& p : V)
    for (int d = 0; d < 3; ++d) {
      lo[d] = std::min<double>(lo[d], p[d]);
      hi[d] = std::max<double>(hi[d], p[d]);
    }
}

double max_distance(const std::vector<Vec3f>& V, const Vec3d& c) {
  double m2 = 0;
  for (const Vec3f& p : V) {
    const double d[3] = {p[0] - c[0], p[1] - c[1], p[2] - c[2]};
    m2 = std::max(m2, d[0] * d[0] + d[1] * d[1] + d[2] * d[2]);
  }
  return std::sqrt(m2);
}

}  // namespace

Normalization unit_sphere_normalization(const std::vector<Vec3f>& V, double buffer) {
  NSDF_CHECK(std::isfinite(buffer) && buffer > 0, core::ConfigError,
             "unit_sphere_normalization: buffer = {} must be finite and > 0", buffer);
  check_points(V, "unit_sphere_normalization");
  Vec3d lo, hi;
  bounding_box(V, lo, hi);
  const Vec3d centre = {(lo[0] + hi[0]) / 2, (lo[1] + hi[1]) / 2, (lo[2] + hi[2]) / 2};
  const double radius = max_distance(V, centre);
  NSDF_CHECK(radius > 0, core::DataError,
             "unit_sphere_normalization: all {} points coincide at ({}, {}, {}), nothing to scale",
             V.size(), centre[0], centre[1], centre[2]);
  return {{-centre[0], -centre[1], -centre[2]}, 1.0 / (radius * buffer)};
}

Normalization unit_sphere_normalization(const Mesh& mesh, double buffer) {
  NSDF_CHECK(!mesh.F.empty(), core::DataError,
             "unit_sphere_normalization: the mesh has no faces ({} vertices)", mesh.V.size());
  std::vector<char> used(mesh.V.size(), 0);
  for (size_t f = 0; f < mesh.F.size(); ++f)
    for (int32_t v : mesh.F[f]) {
      NSDF_CHECK(v >= 0 && static_cast<size_t>(v) < mesh.V.size(), core::DataError,
                 "unit_sphere_normalization: face {} has vertex index {}, the mesh has {} "
                 "vertices",
                 f, v, mesh.V.size());
      used[v] = 1;
    }
  std::vector<Vec3f> V;
  for (size_t i = 0; i < mesh.V.size(); ++i)
    if (used[i]) V.push_back(mesh.V[i]);
  return unit_sphere_normalization(V, buffer);
}

Normalization bounding_box_normalization(const std::vector<Vec3f>& V) {
  check_points(V, "bounding_box_normalization");
  Vec3d lo, hi;
  bounding_box(V, lo, hi);
  const double side = std::max({hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2]});
  NSDF_CHECK(side > 0, core::DataError,
             "bounding_box_normalization: all {} points coincide at ({}, {}, {}), nothing to "
             "scale",
             V.size(), lo[0], lo[1], lo[2]);
  return {{-(lo[0] + hi[0]) / 2, -(lo[1] + hi[1]) / 2, -(lo[2] + hi[2]) / 2}, 2.0 / side};
}

Normalization mean_centering_normalization(const std::vector<Vec3f>& V, bool scale_to_unit) {
  check_points(V, "mean_centering_normalization");
  Vec3d mean = {0, 0, 0};
  for (const Vec3f& p : V)
    for (int d = 0; d < 3; ++d) mean[d] += p[d];
  for (double& m : mean) m /= static_cast<double>(V.size());
  double scale = 1.0;
  if (scale_to_unit) {
    const double radius = max_distance(V, mean);
    NSDF_CHECK(radius > 0, core::DataError,
               "mean_centering_normalization: all {} points coincide at ({}, {}, {}), nothing to "
               "scale",
               V.size(), mean[0], mean[1], mean[2]);
    scale = 1.0 / radius;
  }
  return {{-mean[0], -mean[1], -mean[2]}, scale};
}

Normalization inverse(const Normalization& s) {
  check_similarity(s);
  return {{-s.offset[0] * s.scale, -s.offset[1] * s.scale, -s.offset[2] * s.scale}, 1.0 / s.scale};
}

void normalize_points_in_place(const Normalization& s, std::vector<Vec3f>& P) {
  check_similarity(s);
  for (Vec3f& p : P)
    for (int d = 0; d < 3; ++d) p[d] = static_cast<float>((p[d] + s.offset[d]) * s.scale);
}

std::vector<Vec3f> normalize_points(const Normalization& s, const std::vector<Vec3f>& P) {
  std::vector<Vec3f> out = P;
  normalize_points_in_place(s, out);
  return out;
}

void denormalize_points_in_place(const Normalization& s, std::vector<Vec3f>& P) {
  check_similarity(s);
  // Divide rather than multiply by 1 / scale: the same arithmetic as denormalize_point in
  // DeepSdfFiles.h, so both give identical results.
  for (Vec3f& p : P)
    for (int d = 0; d < 3; ++d) p[d] = static_cast<float>(p[d] / s.scale - s.offset[d]);
}

std::vector<Vec3f> denormalize_points(const Normalization& s, const std::vector<Vec3f>& P) {
  std::vector<Vec3f> out = P;
  denormalize_points_in_place(s, out);
  return out;
}

Mesh normalize_mesh(const Normalization& s, const Mesh& mesh) {
  Mesh out = mesh;
  normalize_points_in_place(s, out.V);
  return out;
}

Mesh denormalize_mesh(const Normalization& s, const Mesh& mesh) {
  Mesh out = mesh;
  denormalize_points_in_place(s, out.V);
  return out;
}

double normalize_distance(const Normalization& s, double d) {
  check_similarity(s);
  return d * s.scale;
}

double denormalize_distance(const Normalization& s, double d) {
  check_similarity(s);
  return d / s.scale;
}

}  // namespace nsdf::geometry
