#include "models/Decoder.h"

#include "core/Error.h"

namespace nsdf::models {

namespace {

torch::Tensor rows(const torch::Tensor& t, int64_t begin, int64_t end) {
  return t.defined() ? t.slice(0, begin, end) : t;
}

}  // namespace

torch::Tensor Decoder::forward_shapes(const torch::Tensor& codes, int64_t rows_per_code,
                                      const torch::Tensor& xyz) {
  return forward(codes.repeat_interleave(rows_per_code, 0), xyz);
}

FieldAndGradient Decoder::forward_with_gradient(const torch::Tensor& latent,
                                                const torch::Tensor& xyz, int64_t first_grad_row) {
  const int64_t n = xyz.size(0);
  NSDF_ASSERT(first_grad_row >= 0 && first_grad_row <= n, "first_grad_row {} for {} rows",
              first_grad_row, n);
  const torch::Tensor x = xyz.detach();
  if (first_grad_row == n) return {forward(latent, x), torch::zeros({0, 3}, xyz.options())};
  // The rows without gradient go through a forward of their own: back-propagating zeros
  // through them would cost as much as their gradient.
  torch::Tensor head;
  if (first_grad_row > 0) {
    head = forward(rows(latent, 0, first_grad_row), x.slice(0, 0, first_grad_row));
  }

  // Under NoGradGuard (evaluation) the gradient is still wanted, as a plain value.
  const bool create_graph = torch::GradMode::is_enabled();
  torch::AutoGradMode enable_grad(true);
  const torch::Tensor tail_xyz = x.slice(0, first_grad_row).requires_grad_(true);
  torch::Tensor f = forward(rows(latent, first_grad_row, n), tail_xyz);
  torch::Tensor grad = torch::autograd::grad({f}, {tail_xyz}, {torch::ones_like(f)},
                                             /*retain_graph=*/create_graph, create_graph)[0];
  if (!create_graph) {
    f = f.detach();
    grad = grad.detach();
  }
  if (head.defined()) f = torch::cat({head, f}, 0);
  return {f, grad};
}

}  // namespace nsdf::models
