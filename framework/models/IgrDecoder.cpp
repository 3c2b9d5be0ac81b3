#include "models/IgrDecoder.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>

#include "core/Error.h"

namespace nsdf::models {

namespace {
constexpr double kPi = 3.14159265358979323846;
constexpr double kSkipScale = 0.70710678118654752440;  // the 1 / sqrt(2) of a re-injection
// torch's Softplus returns its input above beta * z = 20, with derivative exactly 1 there.
constexpr double kSoftplusThreshold = 20.0;
}  // namespace

/// Buffers that forward_with_gradient reuses from one call to the next. Above 32 MB glibc maps
/// every allocation afresh, so a new 70 MB activation (8 x 512 network, 35k points) costs
/// ~25 ms of page faults, as much as two elementwise passes over it, and a training step
/// needs ~40 of them. A buffer is free again once no tensor refers to its storage, i.e. once
/// the autograd graph of the call that used it has been released.
class ActivationPool {
 public:
  /// A 1-D tensor of numel uninitialized elements.
  torch::Tensor get(int64_t numel, const torch::TensorOptions& options) {
    std::lock_guard<std::mutex> lock(mutex_);
    torch::Tensor* best = nullptr;
    torch::Tensor* too_small = nullptr;
    for (torch::Tensor& b : buffers_) {
      if (b.storage().use_count() != 1 || b.dtype() != options.dtype() ||
          b.device() != options.device()) {
        continue;
      }
      if (b.numel() < numel) {
        too_small = &b;
      } else if (!best || b.numel() < best->numel()) {
        best = &b;
      }
    }
    if (!best) {
      // Replace a free buffer that is too small rather than keep it: the pool stays as large
      // as the most a call has needed at once.
      if (!too_small) too_small = &buffers_.emplace_back();
      *too_small = torch::empty({numel}, options);
      best = too_small;
    }
    return best->narrow(0, 0, numel);
  }

