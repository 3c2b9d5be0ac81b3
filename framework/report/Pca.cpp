#include "report/Pca.h"

#include <algorithm>
#include <cmath>

#include "core/Error.h"

namespace nsdf::report {

Projection2d pca_2d(const std::vector<std::vector<float>>& codes) {
  Projection2d out;
  const std::size_t n = codes.size();
  out.points.assign(n, {0, 0});
  if (n == 0) return out;
  const std::size_t d = codes[0].size();
  NSDF_CHECK(d >= 1, core::DataError, "latent map: codes are empty");
  std::vector<double> mean(d, 0);
  for (std::size_t i = 0; i < n; ++i) {
    NSDF_CHECK(codes[i].size() == d, core::DataError,
               "latent map: code {} has {} values, code 0 has {}", i, codes[i].size(), d);
    for (std::size_t k = 0; k < d; ++k) {
      NSDF_CHECK(std::isfinite(codes[i][k]), core::DataError,
                 "latent map: code {} has a non-finite value at {}", i, k);
      mean[k] += codes[i][k] / static_cast<double>(n);
    }
  }
  if (n < 2) return out;
  std::vector<double> cov(d * d, 0);
  std::vector<double> c(d);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t k = 0; k < d; ++k) c[k] = codes[i][k] - mean[k];
    for (std::size_t a = 0; a < d; ++a)
      for (std::size_t b = a; b < d; ++b) cov[a * d + b] += c[a] * c[b];
  }
  for (std::size_t a = 0; a < d; ++a)
    for (std::size_t b = a; b < d; ++b) cov[b * d + a] = cov[a * d + b] /= static_cast<double>(n);
  double total = 0;
  for (std::size_t a = 0; a < d; ++a) total += cov[a * d + a];
  if (!(total > 0)) return out;

  std::vector<std::vector<double>> dirs;
  // Removes the parts of v along the directions found so far (deflation), then normalizes v;
  // returns its length before normalizing (0: v lay in their span).
  const auto orthonormalize = [&](std::vector<double>& v) {
    for (const auto& u : dirs) {
      double p = 0;
      for (std::size_t k = 0; k < d; ++k) p += u[k] * v[k];
      for (std::size_t k = 0; k < d; ++k) v[k] -= p * u[k];
    }
    double norm = 0;
    for (double x : v) norm += x * x;
    norm = std::sqrt(norm);
    if (norm > 0)
      for (double& x : v) x /= norm;
    return norm;
  };
  for (int comp = 0; comp < 2 && comp < static_cast<int>(d); ++comp) {
    // Start from a fixed, generic vector so the result does not depend on anything random.
    std::vector<double> v(d), w(d);
    for (std::size_t k = 0; k < d; ++k) v[k] = 1.0 + 0.01 * static_cast<double>(k % 7);
    double lambda = 0;
    for (int it = 0; it < 500; ++it) {
      if (!(orthonormalize(v) > 0)) break;
      for (std::size_t a = 0; a < d; ++a) {
        double s = 0;
        for (std::size_t b = 0; b < d; ++b) s += cov[a * d + b] * v[b];
        w[a] = s;
      }
      double next = 0, change = 0;
      for (std::size_t k = 0; k < d; ++k) next += v[k] * w[k];
      for (std::size_t k = 0; k < d; ++k) change += std::abs(w[k] - next * v[k]);
      std::swap(v, w);
      lambda = next;
      if (change < 1e-12 * total) break;
    }
    if (!(orthonormalize(v) > 0) || !(lambda > 1e-15 * total)) break;
    const auto big = std::max_element(v.begin(), v.end(), [](double a, double b) {
      return std::abs(a) < std::abs(b);
    });
    if (*big < 0)
      for (double& x : v) x = -x;
    out.explained[static_cast<std::size_t>(comp)] = std::clamp(lambda / total, 0.0, 1.0);
    dirs.push_back(v);
  }
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t comp = 0; comp < dirs.size(); ++comp) {
      double p = 0;
      for (std::size_t k = 0; k < d; ++k) p += (codes[i][k] - mean[k]) * dirs[comp][k];
      out.points[i][comp] = p;
    }
  return out;
}

}  // namespace nsdf::report
