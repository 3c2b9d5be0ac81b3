#pragma once
// Shapes with known signed distance functions, for synthetic data (the quickstart, tests).
// Exact SDFs: sphere, rounded box, torus. Superquadric: exact sign and zero set, distance
// measured along the ray from its centre (exact for spheres, an upper bound otherwise).
// Negative inside, positive outside.

#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace nsdf::geometry {

using Vec3 = std::array<double, 3>;

struct AnalyticShape {
  enum class Kind { Sphere, Box, Torus, Superquadric };
  Kind kind = Kind::Sphere;
  Vec3 center{0, 0, 0};
  /// sphere: radius; box: half extents; torus: {major R, minor r, -} (axis y);
  /// superquadric: scales {a, b, c}.
  Vec3 size{0.5, 0.5, 0.5};
  /// box: rounding radius; superquadric: exponents e1 (north-south), e2 (east-west).
  double round = 0.0;
  double e1 = 1.0;
  double e2 = 1.0;

  double sdf(const Vec3& p) const;

  /// Central differences of sdf() at p with step h: component i is
  /// sdf(p + h e_i) - sdf(p - h e_i), which is 2h times the finite-difference gradient.
  /// Callers that only need the gradient's direction normalize it as it is.
  /// @param[in] p point
  /// @param[in] h step (> 0)
  Vec3 central_differences(const Vec3& p, double h) const;
};

/// Names used in configs: "sphere", "box", "torus", "superquadric".
const std::vector<std::string>& analytic_kind_names();
AnalyticShape::Kind parse_analytic_kind(const std::string& name);  // throws ConfigError
std::string to_string(AnalyticShape::Kind kind);

/// A random shape of `kind` that fits inside the unit sphere with some margin.
AnalyticShape random_shape(AnalyticShape::Kind kind, std::mt19937_64& rng);

/// DeepSDF-style SDF samples, n rows of (x, y, z, sdf): (1 - uniform_fraction) near the surface
/// (surface points moved by Gaussian noise, half with std sigma_near, half with sigma_far) and
/// uniform_fraction uniform in [-1, 1]^3. Deterministic for a given rng state.
std::vector<float> sample_sdf(const AnalyticShape& shape, int64_t n, double sigma_near,
                              double sigma_far, double uniform_fraction, std::mt19937_64& rng);

/// n points on the zero level set (projected along the SDF gradient), as x y z rows.
std::vector<float> sample_surface(const AnalyticShape& shape, int64_t n, std::mt19937_64& rng);

}  // namespace nsdf::geometry
