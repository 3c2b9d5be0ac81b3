#include "models/IgrFieldAndGradient.h"

#include <algorithm>

#include "models/FusedSoftplus.h"

namespace nsdf::models {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

namespace {

constexpr double kSkipScale = 0.70710678118654752440;  // the 1 / sqrt(2) of a re-injection

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

}  // namespace

torch::Tensor ActivationPool::get(int64_t numel, const torch::TensorOptions& options) {
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

double IgrFieldAndGradient::Layout::scale(size_t i) const { return skip[i] ? kSkipScale : 1.0; }

int64_t IgrFieldAndGradient::Layout::max_width() const {
  return *std::max_element(width.begin(), width.end());
}

void IgrFieldAndGradient::Layout::save(AutogradContext* ctx) const {
  ctx->saved_data["width"] = width;
  ctx->saved_data["skip"] = skip;
  ctx->saved_data["latent_size"] = latent_size;
  ctx->saved_data["beta"] = beta;
  ctx->saved_data["first_grad_row"] = first_grad_row;
}

IgrFieldAndGradient::Layout IgrFieldAndGradient::Layout::load(AutogradContext* ctx) {
  Layout l;
  l.width = ctx->saved_data["width"].toIntVector();
  l.skip = ctx->saved_data["skip"].toIntVector();
  l.latent_size = ctx->saved_data["latent_size"].toInt();
  l.beta = ctx->saved_data["beta"].toDouble();
  l.first_grad_row = ctx->saved_data["first_grad_row"].toInt();
  return l;
}

variable_list IgrFieldAndGradient::forward(AutogradContext* ctx, const torch::Tensor& input,
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

variable_list IgrFieldAndGradient::backward(AutogradContext* ctx, variable_list grads) {
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
      softplus_derivative_backward(du, s(i).narrow(0, first, m), saved[at_eta + i], e,
                                   dt_from_s[i]);
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

}  // namespace nsdf::models
