#include "models/ReluDropout.h"

#include <ATen/Parallel.h>

#include <cstring>
#include <limits>

#include "geometry/CounterRng.h"

namespace nsdf::models {

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::tensor_list;

// Elements per 64-bit draw: 4 x 16-bit uniforms, compared with round(p * 65536).
constexpr int64_t kPerDraw = 4;

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
    at::parallel_for(0, draws, 4096, [&](int64_t begin, int64_t end) {
      for (int64_t d = begin; d < end; ++d) {
        const uint64_t bits = rng.bits(static_cast<uint64_t>(d));
        const int64_t first = d * kPerDraw;
        const int64_t last = std::min(n, first + kPerDraw);
        for (int64_t i = first; i < last; ++i) {
          const auto u = static_cast<uint32_t>((bits >> (16 * (i - first))) & 0xffff);
          const bool k = u >= threshold && in[i] > 0;
          keep[i] = k;
          out[i] = k ? in[i] * scale : 0.0f;
        }
      }
    });
    ctx->save_for_backward({mask});
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
        for (int64_t i = begin; i < end; ++i) dp[i] = kp[i] ? gp[i] * s : 0.0f;
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
