#include "models/FusedSoftplus.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace nsdf::models {

// Fused elementwise kernels (float32 on the CPU; other types go through torch ops).
//
// torch's Softplus evaluates exp and log1p per element and its derivative a second exp: 3-4x
// the cost of a plain pass. One pass here gives p = softplus(t) and s = sigmoid(t) from the same
// e = exp(-|t|): p = max(t, 0) + log1p(e), s = 1 / (1 + e) (t >= 0) or e / (1 + e), with torch's
// threshold (t > 20: p = t, s = 1) and 0 below t = -50 (kDeadBelow). exp is Cephes' expf
// (~1 ulp), log1p(e) = 2 atanh(e / (2 + e)) by its series (7 terms: < 2e-8 relative for
// e <= 1), both free of library calls so that they vectorize. The selects are written as bit masks:
// GCC does not if-convert floating-point compares under -ftrapping-math, and the loops would
// stay scalar. target_clones compiles them for AVX-512, AVX2 and the baseline (ifunc dispatch).

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define NSDF_VECTOR_CLONES __attribute__((target_clones("avx512f", "arch=haswell", "default")))
#else
#define NSDF_VECTOR_CLONES
#endif

namespace {

// torch's Softplus returns its input above beta * z = 20, with derivative exactly 1 there.
constexpr double kSoftplusThreshold = 20.0;

inline int32_t bits_of(float f) {
  int32_t b;
  std::memcpy(&b, &f, sizeof b);
  return b;
}
inline float float_of(int32_t b) {
  float f;
  std::memcpy(&f, &b, sizeof f);
  return f;
}
/// mask (all ones or all zeros) ? a : b.
inline float select(int32_t mask, float a, float b) {
  return float_of((bits_of(a) & mask) | (bits_of(b) & ~mask));
}

/// Below t = -50 softplus(t) and sigmoid(t) (< 2e-22) are set to 0: invisible next to any live
/// unit at float precision, whereas the tiny values torch keeps become subnormal in the products
/// that follow (gradients, u = eta * s), and OpenBLAS runs ~50x slower on subnormal inputs (the
/// first Adam steps of an IGR fit push many units that far).
constexpr float kDeadBelow = 50.0f;

/// exp(-a) for a in [0, 87].
inline float exp_minus(float a) {
  const float x = -a;
  const float k = (x * 1.44269504088896341f + 12582912.0f) - 12582912.0f;  // round(x / ln 2)
  const float r = (x - k * 0.693359375f) + k * 2.12194440e-4f;
  float y = 1.9875691500e-4f;
  y = y * r + 1.3981999507e-3f;
  y = y * r + 8.3334519073e-3f;
  y = y * r + 4.1665795894e-2f;
  y = y * r + 1.6666665459e-1f;
  y = y * r + 5.0000001201e-1f;
  y = y * r * r + r + 1.0f;
  return y * float_of((static_cast<int32_t>(k) + 127) << 23);  // * 2^k
}

/// log1p(e) for e in [0, 1].
inline float log1p_unit(float e) {
  const float w = e / (2.0f + e), w2 = w * w;
  float y = 1.0f / 13;
  y = y * w2 + 1.0f / 11;
  y = y * w2 + 1.0f / 9;
  y = y * w2 + 1.0f / 7;
  y = y * w2 + 1.0f / 5;
  y = y * w2 + 1.0f / 3;
  y = y * w2 + 1.0f;
  return 2.0f * w * y;
}

/// t <- softplus(t), s <- sigmoid(t) (torch's threshold 20, beta 1; both 0 below -kDeadBelow).
NSDF_VECTOR_CLONES void softplus_sigmoid_kernel(float* __restrict t, float* __restrict s,
                                                int64_t n) {
  const int32_t threshold = bits_of(static_cast<float>(kSoftplusThreshold));
  const int32_t dead_below = bits_of(kDeadBelow);
  for (int64_t i = 0; i < n; ++i) {
    const float x = t[i];
    const int32_t big = -static_cast<int32_t>(bits_of(x) > threshold);  // x > 20 (or NaN)
    const int32_t negative = bits_of(x) >> 31;
    float a = float_of(bits_of(x) & 0x7fffffff);
    const int32_t far = -static_cast<int32_t>(bits_of(a) > dead_below);
    a = select(far, kDeadBelow, a);
    const float e = exp_minus(a);
    const float r = 1.0f / (1.0f + e);
    const int32_t dead = negative & far;
    t[i] = select(dead, 0.0f, select(big, x, select(negative, 0.0f, x) + log1p_unit(e)));
    s[i] = select(dead, 0.0f, select(big, 1.0f, select(negative, e * r, r)));
  }
}

/// The gradient pass's u = eta * s differentiated: e = du * s (dL/deta) and
/// dt = du * eta * s (1 - s) (dL/dt through s); eta is a row repeated when eta_stride is 0.
NSDF_VECTOR_CLONES void activation_backward_kernel(const float* __restrict du,
                                                   const float* __restrict s,
                                                   const float* __restrict eta, int64_t eta_stride,
                                                   float* __restrict e, float* __restrict dt,
                                                   int64_t rows, int64_t cols) {
  for (int64_t r = 0; r < rows; ++r) {
    const float* eta_row = eta + r * eta_stride;
    const int64_t o = r * cols;
    for (int64_t j = 0; j < cols; ++j) {
      const float g = du[o + j], sj = s[o + j];
      e[o + j] = g * sj;
      dt[o + j] = g * eta_row[j] * sj * (1.0f - sj);
    }
  }
}

bool fused_kernels_apply(const torch::Tensor& t) {
  return t.device().is_cpu() && t.scalar_type() == torch::kFloat;
}

constexpr int64_t kGrainElements = 1 << 15;

}  // namespace

