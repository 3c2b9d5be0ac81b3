// Range-grid triangulation (zipper's rule); see RangeGrid.h.
#include "geometry/RangeGrid.h"

#include <algorithm>
#include <cstddef>

#include "geometry/VecMath.h"

namespace nsdf::geometry {

namespace {

// zipper's MAX_EDGE_LENGTH_FACTOR: grid triangles with an edge longer than this many grid
// spacings bridge a depth discontinuity (or a hole) and are dropped.
constexpr double kMaxGridEdgeFactor = 4.0;

double distance_squared(const Vec3f& a, const Vec3f& b) {
  const Vec3d e = sub(to_double(a), to_double(b));
  return dot(e, e);
}

}  // namespace

std::vector<Tri> triangulate_range_grid(const std::vector<Vec3f>& V,
                                        const std::vector<int32_t>& grid, int64_t rows,
                                        int64_t cols) {
  const auto cell = [&](int64_t r, int64_t c) { return grid[static_cast<size_t>(r * cols + c)]; };
  const auto d2 = [&](int32_t a, int32_t b) {
    return distance_squared(V[static_cast<size_t>(a)], V[static_cast<size_t>(b)]);
  };
  // The scan spacing, as the median distance between horizontally or vertically adjacent
  // samples; robust to the few long edges at silhouettes and holes. Squared lengths sort the
  // same way, so the median is taken on them.
  std::vector<double> edges;
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      const int32_t a = cell(r, c);
      if (a < 0) continue;
      if (c + 1 < cols && cell(r, c + 1) >= 0) edges.push_back(d2(a, cell(r, c + 1)));
      if (r + 1 < rows && cell(r + 1, c) >= 0) edges.push_back(d2(a, cell(r + 1, c)));
    }
  }
  std::vector<Tri> F;
  if (edges.empty()) return F;  // no two adjacent samples, so no block has three
  const auto middle = edges.begin() + static_cast<std::ptrdiff_t>((edges.size() - 1) / 2);
  std::nth_element(edges.begin(), middle, edges.end());
  const double max_d2 = kMaxGridEdgeFactor * kMaxGridEdgeFactor * *middle;
  const auto add = [&](int32_t a, int32_t b, int32_t c) {
    // A vertex listed in two cells can close a triangle on itself: no face for that.
    if (a == b || b == c || a == c) return;
    if (d2(a, b) > max_d2 || d2(b, c) > max_d2 || d2(a, c) > max_d2) return;
    F.push_back({a, b, c});
  };
  for (int64_t r = 0; r + 1 < rows; ++r) {
    for (int64_t c = 0; c + 1 < cols; ++c) {
      // Lower/upper = rows r/r+1, left/right = columns c/c+1; ll lr ur is counter-clockwise.
      const int32_t ll = cell(r, c);
      const int32_t lr = cell(r, c + 1);
      const int32_t ul = cell(r + 1, c);
      const int32_t ur = cell(r + 1, c + 1);
      const int present = (ll >= 0) + (lr >= 0) + (ul >= 0) + (ur >= 0);
      if (present == 4) {
        if (d2(ll, ur) < d2(lr, ul)) {
          add(ll, lr, ur);
          add(ll, ur, ul);
        } else {
          add(ll, lr, ul);
          add(lr, ur, ul);
        }
      } else if (present == 3) {
        if (ll < 0) {
          add(lr, ur, ul);
        } else if (lr < 0) {
          add(ll, ur, ul);
        } else if (ul < 0) {
          add(ll, lr, ur);
        } else {
          add(ll, lr, ul);
        }
      }
    }
  }
  return F;
}

}  // namespace nsdf::geometry