 private:
  std::mutex mutex_;
  std::vector<torch::Tensor> buffers_;
};

void IgrDecoderOptions::declare(core::OptionSet<IgrDecoderOptions>& s) {
  using O = IgrDecoderOptions;
  s.add("dims", &O::dims, "widths of the hidden layers").non_empty().positive();
  s.add("skip_in", &O::skip_in, "layers before which [latent, xyz] is concatenated again")
      .non_negative();
  s.add("beta", &O::beta, "Softplus sharpness (beta -> inf: ReLU)").positive();
  s.add("geometric_init", &O::geometric_init, "initialize to the SDF of a sphere");
  s.add("radius", &O::radius, "radius of the initial sphere (geometric_init)").positive();
  declare_fourier(s);
  s.validate([](const O& o) {
    for (int64_t l : o.skip_in) {
      if (l < 1 || l >= static_cast<int64_t>(o.dims.size())) {
        return fmt::format(
            "skip_in: layer {} is out of range: must be in [1, {}] (dims has {} "
            "layers)",
            l, o.dims.size() - 1, o.dims.size());
      }
    }
    return std::string();
  });
}

bool IgrDecoderImpl::skip_before(size_t layer) const {
  return std::find(options_.skip_in.begin(), options_.skip_in.end(), static_cast<int64_t>(layer)) !=
         options_.skip_in.end();
}

IgrDecoderImpl::IgrDecoderImpl(const Options& options, const ModelContext& context)
    : options_(options),
      latent_size_(context.latent_size),
      pool_(std::make_shared<ActivationPool>()) {
  encoding_ = options_.make_encoding();
  if (encoding_) register_module("encoding", encoding_);
  const int64_t enc_dim = encoding_ ? encoding_->output_size() : 3;
  const int64_t in_dim = latent_size_ + enc_dim;  // the input is [latent, xyz, features]
  const auto& d = options_.dims;
  const size_t n = d.size();
  for (size_t i = 0; i <= n; ++i) {
    const int64_t in = (i == 0) ? in_dim : d[i - 1];
    int64_t out = (i == n) ? 1 : d[i];
    if (i < n && skip_before(i + 1)) {
      out -= in_dim;
      NSDF_CHECK(out > 0, core::ConfigError,
                 "model.dims: layer {} has width {} but must exceed the input size {} because "
                 "the input is re-injected after it",
                 i, d[i], in_dim);
    }
    torch::nn::Linear lin = register_module("lin" + std::to_string(i), torch::nn::Linear(in, out));
    if (options_.geometric_init) {
      torch::NoGradGuard no_grad;
      if (i == n) {
        lin->weight.normal_(std::sqrt(kPi) / std::sqrt(static_cast<double>(in)), 1e-5);
        lin->bias.fill_(-options_.radius);
      } else {
        lin->weight.normal_(0.0, std::sqrt(2.0) / std::sqrt(static_cast<double>(out)));
        lin->bias.zero_();
        // Columns of the input block other than xyz start at zero: the block is the whole
        // input of layer 0 and the last in_dim columns of a skip layer.
        const int64_t block = (i == 0) ? 0 : (skip_before(i) ? in - in_dim : -1);
        if (block >= 0) {
          if (latent_size_ > 0) lin->weight.narrow(1, block, latent_size_).zero_();
          if (enc_dim > 3) lin->weight.narrow(1, block + latent_size_ + 3, enc_dim - 3).zero_();
        }
      }
    }
    layers_.push_back(lin);
  }
}

torch::Tensor IgrDecoderImpl::forward(const torch::Tensor& latent, const torch::Tensor& xyz) {
  const torch::Tensor x = encoding_ ? encoding_->forward(xyz) : xyz;
  const torch::Tensor input = latent_size_ > 0 ? torch::cat({latent, x}, 1) : x;
  const auto softplus = torch::nn::functional::SoftplusFuncOptions().beta(options_.beta);
  torch::Tensor h = input;
  const size_t n = options_.dims.size();
  for (size_t i = 0; i <= n; ++i) {
    if (skip_before(i)) h = torch::cat({h, input}, 1) / std::sqrt(2.0);
    h = layers_[i]->forward(h);
    if (i < n) h = torch::nn::functional::softplus(h, softplus);
  }
  return h;
}

// ---------------------------------------------------------------------------------------------
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
// ---------------------------------------------------------------------------------------------

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define NSDF_VECTOR_CLONES __attribute__((target_clones("avx512f", "arch=haswell", "default")))
#else
#define NSDF_VECTOR_CLONES
#endif

namespace {

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

/// p <- softplus(p) and s <- sigmoid(p) (beta 1, threshold 20): the activation and its
/// derivative, as torch's softplus and softplus_backward compute them.
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

/// e = du * s; dt = du * eta * sigmoid'(t) = du * eta * s (1 - s). du is left undefined.
void activation_backward(torch::Tensor& du, const torch::Tensor& s, const torch::Tensor& eta,
                         torch::Tensor& e, torch::Tensor& dt) {
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

}  // namespace

// ---------------------------------------------------------------------------------------------
// forward_with_gradient
//
// With t_i = beta z_i the scaled pre-activations and p_i = beta h_i = softplus(t_i) (beta = 1),
// the layers read t_i = beta b_i + c_i p_{i-1} W_i^T (+ beta c_i input W_i'^T after a
// re-injection, c_i = 1 / sqrt(2), else c_i = 1): beta rides on the matrix products (their
// alpha) and no elementwise pass scales by it. The derivative is s_i = sigmoid(t_i) (exactly 1
// above torch's threshold).
//
// The gradient of f w.r.t. the input, on the rows G >= first_grad_row, is the chain rule:
//   eta_{n-1} = W_n (a row), u_i = eta_i * s_i[G], eta_{i-1} = c_i u_i W_i,
//   grad = u_0 W_0 + sum over re-injections c_i u_i W_i'.
// Differentiating that by hand (instead of autograd differentiating autograd's backward)
// costs the same six matrix products per layer and row of G (three for the other rows), but
// per layer 3 elementwise passes forward (bias, softplus + sigmoid, u) and 3 back (the fused
// activation backward, dt, the bias sum) instead of ~15 (torch's softplus double backward
// alone takes 7), and every buffer comes from the pool: no fresh memory in a training step.
// Backward, for loss gradients F = dL/df and G = dL/dgrad:
//   reverse of the gradient pass, i = 0 .. n-1, U_i = dL/du_i:
//     U_0 = G W_0^T, U_i = c_i E_{i-1} W_i^T (+ c_i G W_i'^T), dW_i += (same pairs with u_i^T);
//     E_i = U_i * s_i = dL/deta_i;  dL/dt_i (from s_i) = sigmoid'(t_i) * U_i * eta_i;
//   then the forward's backward, i = n-1 .. 0, P_i = dL/dp_i:
//     P_{n-1} = F W_n / beta, T_i = P_i * s_i + dL/dt_i (from s_i), db_i = beta sum T_i,
//     dW_i += c_i T_i^T p_{i-1} (+ beta c_i T_i^T input), P_{i-1} = c_i T_i W_i.
// ---------------------------------------------------------------------------------------------

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

/// What the explicit gradient needs to know about the network (n hidden layers, layer n is the
/// output layer, never after a re-injection).
struct Layout {
  std::vector<int64_t> width;  // output width of hidden layer i (n entries)
  std::vector<int64_t> skip;   // 1 where the input is re-injected before hidden layer i (n)
  int64_t latent_size = 0;     // the first input columns, which get no gradient
  double beta = 1;
  int64_t first_grad_row = 0;