void softplus_and_derivative(torch::Tensor& p, torch::Tensor& s) {
  if (fused_kernels_apply(p) && p.is_contiguous() && s.is_contiguous()) {
    float* pp = p.data_ptr<float>();
    float* sp = s.data_ptr<float>();
    at::parallel_for(0, p.numel(), kGrainElements, [&](int64_t begin, int64_t end) {
      softplus_sigmoid_kernel(pp + begin, sp + begin, end - begin);
    });
    return;
  }
  const torch::Tensor one = torch::ones({1, 1}, p.options());
  at::softplus_backward_out(s, one.expand(p.sizes()), p, 1, kSoftplusThreshold);
  at::softplus_out(p, p, 1, kSoftplusThreshold);
}

void softplus_derivative_backward(torch::Tensor& du, const torch::Tensor& s,
                                  const torch::Tensor& eta, torch::Tensor& e, torch::Tensor& dt) {
  const bool eta_row = eta.size(0) == 1;
  if (fused_kernels_apply(du) && du.is_contiguous() && s.is_contiguous() && eta.is_contiguous() &&
      e.is_contiguous() && dt.is_contiguous()) {
    const int64_t cols = du.size(1);
    const float* dup = du.data_ptr<float>();
    const float* sp = s.data_ptr<float>();
    const float* etap = eta.data_ptr<float>();
    float* ep = e.data_ptr<float>();
    float* dtp = dt.data_ptr<float>();
    at::parallel_for(0, du.size(0), std::max<int64_t>(1, kGrainElements / cols),
                     [&](int64_t begin, int64_t end) {
                       const int64_t o = begin * cols;
                       activation_backward_kernel(dup + o, sp + o, etap + (eta_row ? 0 : o),
                                                  eta_row ? 0 : cols, ep + o, dtp + o, end - begin,
                                                  cols);
                     });
    return;
  }
  at::mul_out(e, du, s);
  du.mul_(eta);
  at::sigmoid_backward_out(dt, du, s);
}

}  // namespace nsdf::models
