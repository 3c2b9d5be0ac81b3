#pragma once
// The small 3-vector operations the geometry code shares (closest points and ray tests in
// TriangleBvh, cameras in DepthViews and Render, normals), in one place so that every algorithm
// rounds alike. The arithmetic is in double on std::array<double, 3>: float positions (Vec3f)
// are widened with to_double() first, which is exact. Each operation is written out component
// by component in a fixed order; callers rely on that order, since tests compare exact values.

#include <array>
#include <cmath>

#include "geometry/Mesh.h"

namespace nsdf::geometry {

using Vec3d = std::array<double, 3>;

/// v widened to double (exact).
inline Vec3d to_double(const Vec3f& v) { return {v[0], v[1], v[2]}; }

/// v rounded to float.
inline Vec3f to_float(const Vec3d& v) {
  return {static_cast<float>(v[0]), static_cast<float>(v[1]), static_cast<float>(v[2])};
}

/// Whether every component of p is finite (neither NaN nor infinite).
inline bool finite(const Vec3f& p) {
  return std::isfinite(p[0]) && std::isfinite(p[1]) && std::isfinite(p[2]);
}

/// a - b.
inline Vec3d sub(const Vec3d& a, const Vec3d& b) { return {a[0] - b[0], a[1] - b[1], a[2] - b[2]}; }

/// a + s * d (a point moved along a direction).
inline Vec3d madd(const Vec3d& a, double s, const Vec3d& d) {
  return {a[0] + s * d[0], a[1] + s * d[1], a[2] + s * d[2]};
}

/// a . b, summed x + y + z.
inline double dot(const Vec3d& a, const Vec3d& b) {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

/// a . b of float vectors, in double: the products are exact there.
inline double dot(const Vec3f& a, const Vec3f& b) { return dot(to_double(a), to_double(b)); }

/// a x b.
inline Vec3d cross(const Vec3d& a, const Vec3d& b) {
  return {a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]};
}

/// |v|, as sqrt(v . v).
inline double length(const Vec3d& v) { return std::sqrt(dot(v, v)); }

/// v / |v|; the zero vector for a zero (or NaN) v, which has no direction.
inline Vec3d normalized(const Vec3d& v) {
  const double n = length(v);
  return n > 0 ? Vec3d{v[0] / n, v[1] / n, v[2] / n} : Vec3d{0, 0, 0};
}

}  // namespace nsdf::geometry
