#include "geometry/Sampling.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_sort.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <unordered_map>

#include "core/Error.h"
#include "geometry/CounterRng.h"
#include "geometry/VecMath.h"

namespace nsdf::geometry {

PointCloud sample_surface(const Mesh& mesh, int64_t n, uint64_t seed,
                          std::vector<int32_t>* face_ids) {
  NSDF_CHECK(n >= 0, core::ConfigError, "sample_surface: n = {} must be >= 0", n);
  const int64_t nv = static_cast<int64_t>(mesh.V.size());
  for (size_t f = 0; f < mesh.F.size(); ++f)
    for (int32_t v : mesh.F[f]) {
      NSDF_CHECK(v >= 0 && v < nv, core::DataError,
                 "sample_surface: face {} has vertex index {}, the mesh has {} vertices", f, v, nv);
      NSDF_CHECK(finite(mesh.V[v]), core::DataError,
                 "sample_surface: vertex {} ({}, {}, {}) of face {} is not finite", v, mesh.V[v][0],
                 mesh.V[v][1], mesh.V[v][2], f);
    }

  // Unit normals and areas in double: float cross products of small triangles far from the
  // origin lose most of their digits.
  const size_t nf = mesh.F.size();
  std::vector<std::array<double, 3>> normals(nf);
  std::vector<double> cumulative(nf);
  tbb::parallel_for(
      tbb::blocked_range<size_t>(0, nf, 1024), [&](const tbb::blocked_range<size_t>& range) {
        for (size_t f = range.begin(); f != range.end(); ++f) {
          const Vec3d a = to_double(mesh.V[mesh.F[f][0]]);
          const Vec3d x = cross(sub(to_double(mesh.V[mesh.F[f][1]]), a),
                                sub(to_double(mesh.V[mesh.F[f][2]]), a));
          const double len = length(x);
          const bool ok = len > 0 && std::isfinite(len);
          cumulative[f] = ok ? 0.5 * len : 0.0;
          normals[f] = ok ? Vec3d{x[0] / len, x[1] / len, x[2] / len} : Vec3d{0, 0, 0};
        }
      });
  std::partial_sum(cumulative.begin(), cumulative.end(), cumulative.begin());
  const double total = nf > 0 ? cumulative.back() : 0.0;
  NSDF_CHECK(total > 0 && std::isfinite(total), core::DataError,
             "sample_surface: the mesh has no face of positive area ({} faces, {} vertices, total "
             "area {})",
             nf, nv, total);
  // u * total can round up to total itself; such a draw belongs to the last face with area.
  size_t last_face = nf - 1;
  while (last_face > 0 && cumulative[last_face] == cumulative[last_face - 1]) --last_face;

  PointCloud out;
  out.P.resize(n);
  out.N.resize(n);
  if (face_ids) face_ids->resize(n);
  const CounterRng rng(seed);
  tbb::parallel_for(
      tbb::blocked_range<int64_t>(0, n, 1024), [&](const tbb::blocked_range<int64_t>& range) {
        for (int64_t i = range.begin(); i != range.end(); ++i) {
          const uint64_t at = 3 * static_cast<uint64_t>(i);
          // upper_bound skips zero-area faces: their cumulative area equals the previous one.
          const double t = rng.uniform(at) * total;
          const size_t f = std::min<size_t>(
              std::upper_bound(cumulative.begin(), cumulative.end(), t) - cumulative.begin(),
              last_face);
          const double r1 = std::sqrt(rng.uniform(at + 1));
          const double r2 = rng.uniform(at + 2);
          const double wa = 1 - r1, wb = r1 * (1 - r2), wc = r1 * r2;
          const Vec3f& a = mesh.V[mesh.F[f][0]];
          const Vec3f& b = mesh.V[mesh.F[f][1]];
          const Vec3f& c = mesh.V[mesh.F[f][2]];
          for (int d = 0; d < 3; ++d) {
            out.P[i][d] = static_cast<float>(wa * a[d] + wb * b[d] + wc * c[d]);
            out.N[i][d] = static_cast<float>(normals[f][d]);
          }
          if (face_ids) (*face_ids)[i] = static_cast<int32_t>(f);
        }
      });
  return out;
}

std::vector<int32_t> poisson_disk_subsample(const std::vector<Vec3f>& P, float radius,
                                            uint64_t seed) {
  NSDF_CHECK(std::isfinite(radius) && radius > 0, core::ConfigError,
             "poisson_disk_subsample: radius = {} must be finite and > 0", radius);
  NSDF_CHECK(P.size() < static_cast<size_t>(std::numeric_limits<int32_t>::max()), core::DataError,
             "poisson_disk_subsample: the cloud has {} points, at most {} are supported", P.size(),
             std::numeric_limits<int32_t>::max() - 1);
  if (P.empty()) return {};
  std::array<double, 3> lo, hi;
  for (int d = 0; d < 3; ++d) lo[d] = hi[d] = P[0][d];
  for (size_t i = 0; i < P.size(); ++i) {
    NSDF_CHECK(finite(P[i]), core::DataError,
               "poisson_disk_subsample: point {} ({}, {}, {}) is not finite", i, P[i][0], P[i][1],
               P[i][2]);
    for (int d = 0; d < 3; ++d) {
      lo[d] = std::min<double>(lo[d], P[i][d]);
      hi[d] = std::max<double>(hi[d], P[i][d]);
    }
  }
  // Cells of side radius, packed 21 bits per axis into one key; a kept point's conflicts lie in
  // the 27 cells around its own.
  constexpr int64_t kMaxCells = int64_t{1} << 21;
  // Cells a hair larger than radius, so that rounding in the cell computation can never put
  // two points closer than radius more than one cell apart.
  const double r = radius * (1 + 1e-9);
  for (int d = 0; d < 3; ++d)
    NSDF_CHECK((hi[d] - lo[d]) / r < kMaxCells - 2, core::ConfigError,
               "poisson_disk_subsample: radius = {} is too small for the cloud's extent {} along "
               "axis {} (at most {} cells of size radius per axis)",
               radius, hi[d] - lo[d], d, kMaxCells - 2);
  auto cell = [&](const Vec3f& p) {
    std::array<int64_t, 3> c;
    for (int d = 0; d < 3; ++d)
      c[d] = std::min<int64_t>(static_cast<int64_t>((p[d] - lo[d]) / r) + 1, kMaxCells - 2);
    return c;
  };
  auto key = [](int64_t x, int64_t y, int64_t z) {
    return static_cast<uint64_t>(x) | (static_cast<uint64_t>(y) << 21) |
           (static_cast<uint64_t>(z) << 42);
  };

  const int32_t n = static_cast<int32_t>(P.size());
  std::vector<std::pair<uint64_t, int32_t>> order(n);
  const CounterRng rng(seed);
  tbb::parallel_for(tbb::blocked_range<int32_t>(0, n, 4096),
                    [&](const tbb::blocked_range<int32_t>& range) {
                      for (int32_t i = range.begin(); i != range.end(); ++i)
                        order[i] = {rng.bits(static_cast<uint64_t>(i)), i};
                    });
  tbb::parallel_sort(order.begin(), order.end());  // pairs are distinct: a total order

  const double r2 = double(radius) * radius;
  std::unordered_map<uint64_t, std::vector<int32_t>> kept_in_cell;
  std::vector<int32_t> kept;
  for (const auto& [bits, i] : order) {
    const auto c = cell(P[i]);
    bool free = true;
    for (int64_t dz = -1; dz <= 1 && free; ++dz)
      for (int64_t dy = -1; dy <= 1 && free; ++dy)
        for (int64_t dx = -1; dx <= 1 && free; ++dx) {
          const auto it = kept_in_cell.find(key(c[0] + dx, c[1] + dy, c[2] + dz));
          if (it == kept_in_cell.end()) continue;
          for (int32_t j : it->second) {
            const double e[3] = {double(P[i][0]) - P[j][0], double(P[i][1]) - P[j][1],
                                 double(P[i][2]) - P[j][2]};
            if (e[0] * e[0] + e[1] * e[1] + e[2] * e[2] < r2) {
              free = false;
              break;
            }
          }
        }
    if (!free) continue;
    kept_in_cell[key(c[0], c[1], c[2])].push_back(i);
    kept.push_back(i);
  }
  std::sort(kept.begin(), kept.end());
  return kept;
}

}  // namespace nsdf::geometry
