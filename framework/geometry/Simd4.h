#pragma once
// Four floats processed as one: the lanes of a 4-wide BVH node (child boxes, expansion centres
// and coefficients stored as structure of arrays). SSE on x86-64 (SSE2 is part of the baseline
// ABI, so no special compiler flags are needed); plain loops elsewhere, which compilers
// vectorize or not. GCC does not vectorize std::sqrt and divisions by itself unless
// -fno-math-errno is given, so the hot loops spell the SIMD out here instead. Internal to the
// geometry module.

#include <cmath>
#include <cstdint>

// NSDF_SIMD4_NO_SSE forces the portable path (to test it on x86).
#if (defined(__SSE2__) || defined(_M_X64)) && !defined(NSDF_SIMD4_NO_SSE)
#include <emmintrin.h>
#define NSDF_SIMD4_SSE 1
#endif

namespace nsdf::geometry::simd {

#ifdef NSDF_SIMD4_SSE

struct F4 {
  __m128 v;
  F4() = default;
  explicit F4(__m128 x) : v(x) {}
  explicit F4(float x) : v(_mm_set1_ps(x)) {}
  static F4 load(const float* p) { return F4(_mm_loadu_ps(p)); }
  void store(float* p) const { _mm_storeu_ps(p, v); }
};

inline F4 operator+(F4 a, F4 b) { return F4(_mm_add_ps(a.v, b.v)); }
inline F4 operator-(F4 a, F4 b) { return F4(_mm_sub_ps(a.v, b.v)); }
inline F4 operator*(F4 a, F4 b) { return F4(_mm_mul_ps(a.v, b.v)); }
inline F4 operator/(F4 a, F4 b) { return F4(_mm_div_ps(a.v, b.v)); }
inline F4 sqrt(F4 a) { return F4(_mm_sqrt_ps(a.v)); }
/// Lane-wise maximum and minimum; where a is NaN the result is b (SSE's rule, kept by the
/// fallback), so max(x, 0) maps NaN to 0.
inline F4 max(F4 a, F4 b) { return F4(_mm_max_ps(a.v, b.v)); }
inline F4 min(F4 a, F4 b) { return F4(_mm_min_ps(a.v, b.v)); }

/// A lane mask from a comparison.
struct M4 {
  __m128 v;
};
/// Lane-wise a > b and a >= b (false where either is NaN).
inline M4 greater(F4 a, F4 b) { return {_mm_cmpgt_ps(a.v, b.v)}; }
inline M4 greater_equal(F4 a, F4 b) { return {_mm_cmpge_ps(a.v, b.v)}; }
inline M4 all_of(M4 a, M4 b, M4 c) { return {_mm_and_ps(_mm_and_ps(a.v, b.v), c.v)}; }
/// Lane-wise m ? a : b.
inline F4 select(M4 m, F4 a, F4 b) {
  return F4(_mm_or_ps(_mm_and_ps(m.v, a.v), _mm_andnot_ps(m.v, b.v)));
}
/// Bit i set when lane i of the mask is.
inline int bits(M4 m) { return _mm_movemask_ps(m.v); }
/// Lanes of a where the mask is set, 0 elsewhere (whatever a holds there, inf and NaN included).
inline F4 keep(F4 a, M4 m) { return F4(_mm_and_ps(a.v, m.v)); }
inline float sum(F4 a) {
  alignas(16) float x[4];
  _mm_store_ps(x, a.v);
  return (x[0] + x[1]) + (x[2] + x[3]);
}
inline F4 abs(F4 a) { return F4(_mm_andnot_ps(_mm_set1_ps(-0.0f), a.v)); }
inline F4 negate(F4 a) { return F4(_mm_xor_ps(_mm_set1_ps(-0.0f), a.v)); }
/// Lanes whose index is >= 0.
inline M4 non_negative(const int32_t* index) {
  const __m128i i = _mm_loadu_si128(reinterpret_cast<const __m128i*>(index));
  return {_mm_castsi128_ps(_mm_cmpgt_epi32(i, _mm_set1_epi32(-1)))};
}

#else

struct F4 {
  float v[4];
  F4() = default;
  explicit F4(float x) : v{x, x, x, x} {}
  static F4 load(const float* p) {
    F4 r;
    for (int i = 0; i < 4; ++i) r.v[i] = p[i];
    return r;
  }
  void store(float* p) const {
    for (int i = 0; i < 4; ++i) p[i] = v[i];
  }
};

#define NSDF_SIMD4_LANEWISE(op)                            \
  inline F4 operator op(F4 a, F4 b) {                      \
    F4 r;                                                  \
    for (int i = 0; i < 4; ++i) r.v[i] = a.v[i] op b.v[i]; \
    return r;                                              \
  }
NSDF_SIMD4_LANEWISE(+)
NSDF_SIMD4_LANEWISE(-)
NSDF_SIMD4_LANEWISE(*)
NSDF_SIMD4_LANEWISE(/)
#undef NSDF_SIMD4_LANEWISE

inline F4 sqrt(F4 a) {
  F4 r;
  for (int i = 0; i < 4; ++i) r.v[i] = std::sqrt(a.v[i]);
  return r;
}
inline F4 max(F4 a, F4 b) {
  F4 r;
  for (int i = 0; i < 4; ++i) r.v[i] = a.v[i] > b.v[i] ? a.v[i] : b.v[i];
  return r;
}
inline F4 min(F4 a, F4 b) {
  F4 r;
  for (int i = 0; i < 4; ++i) r.v[i] = a.v[i] < b.v[i] ? a.v[i] : b.v[i];
  return r;
}
struct M4 {
  bool b[4];
};
inline M4 greater(F4 a, F4 b) {
  M4 m;
  for (int i = 0; i < 4; ++i) m.b[i] = a.v[i] > b.v[i];
  return m;
}
inline M4 greater_equal(F4 a, F4 b) {
  M4 m;
  for (int i = 0; i < 4; ++i) m.b[i] = a.v[i] >= b.v[i];
  return m;
}
inline M4 all_of(M4 a, M4 b, M4 c) {
  M4 m;
  for (int i = 0; i < 4; ++i) m.b[i] = a.b[i] && b.b[i] && c.b[i];
  return m;
}
inline F4 select(M4 m, F4 a, F4 b) {
  F4 r;
  for (int i = 0; i < 4; ++i) r.v[i] = m.b[i] ? a.v[i] : b.v[i];
  return r;
}
inline int bits(M4 m) {
  int r = 0;
  for (int i = 0; i < 4; ++i) r |= int{m.b[i]} << i;
  return r;
}
inline F4 keep(F4 a, M4 m) {
  F4 r;
  for (int i = 0; i < 4; ++i) r.v[i] = m.b[i] ? a.v[i] : 0.0f;
  return r;
}
inline float sum(F4 a) { return (a.v[0] + a.v[1]) + (a.v[2] + a.v[3]); }
inline F4 abs(F4 a) {
  F4 r;
  for (int i = 0; i < 4; ++i) r.v[i] = std::fabs(a.v[i]);
  return r;
}
inline F4 negate(F4 a) {
  F4 r;
  for (int i = 0; i < 4; ++i) r.v[i] = -a.v[i];
  return r;
}
inline M4 non_negative(const int32_t* index) {
  M4 m;
  for (int i = 0; i < 4; ++i) m.b[i] = index[i] >= 0;
  return m;
}

#endif

/// atan2(y, x) lane-wise to within 1.3e-7 rad (plus float rounding): the octant reduction to
/// a = min(|x|, |y|) / max(|x|, |y|) in [0, 1] and an odd degree-15 polynomial for atan(a),
/// least-squares fitted on [0, 1]. atan2(0, 0) = 0.
inline F4 atan2(F4 y, F4 x) {
  const F4 ax = abs(x), ay = abs(y);
  const M4 steep = greater(ay, ax);
  const F4 num = select(steep, ax, ay), den = select(steep, ay, ax);
  const F4 a = num / max(den, F4(1e-30f));
  const F4 s = a * a;
  F4 p(-0.0042578614788883265f);
  p = p * s + F4(0.022568358477776607f);
  p = p * s + F4(-0.056882953524666394f);
  p = p * s + F4(0.09709490669185003f);
  p = p * s + F4(-0.1393327976965863f);
  p = p * s + F4(0.19951120091219918f);
  p = p * s + F4(-0.33330223085437993f);
  p = p * s + F4(0.999999416168222f);
  F4 r = a * p;
  r = select(steep, F4(1.57079632679489662f) - r, r);
  r = select(greater(F4(0.0f), x), F4(3.14159265358979324f) - r, r);
  return select(greater(F4(0.0f), y), negate(r), r);
}

}  // namespace nsdf::geometry::simd
