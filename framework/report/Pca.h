#pragma once
// A 2-D map of latent codes for reports: principal component analysis (the two directions of
// largest variance of the centred codes, by power iteration with deflation on the covariance).

#include <array>
#include <vector>

namespace nsdf::report {

struct Projection2d {
  /// One point per code: the coordinates along the first and second principal direction.
  std::vector<std::array<double, 2>> points;
  /// Share of the total variance along each direction, in [0, 1].
  std::array<double, 2> explained{0, 0};
};

/// Projects `codes` (all of the same length >= 1) onto their two principal directions. Signs
/// are fixed so that the largest-magnitude component of each direction is positive
/// (deterministic). Fewer than two codes, or codes without variance, give zeros. Throws
/// DataError for codes of different lengths or non-finite values.
Projection2d pca_2d(const std::vector<std::vector<float>>& codes);

}  // namespace nsdf::report
