#include "models/ReluDropout.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cstring>
#include <limits>

#include "geometry/CounterRng.h"

namespace nsdf::models {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// Elements per 64-bit draw: 4 x 16-bit uniforms, compared with round(p * 65536). Element i
// uses bits 16 (i % 4) .. 16 (i % 4) + 15 of draw i / 4.
constexpr int64_t kPerDraw = 4;
// Draws per block: their bits are computed first (a loop the compiler vectorizes), then the
// block's elements are masked without branches.
constexpr int64_t kChunkDraws = 256;

/// out = keep ? g * s : 0 over n elements (branch-free, vectorizable).
void masked_scale(const float* __restrict g, const uint8_t* __restrict keep, float s,
                  float* __restrict out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] = g[i] * (static_cast<float>(keep[i]) * s);
}

/// ReLU + dropout of the elements of draws [begin, end): keep[i] = (uniform_i >= threshold) and
/// in[i] > 0; out[i] = keep[i] ? in[i] * scale : 0.
void mask_chunks(const geometry::CounterRng& rng, uint32_t threshold, float scale,
                 const float* __restrict in, float* __restrict out, uint8_t* __restrict keep,
                 int64_t n, int64_t begin, int64_t end) {
  uint16_t u16[kChunkDraws * kPerDraw];
  for (int64_t d0 = begin; d0 < end; d0 += kChunkDraws) {
    const int64_t draws = std::min(kChunkDraws, end - d0);
    for (int64_t d = 0; d < draws; ++d) {
      const uint64_t b = rng.bits(static_cast<uint64_t>(d0 + d));
      for (int64_t lane = 0; lane < kPerDraw; ++lane)
        u16[d * kPerDraw + lane] = static_cast<uint16_t>(b >> (16 * lane));
    }
    const int64_t first = d0 * kPerDraw;
    const int64_t count = std::min(n, (d0 + draws) * kPerDraw) - first;
    for (int64_t j = 0; j < count; ++j) {
      const float v = in[first + j];
      const uint8_t k = static_cast<uint8_t>(u16[j] >= threshold) & static_cast<uint8_t>(v > 0.0f);
      keep[first + j] = k;
      out[first + j] = v * (static_cast<float>(k) * scale);
    }
  }
}

class ReluDropoutFunction : public torch::autograd::Function<ReluDropoutFunction> {
 public:
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& input, double p,
                               int64_t seed) {
    const torch::Tensor x = input.contiguous();
    torch::Tensor y = torch::empty_like(x);
    torch::Tensor mask = torch::empty(x.sizes(), x.options().dtype(torch::kUInt8));
    const float scale = static_cast<float>(1.0 / (1.0 - p));
    const auto threshold = static_cast<uint32_t>(std::llround(p * 65536.0));
    const geometry::CounterRng rng(static_cast<uint64_t>(seed));
    const float* in = x.data_ptr<float>();
    float* out = y.data_ptr<float>();
    uint8_t* keep = mask.data_ptr<uint8_t>();
    const int64_t n = x.numel();
    const int64_t draws = (n + kPerDraw - 1) / kPerDraw;
    at::parallel_for(0, draws, kChunkDraws, [&](int64_t begin, int64_t end) {
      mask_chunks(rng, threshold, scale, in, out, keep, n, begin, end);
    });    ctx->save_for_backward({mask});
    ctx->saved_data["scale"] = static_cast<double>(scale);
    return y;
  }

  static tensor_list backward(AutogradContext* ctx, tensor_list grads) {
    const torch::Tensor mask = ctx->get_saved_variables()[0];
    const double scale = ctx->saved_data["scale"].toDouble();
    const torch::Tensor& g = grads[0];
    torch::Tensor dx;
    if (!torch::GradMode::is_enabled() && g.is_contiguous() && g.dtype() == torch::kFloat32) {
      // One pass: dx = g * scale where kept.
      dx = torch::empty_like(g);
      const float* gp = g.data_ptr<float>();
      const uint8_t* kp = mask.data_ptr<uint8_t>();
      float* dp = dx.data_ptr<float>();
      const auto s = static_cast<float>(scale);
      at::parallel_for(0, g.numel(), 16384, [&](int64_t begin, int64_t end) {
        masked_scale(gp + begin, kp + begin, s, dp + begin, end - begin);
      });
    } else {  // double backward: keep it differentiable w.r.t. g
      dx = g * mask.to(g.dtype()) * scale;
    }
    return {dx, torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor relu_dropout(const torch::Tensor& x, double p, bool training) {
  if (!training || p <= 0) return torch::relu(x);
  if (!x.device().is_cpu() || x.scalar_type() != torch::kFloat32)
    return torch::dropout(torch::relu(x), p, true);
  const int64_t seed =
      torch::randint(std::numeric_limits<int64_t>::max(), {1}, torch::kLong).item<int64_t>();
  return ReluDropoutFunction::apply(x, p, seed);
}

}  // namespace nsdf::models
