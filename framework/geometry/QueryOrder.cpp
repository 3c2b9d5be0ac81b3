#include "geometry/QueryOrder.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace nsdf::geometry {

namespace {

// Spreads the low 10 bits of x to every third bit.
uint32_t spread_bits(uint32_t x) {
  x &= 0x3ffu;
  x = (x | (x << 16)) & 0x030000ffu;
  x = (x | (x << 8)) & 0x0300f00fu;
  x = (x | (x << 4)) & 0x030c30c3u;
  x = (x | (x << 2)) & 0x09249249u;
  return x;
}

}  // namespace

std::vector<uint32_t> morton_order(const std::vector<Vec3f>& points) {
  const size_t n = points.size();
  float lo[3] = {std::numeric_limits<float>::max(), std::numeric_limits<float>::max(),
                 std::numeric_limits<float>::max()};
  float hi[3] = {-lo[0], -lo[1], -lo[2]};
  for (const Vec3f& p : points)
    for (int k = 0; k < 3; ++k)
      if (std::isfinite(p[k])) {
        lo[k] = std::min(lo[k], p[k]);
        hi[k] = std::max(hi[k], p[k]);
      }
  float scale[3];
  for (int k = 0; k < 3; ++k) scale[k] = hi[k] > lo[k] ? 1023.0f / (hi[k] - lo[k]) : 0.0f;
  // Key = code << 32 | index: sorting the keys sorts by code, then index, in one pass.
  std::vector<uint64_t> keys(n);
  tbb::parallel_for(
      tbb::blocked_range<size_t>(0, n, 4096), [&](const tbb::blocked_range<size_t>& r) {
        for (size_t i = r.begin(); i != r.end(); ++i) {
          const Vec3f& p = points[i];
          uint64_t code = uint64_t{1} << 30;  // after every finite point
          if (std::isfinite(p[0]) && std::isfinite(p[1]) && std::isfinite(p[2])) {
            uint32_t c[3];
            for (int k = 0; k < 3; ++k)
              c[k] = static_cast<uint32_t>(
                  std::min(1023.0f, std::max(0.0f, (p[k] - lo[k]) * scale[k])));
            code = spread_bits(c[0]) | (spread_bits(c[1]) << 1) | (spread_bits(c[2]) << 2);
          }
          keys[i] = (code << 32) | i;
        }
      });
  // LSD radix sort on the 31 code bits, 11 bits a pass: stable, so equal codes keep index order.
  // Much cheaper than a comparison sort at the batch sizes that matter (10^5 - 10^7).
  std::vector<uint64_t> tmp(n);
  for (int shift = 32; shift < 63; shift += 11) {
    size_t count[2049] = {};
    for (const uint64_t k : keys) ++count[((k >> shift) & 2047) + 1];
    for (int b = 0; b < 2048; ++b) count[b + 1] += count[b];
    for (const uint64_t k : keys) tmp[count[(k >> shift) & 2047]++] = k;
    keys.swap(tmp);
  }
  std::vector<uint32_t> order(n);
  for (size_t i = 0; i < n; ++i) order[i] = static_cast<uint32_t>(keys[i] & 0xffffffffu);
  return order;
}

}  // namespace nsdf::geometry
