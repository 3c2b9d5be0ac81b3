#pragma once
// The IGR network's field f and its input gradient grad f, and the backward of both derived by
// hand, as one autograd function: the explicit path of IgrDecoder::forward_with_gradient.
//
// With t_i = beta z_i the scaled pre-activations and p_i = beta h_i = softplus(t_i) (beta = 1),
// the layers read t_i = beta b_i + c_i p_{i-1} W_i^T (+ beta c_i input W_i'^T after a
// re-injection, c_i = 1 / sqrt(2), else c_i = 1): beta rides on the matrix products (their
// alpha) and no elementwise pass scales by it. The derivative is s_i = sigmoid(t_i) (exactly 1
// above torch's threshold). The output is f = b_n + p_{n-1} W_n^T / beta.
//
// The gradient of f w.r.t. the input, on the rows G >= first_grad_row, is the chain rule:
//   eta_{n-1} = W_n (a row), u_i = eta_i * s_i[G], eta_{i-1} = c_i u_i W_i,
//   grad = u_0 W_0 + sum over re-injections c_i u_i W_i'.
// Backward, for loss gradients F = dL/df and G = dL/dgrad:
//   reverse of the gradient pass, i = 0 .. n-1, U_i = dL/du_i:
//     U_0 = G W_0^T, U_i = c_i E_{i-1} W_i^T (+ c_i G W_i'^T), dW_i += (same pairs with u_i^T);
//     E_i = U_i * s_i = dL/deta_i;  dL/dt_i (from s_i) = sigmoid'(t_i) * U_i * eta_i;
//   then the forward's backward, i = n-1 .. 0, P_i = dL/dp_i:
//     P_{n-1} = F W_n / beta, T_i = P_i * s_i + dL/dt_i (from s_i), db_i = beta sum T_i,
//     dW_i += c_i T_i^T p_{i-1} (+ beta c_i T_i^T input), P_{i-1} = c_i T_i W_i.
//
// Why by hand: autograd would differentiate its own backward (grad with create_graph, then a
// double backward). This costs the same six matrix products per layer and row of G (three for
// the other rows), but per layer 3 elementwise passes forward (bias, softplus + sigmoid, u)
// and 3 back (the fused activation backward, dt, the bias sum) instead of ~15 (torch's
// softplus double backward alone takes 7; the fused passes are in FusedSoftplus.h), and every
// buffer comes from an ActivationPool: no fresh memory in a training step. Together that makes
// IGR's training step 1.5-2x faster than Python PyTorch's (tools/bench/IGR_STEP.md).

#include <torch/torch.h>

#include <cstdint>
#include <mutex>
#include <vector>

namespace nsdf::models {

/// Buffers that forward_with_gradient reuses from one call to the next. Above 32 MB glibc maps
/// every allocation afresh, so a new 70 MB activation (8 x 512 network, 35k points) costs
/// ~25 ms of page faults, as much as two elementwise passes over it, and a training step
/// needs ~40 of them. A buffer is free again once no tensor refers to its storage, i.e. once
/// the autograd graph of the call that used it has been released.
class ActivationPool {
 public:
  /// A 1-D tensor of numel uninitialized elements.
  torch::Tensor get(int64_t numel, const torch::TensorOptions& options);

 private:
  std::mutex mutex_;
  std::vector<torch::Tensor> buffers_;
};

/// The backward writes into the buffers it saved (they are its scratch): a second backward
/// through the same graph fails with autograd's "modified by an inplace operation" error.
class IgrFieldAndGradient : public torch::autograd::Function<IgrFieldAndGradient> {
 public:
  /// What the explicit gradient needs to know about the network (n hidden layers, layer n is
  /// the output layer, never after a re-injection).
  struct Layout {
    std::vector<int64_t> width;  // output width of hidden layer i (n entries)
    std::vector<int64_t> skip;   // 1 where the input is re-injected before hidden layer i (n)
    int64_t latent_size = 0;     // the first input columns, which get no gradient
    double beta = 1;
    int64_t first_grad_row = 0;

    size_t hidden() const { return width.size(); }
    double scale(size_t i) const;  // c_i
    int64_t max_width() const;

    void save(torch::autograd::AutogradContext* ctx) const;
    static Layout load(torch::autograd::AutogradContext* ctx);
  };

  /// input [R, D] = [latent, xyz, features]; params W_0, b_0, ..., W_n, b_n. Returns f [R, 1]
  /// and d f / d input[:, latent_size:] on the rows >= first_grad_row.
  static torch::autograd::variable_list forward(torch::autograd::AutogradContext* ctx,
                                                const torch::Tensor& input,
                                                torch::TensorList params, const Layout& layout,
                                                ActivationPool* pool);

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grads);
};

}  // namespace nsdf::models
