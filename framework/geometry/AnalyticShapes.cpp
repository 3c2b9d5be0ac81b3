#include "geometry/AnalyticShapes.h"

#include <algorithm>
#include <cmath>

#include "core/Error.h"
#include "core/Strings.h"

namespace nsdf::geometry {

namespace {

double length(double x, double y, double z) { return std::sqrt(x * x + y * y + z * z); }

// The unit gradient direction, by central differences with step h = 1e-6.
Vec3 gradient(const AnalyticShape& s, const Vec3& p) {
  const double h = 1e-6;
  Vec3 g = s.central_differences(p, h);
  for (double& v : g) v /= 2 * h;
  const double n = length(g[0], g[1], g[2]);
  if (n > 0)
    for (auto& v : g) v /= n;
  return g;
}

}  // namespace

double AnalyticShape::sdf(const Vec3& world) const {
  const double x = world[0] - center[0], y = world[1] - center[1], z = world[2] - center[2];
  switch (kind) {
    case Kind::Sphere:
      return length(x, y, z) - size[0];
    case Kind::Box: {
      const double qx = std::abs(x) - (size[0] - round);
      const double qy = std::abs(y) - (size[1] - round);
      const double qz = std::abs(z) - (size[2] - round);
      const double outside = length(std::max(qx, 0.0), std::max(qy, 0.0), std::max(qz, 0.0));
      const double inside = std::min(std::max({qx, qy, qz}), 0.0);
      return outside + inside - round;
    }
    case Kind::Torus: {
      const double qx = std::sqrt(x * x + z * z) - size[0];
      return std::sqrt(qx * qx + y * y) - size[1];
    }
    case Kind::Superquadric: {
      const double r = length(x, y, z);
      if (r < 1e-12) return -std::min({size[0], size[1], size[2]});
      const double ax = std::pow(std::abs(x / size[0]), 2.0 / e2);
      const double ay = std::pow(std::abs(y / size[1]), 2.0 / e2);
      const double az = std::pow(std::abs(z / size[2]), 2.0 / e1);
      const double f = std::pow(ax + ay, e2 / e1) + az;  // 1 on the surface
      return r * (1.0 - std::pow(f, -e1 / 2.0));
    }
  }
  return 0.0;
}

Vec3 AnalyticShape::central_differences(const Vec3& p, double h) const {
  Vec3 d{};
  for (int i = 0; i < 3; ++i) {
    Vec3 a = p, b = p;
    a[i] += h;
    b[i] -= h;
    d[i] = sdf(a) - sdf(b);
  }
  return d;
}

const std::vector<std::string>& analytic_kind_names() {
  static const std::vector<std::string> names{"sphere", "box", "torus", "superquadric"};
  return names;
}

AnalyticShape::Kind parse_analytic_kind(const std::string& name) {
  const auto& names = analytic_kind_names();
  const auto it = std::find(names.begin(), names.end(), name);
  NSDF_CHECK(it != names.end(), core::ConfigError, "unknown analytic shape '{}'{}; valid: {}", name,
             core::did_you_mean(name, names), core::join(names, ", "));
  return static_cast<AnalyticShape::Kind>(it - names.begin());
}

std::string to_string(AnalyticShape::Kind kind) {
  return analytic_kind_names()[static_cast<size_t>(kind)];
}

AnalyticShape random_shape(AnalyticShape::Kind kind, std::mt19937_64& rng) {
  auto u = [&](double lo, double hi) {
    return std::uniform_real_distribution<double>(lo, hi)(rng);
  };
  AnalyticShape s;
  s.kind = kind;
  s.center = {u(-0.1, 0.1), u(-0.1, 0.1), u(-0.1, 0.1)};
  switch (kind) {
    case AnalyticShape::Kind::Sphere:
      s.size = {u(0.3, 0.7), 0, 0};
      break;
    case AnalyticShape::Kind::Box:
      s.size = {u(0.25, 0.5), u(0.25, 0.5), u(0.25, 0.5)};
      s.round = u(0.0, 0.1);
      break;
    case AnalyticShape::Kind::Torus:
      s.size = {u(0.35, 0.55), u(0.1, 0.2), 0};
      break;
    case AnalyticShape::Kind::Superquadric:
      s.size = {u(0.3, 0.55), u(0.3, 0.55), u(0.3, 0.55)};
      s.e1 = u(0.3, 1.5);
      s.e2 = u(0.3, 1.5);
      break;
  }
  return s;
}

std::vector<float> sample_surface(const AnalyticShape& shape, int64_t n, std::mt19937_64& rng) {
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::vector<float> out;
  out.reserve(static_cast<size_t>(n) * 3);
  int64_t found = 0;
  while (found < n) {
    Vec3 p{u(rng), u(rng), u(rng)};
    // Newton-like projection onto the zero set: exact in one step for true SDFs.
    for (int it = 0; it < 8; ++it) {
      const double d = shape.sdf(p);
      if (std::abs(d) < 1e-7) break;
      const Vec3 g = gradient(shape, p);
      for (int i = 0; i < 3; ++i) p[i] -= d * g[i];
    }
    if (std::abs(shape.sdf(p)) > 1e-5) continue;  // rare: a gradient-free point (medial axis)
    for (double v : p) out.push_back(static_cast<float>(v));
    ++found;
  }
  return out;
}

std::vector<float> sample_sdf(const AnalyticShape& shape, int64_t n, double sigma_near,
                              double sigma_far, double uniform_fraction, std::mt19937_64& rng) {
  const auto n_uniform = static_cast<int64_t>(std::llround(n * uniform_fraction));
  const int64_t n_surface = n - n_uniform;
  const std::vector<float> surface = sample_surface(shape, n_surface, rng);
  std::normal_distribution<double> gauss(0.0, 1.0);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::vector<float> out;
  out.reserve(static_cast<size_t>(n) * 4);
  for (int64_t i = 0; i < n; ++i) {
    Vec3 p;
    if (i < n_surface) {
      const double sigma = (i % 2 == 0) ? sigma_near : sigma_far;
      for (int k = 0; k < 3; ++k) p[k] = surface[3 * i + k] + sigma * gauss(rng);
    } else {
      p = {u(rng), u(rng), u(rng)};
    }
    for (double v : p) out.push_back(static_cast<float>(v));
    out.push_back(static_cast<float>(shape.sdf(p)));
  }
  return out;
}

}  // namespace nsdf::geometry