  size_t hidden() const { return width.size(); }
  double scale(size_t i) const { return skip[i] ? kSkipScale : 1.0; }
  int64_t max_width() const { return *std::max_element(width.begin(), width.end()); }

  void save(AutogradContext* ctx) const {
    ctx->saved_data["width"] = width;
    ctx->saved_data["skip"] = skip;
    ctx->saved_data["latent_size"] = latent_size;
    ctx->saved_data["beta"] = beta;
    ctx->saved_data["first_grad_row"] = first_grad_row;
  }
  static Layout load(AutogradContext* ctx) {
    Layout l;
    l.width = ctx->saved_data["width"].toIntVector();
    l.skip = ctx->saved_data["skip"].toIntVector();
    l.latent_size = ctx->saved_data["latent_size"].toInt();
    l.beta = ctx->saved_data["beta"].toDouble();
    l.first_grad_row = ctx->saved_data["first_grad_row"].toInt();
    return l;
  }
};

torch::Tensor as_matrix(const torch::Tensor& buffer, int64_t rows, int64_t cols) {
  return buffer.narrow(0, 0, rows * cols).view({rows, cols});
}

/// out = alpha a b, without a pass for alpha.
void matmul_into(torch::Tensor& out, const torch::Tensor& a, const torch::Tensor& b, double alpha) {
  if (alpha == 1.0) {
    at::mm_out(out, a, b);
  } else {
    at::addmm_out(out, out, a, b, /*beta=*/0, alpha);  // beta = 0: out is not read
  }
}

/// The backward writes into the buffers it saved (they are its scratch): a second backward
/// through the same graph fails with autograd's "modified by an inplace operation" error.
class IgrFieldAndGradient : public torch::autograd::Function<IgrFieldAndGradient> {
 public:
  /// input [R, D] = [latent, xyz, features]; params W_0, b_0, ..., W_n, b_n. Returns f [R, 1]
  /// and d f / d input[:, latent_size:] on the rows >= first_grad_row.
  static variable_list forward(AutogradContext* ctx, const torch::Tensor& input,
                               torch::TensorList params, const Layout& layout,
                               ActivationPool* pool) {
    const size_t n = layout.hidden();
    const int64_t rows = input.size(0), in = input.size(1);
    const int64_t first = layout.first_grad_row, m = rows - first;
    const int64_t lat = layout.latent_size;
    const double beta = layout.beta;
    const auto& width = layout.width;
    const auto opts = input.options();
    auto weight = [&](size_t i) { return params[2 * i]; };
    auto bias = [&](size_t i) { return params[2 * i + 1]; };

    // p_i (in place of t_i) and s_i on all rows.
    std::vector<torch::Tensor> p(n), s(n);
    for (size_t i = 0; i < n; ++i) {
      p[i] = as_matrix(pool->get(rows * width[i], opts), rows, width[i]);
      if (i == 0) {
        at::addmm_out(p[0], bias(0), input, weight(0).t(), beta, beta);
      } else {
        const int64_t prev = width[i - 1];
        at::addmm_out(p[i], bias(i), p[i - 1], weight(i).narrow(1, 0, prev).t(), beta,
                      layout.scale(i));
        if (layout.skip[i]) {
          p[i].addmm_(input, weight(i).narrow(1, prev, in).t(), 1, beta * layout.scale(i));
        }
      }
      s[i] = as_matrix(pool->get(rows * width[i], opts), rows, width[i]);
      softplus_and_derivative(p[i], s[i]);
    }
    const torch::Tensor f = at::addmm(bias(n), p[n - 1], weight(n).t(), 1, 1 / beta);

    // The gradient pass on the rows G; eta_i is d f / d h_i, u_i = eta_i * s_i.
    torch::Tensor grad = torch::zeros({m, in - lat}, opts);
    std::vector<torch::Tensor> eta(n), u(n);
    if (m > 0) {
      eta[n - 1] = weight(n);  // [1, width[n - 1]]: the same on every row
      for (size_t i = n; i-- > 0;) {
        u[i] = as_matrix(pool->get(m * width[i], opts), m, width[i]);
        at::mul_out(u[i], eta[i], s[i].narrow(0, first, m));
        if (i == 0) {
          grad.addmm_(u[0], weight(0).narrow(1, lat, in - lat));
        } else {
          const int64_t prev = width[i - 1];
          eta[i - 1] = as_matrix(pool->get(m * prev, opts), m, prev);
          matmul_into(eta[i - 1], u[i], weight(i).narrow(1, 0, prev), layout.scale(i));
          if (layout.skip[i]) {
            grad.addmm_(u[i], weight(i).narrow(1, prev + lat, in - lat), 1, layout.scale(i));
          }
        }
      }
    }

    // Scratch for the backward, taken now so that it comes from the pool too.
    const int64_t wide = layout.max_width();
    variable_list saved{input};
    saved.insert(saved.end(), params.begin(), params.end());
    for (auto* list : {&p, &s, &eta, &u}) saved.insert(saved.end(), list->begin(), list->end());
    for (int64_t r : {m, m, rows, rows}) saved.push_back(pool->get(r * wide, opts));
    ctx->save_for_backward(saved);
    layout.save(ctx);
    return {f, grad};
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const Layout layout = Layout::load(ctx);
    const size_t n = layout.hidden();
    const variable_list saved = ctx->get_saved_variables();
    const torch::Tensor& input = saved[0];
    auto weight = [&](size_t i) { return saved[1 + 2 * i]; };
    const size_t at_p = 1 + 2 * (n + 1), at_s = at_p + n, at_eta = at_s + n, at_u = at_eta + n,
                 at_scratch = at_u + n;
    auto p = [&](size_t i) { return saved[at_p + i]; };
    auto s = [&](size_t i) { return saved[at_s + i]; };
    const int64_t rows = input.size(0), in = input.size(1);
    const int64_t first = layout.first_grad_row, m = rows - first;
    const int64_t lat = layout.latent_size;
    const double beta = layout.beta;
    const auto& width = layout.width;
    const int64_t top = width[n - 1];
    const torch::Tensor& df = grads[0];     // [R, 1]
    const torch::Tensor& dgrad = grads[1];  // [M, D - L]

    std::vector<torch::Tensor> dw(n + 1), db(n + 1);
    for (size_t i = 0; i <= n; ++i) dw[i] = torch::zeros_like(weight(i));

    // Reverse of the gradient pass; leaves dL/dt_i (through s_i) in u_i's buffer.
    std::vector<torch::Tensor> dt_from_s(n);
    if (m > 0) {
      torch::Tensor e;  // E_{i-1}
      for (size_t i = 0; i < n; ++i) {
        const torch::Tensor& u = saved[at_u + i];
        torch::Tensor du = as_matrix(saved[at_scratch], m, width[i]);
        if (i == 0) {
          at::mm_out(du, dgrad, weight(0).narrow(1, lat, in - lat).t());
          dw[0].narrow(1, lat, in - lat).addmm_(u.t(), dgrad);
        } else {
          const int64_t prev = width[i - 1];
          const double c = layout.scale(i);
          matmul_into(du, e, weight(i).narrow(1, 0, prev).t(), c);
          dw[i].narrow(1, 0, prev).addmm_(u.t(), e, 1, c);
          if (layout.skip[i]) {
            du.addmm_(dgrad, weight(i).narrow(1, prev + lat, in - lat).t(), 1, c);
            dw[i].narrow(1, prev + lat, in - lat).addmm_(u.t(), dgrad, 1, c);
          }
        }
        e = as_matrix(saved[at_scratch + 1], m, width[i]);
        dt_from_s[i] = u;
        activation_backward(du, s(i).narrow(0, first, m), saved[at_eta + i], e, dt_from_s[i]);
      }
      dw[n].add_(e.sum(0, true));
    }

    // The forward's backward.
    const bool need_input = ctx->needs_input_grad(0);
    torch::Tensor dinput = need_input ? torch::zeros_like(input) : torch::Tensor();
    db[n] = df.sum(0);
    dw[n].addmm_(df.t(), p(n - 1), 1, 1 / beta);
    torch::Tensor dp = as_matrix(saved[at_scratch + 2], rows, top);
    matmul_into(dp, df, weight(n), 1 / beta);
    for (size_t i = n; i-- > 0;) {
      // dt = dp * s (+ dL/dt through s on the rows G), in place of dp.
      const torch::Tensor dt = dp;
      if (first > 0) dt.narrow(0, 0, first).mul_(s(i).narrow(0, 0, first));
      if (m > 0) {
        torch::Tensor dt_g = dt.narrow(0, first, m);
        at::addcmul_out(dt_g, dt_from_s[i], dt_g, s(i).narrow(0, first, m));
      }
      db[i] = dt.sum(0).mul_(beta);
      const double c = layout.scale(i);
      if (i == 0) {
        dw[0].addmm_(dt.t(), input, 1, beta);
        if (need_input) dinput.addmm_(dt, weight(0), 1, beta);
        break;
      }
      const int64_t prev = width[i - 1];
      dw[i].narrow(1, 0, prev).addmm_(dt.t(), p(i - 1), 1, c);
      if (layout.skip[i]) {
        dw[i].narrow(1, prev, in).addmm_(dt.t(), input, 1, beta * c);
        if (need_input) dinput.addmm_(dt, weight(i).narrow(1, prev, in), 1, beta * c);
      }
      torch::Tensor next = as_matrix(saved[at_scratch + 2 + (n - i) % 2], rows, prev);
      matmul_into(next, dt, weight(i).narrow(1, 0, prev), c);
      dp = next;
    }

    variable_list out{dinput};
    for (size_t i = 0; i <= n; ++i) {
      out.push_back(dw[i]);
      out.push_back(db[i]);
    }
    out.emplace_back();  // layout
    out.emplace_back();  // pool
    return out;
  }
};

}  // namespace

FieldAndGradient IgrDecoderImpl::forward_with_gradient(const torch::Tensor& latent,
                                                       const torch::Tensor& xyz,
                                                       int64_t first_grad_row) {
  const int64_t rows = xyz.size(0);
  NSDF_ASSERT(first_grad_row >= 0 && first_grad_row <= rows, "first_grad_row {} for {} rows",
              first_grad_row, rows);
  const torch::Tensor x = xyz.detach();
  const torch::Tensor features = encoding_ ? encoding_->forward(x) : x;
  const torch::Tensor input = latent_size_ > 0 ? torch::cat({latent, features}, 1) : features;

  Layout layout;
  const size_t n = options_.dims.size();
  for (size_t i = 0; i < n; ++i) layout.width.push_back(layers_[i]->weight.size(0));
  for (size_t i = 0; i < n; ++i) layout.skip.push_back(skip_before(i) ? 1 : 0);
  NSDF_ASSERT(!skip_before(n), "re-injection before the output layer");  // options forbid it
  layout.latent_size = latent_size_;
  layout.beta = options_.beta;
  layout.first_grad_row = first_grad_row;
  std::vector<torch::Tensor> params;
  for (const auto& layer : layers_) {
    params.push_back(layer->weight);
    params.push_back(layer->bias);
  }
  const variable_list out =
      IgrFieldAndGradient::apply(input, torch::TensorList(params), layout, pool_.get());
  if (!encoding_) return {out[0], out[1]};

  // Through the encoding [xyz, sin(theta), cos(theta)], theta = 2 pi xyz B^T: a fixed linear
  // map of the feature gradient (B is not trained), left to autograd.
  const torch::Tensor& g = out[1];
  const torch::Tensor& b = encoding_->frequencies();
  const int64_t k = b.size(0);
  NSDF_ASSERT(g.size(1) == 3 + 2 * k, "encoding of {} columns for {} frequencies", g.size(1), k);
  const torch::Tensor theta = torch::matmul(x.slice(0, first_grad_row), b.t()) * (2 * kPi);
  const torch::Tensor chain =
      g.narrow(1, 3, k) * torch::cos(theta) - g.narrow(1, 3 + k, k) * torch::sin(theta);
  return {out[0], g.narrow(1, 0, 3) + torch::matmul(chain, b) * (2 * kPi)};
}

}  // namespace nsdf::models
