#pragma once
// A counter-based random number generator: any position of a seed's stream is computed
// directly, so parallel loops draw the same numbers whatever the thread count or batch order
// (sample i uses positions derived from i alone), and results are the same on every platform
// (no std:: distributions, whose algorithms are implementation-defined).
//
// Method: SplitMix64's output function (Steele, Lea and Flood 2014, "Fast splittable
// pseudorandom number generators") applied to key + (position + 1) * gamma; consecutive
// positions pass BigCrush. Normals by Box-Muller from two uniforms.

#include <cmath>
#include <cstdint>

namespace nsdf::geometry {

/// SplitMix64's bijective finalizer.
inline uint64_t splitmix64_mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

/// One SplitMix64 step: the generator's output for state x.
inline uint64_t splitmix64(uint64_t x) { return splitmix64_mix(x + 0x9e3779b97f4a7c15ULL); }

class CounterRng {
 public:
  static constexpr uint64_t kGamma = 0x9e3779b97f4a7c15ULL;

  explicit CounterRng(uint64_t seed) : key_(splitmix64_mix(seed + kGamma)) {}

  /// 64 random bits at `position`.
  uint64_t bits(uint64_t position) const { return splitmix64_mix(key_ + (position + 1) * kGamma); }
  /// Uniform in [0, 1) with 53 random bits.
  double uniform(uint64_t position) const { return (bits(position) >> 11) * 0x1.0p-53; }
  /// Standard normal from positions 2 i and 2 i + 1 (Box-Muller, cosine branch).
  double normal(uint64_t i) const {
    const double u1 = 1.0 - uniform(2 * i);  // (0, 1]: log is finite
    const double u2 = uniform(2 * i + 1);
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  uint64_t key_;
};

}  // namespace nsdf::geometry
