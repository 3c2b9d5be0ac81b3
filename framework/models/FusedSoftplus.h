#pragma once
// Softplus, its derivative and the backward of the derivative's product in single fused
// elementwise passes, for IgrFieldAndGradient (IGR's explicit input gradient).
//
// With beta = 1 and torch's threshold 20:
//   p = softplus(t) = log(1 + exp(t))    (p = t above t = 20),
//   s = softplus'(t) = sigmoid(t)        (s = 1 above t = 20),
// both from the same e = exp(-|t|):
//   p = max(t, 0) + log1p(e),   s = 1 / (1 + e) (t >= 0) or e / (1 + e) (t < 0),
// and 0 below t = -50 (see kDeadBelow in the .cpp). The backward of the gradient pass's
// u = eta * s, given du = dL/du, is
//   e = du * s             (dL/deta),
//   dt = du * eta s (1 - s) (dL/dt through s).
//
// Why: torch's Softplus evaluates exp and log1p per element and its derivative a second exp,
// each pass 3-4x the cost of a plain one; here one vectorized pass gives both, and the
// activation backward is one pass instead of three. Part of IGR's training step being 1.5-2x
// faster than Python PyTorch's (tools/bench/IGR_STEP.md). float32 CPU tensors take the fused
// kernels; other types and devices go through the equivalent torch ops.

#include <torch/torch.h>

namespace nsdf::models {

/// p <- softplus(p) and s <- sigmoid(p) (beta 1, threshold 20): the activation and its
/// derivative, as torch's softplus and softplus_backward compute them. p and s have the same
/// shape.
void softplus_and_derivative(torch::Tensor& p, torch::Tensor& s);

/// The backward of u = eta * s: e = du * s; dt = du * eta * sigmoid'(t) = du * eta * s (1 - s).
/// du, s, e, dt are [R, C]; eta is [R, C] or a row [1, C]. du's contents are left undefined
/// (it serves as scratch).
void softplus_derivative_backward(torch::Tensor& du, const torch::Tensor& s,
                                  const torch::Tensor& eta, torch::Tensor& e, torch::Tensor& dt);

}  // namespace nsdf::models
