#pragma once
// Central finite-difference checks of autograd gradients, for the losses and decoders whose
// gradients go through a hand-written or a double backward pass (a loss on grad f).
//
// Each checked entry is moved by +-step and the reference is the central difference
//   fd = (v(+step) - v(-step)) / (2 step),
// whose error is O(step^2) from truncation plus about eps |v| / step from rounding: run the
// checks in float64, where a step of 1e-6 keeps both near 1e-10 relative. An entry passes when
//   |autograd - fd| <= atol + rtol |fd|,
// torch::allclose's rule with the finite difference as the reference (rtol 0: EXPECT_NEAR's).
// The checks return a ::testing::AssertionResult, so that a failure points at the test's line
// (EXPECT_TRUE(check(...)) << context) and lists the entries that are off.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdint>
#include <sstream>
#include <vector>

namespace nsdf::test {

/// The step and tolerance of a check (see the top of this file).
struct CentralDifference {
  double step;  ///< h: each entry is evaluated at +-h
  double rtol;  ///< allowed error relative to |fd|
  double atol;  ///< allowed absolute error
};

namespace detail {

/// Counts the entries compared and describes the first few that are off.
class Mismatches {
 public:
  explicit Mismatches(const CentralDifference& c) : c_(c) {}

  /// Compares one entry; `where(stream)` names it, written only when it fails. NaN fails.
  template <class Where>
  void compare(double autograd, double fd, Where&& where) {
    ++checked_;
    const double allowed = c_.atol + c_.rtol * std::abs(fd);
    const double error = std::abs(autograd - fd);
    if (error <= allowed) return;
    if (++failed_ > kListed) return;
    details_ << "\n  ";
    where(details_);
    details_ << ": autograd " << autograd << ", finite difference " << fd << ", error " << error
             << " > " << allowed;
  }

  ::testing::AssertionResult result() const {
    if (checked_ == 0) return ::testing::AssertionFailure() << "no entry checked";
    if (failed_ == 0) return ::testing::AssertionSuccess();
    std::ostringstream summary;  // 6 digits: gtest would print 17
    summary << failed_ << " of " << checked_ << " entries differ from central differences (step "
            << c_.step << ", rtol " << c_.rtol << ", atol " << c_.atol << ")" << details_.str()
            << (failed_ > kListed ? "\n  ..." : "");
    return ::testing::AssertionFailure() << summary.str();
  }

 private:
  static constexpr int64_t kListed = 10;
  CentralDifference c_;
  int64_t checked_ = 0;
  int64_t failed_ = 0;
  std::ostringstream details_;
};

/// `t` as a contiguous float64 CPU tensor, detached.
inline torch::Tensor as_double(const torch::Tensor& t) {
  return t.detach().to(torch::kCPU, torch::kFloat64).contiguous();
}

}  // namespace detail

/// Checks `grad` [N, D], the gradient of a row-wise field `f` ([N, D] -> [N, 1] or [N]; row i
/// of the output depends on row i of the input only) at `x` [N, D], against central
/// differences of f in each coordinate, all rows at once: all N x D entries are checked.
/// f(points) is called without grad mode, on points detached from x.
template <class Field>
::testing::AssertionResult input_gradient_matches_central_differences(Field&& f,
                                                                      const torch::Tensor& x,
                                                                      const torch::Tensor& grad,
                                                                      const CentralDifference& c) {
  if (x.dim() != 2 || grad.sizes() != x.sizes()) {
    return ::testing::AssertionFailure() << "want x [N, D] and grad of the same size, got "
                                         << x.sizes() << " and " << grad.sizes();
  }
  torch::NoGradGuard no_grad;
  const torch::Tensor x0 = x.detach();
  const int64_t n = x0.size(0), d = x0.size(1);
  detail::Mismatches mismatches(c);
  for (int64_t k = 0; k < d; ++k) {
    torch::Tensor e = torch::zeros({1, d}, x0.options());
    e[0][k] = c.step;
    const torch::Tensor fd =
        detail::as_double(((f(x0 + e) - f(x0 - e)) / (2 * c.step)).reshape({-1}));
    const torch::Tensor g = detail::as_double(grad.select(1, k));
    if (fd.numel() != n) {
      return ::testing::AssertionFailure()
             << "want one value of f per row (" << n << "), got " << fd.numel();
    }
    const double* have = g.data_ptr<double>();
    const double* want = fd.data_ptr<double>();
    for (int64_t i = 0; i < n; ++i) {
      mismatches.compare(have[i], want[i],
                         [&](std::ostream& os) { os << "row " << i << ", coordinate " << k; });
    }
  }
  return mismatches.result();
}

/// The central difference of the scalar `value()` in the flat entry `index` of `w` (a
/// contiguous leaf such as a parameter: changed in place without recording, restored after).
/// value() runs in grad mode, so that it may take spatial gradients itself (a loss on
/// grad f); it must be deterministic (reseed inside it if it samples).
template <class Value>
double central_difference(Value&& value, const torch::Tensor& w, int64_t index, double step) {
  torch::NoGradGuard no_grad;
  torch::Tensor flat = w.view({-1});
  const double original = flat[index].item<double>();
  auto value_at = [&](double entry) {
    flat[index] = entry;
    torch::AutoGradMode enable(true);
    const torch::Tensor v = value();
    return v.item<double>();
  };
  const double plus = value_at(original + step);
  const double minus = value_at(original - step);
  flat[index] = original;
  return (plus - minus) / (2 * step);
}

/// d value() / d w by one backward pass, as training computes it (through the graph that
/// value() builds, custom backward functions included): w's gradient is cleared first, and a
/// copy of the new one is returned.
template <class Value>
torch::Tensor backward_gradient(Value&& value, const torch::Tensor& w) {
  w.mutable_grad().reset();
  value().backward();
  return w.grad().clone();
}

/// Checks `grad`, the gradient of the scalar `value()` with respect to `w` (same size), in the
/// given flat entries of w against central_difference(value, w, entry, c.step). Entries past
/// w.numel() are skipped, so one list serves tensors of any size; no entry left fails.
template <class Value>
::testing::AssertionResult gradient_matches_central_differences(Value&& value,
                                                                const torch::Tensor& w,
                                                                const torch::Tensor& grad,
                                                                const std::vector<int64_t>& entries,
                                                                const CentralDifference& c) {
  if (grad.sizes() != w.sizes()) {
    return ::testing::AssertionFailure()
           << "want grad of the size of w " << w.sizes() << ", got " << grad.sizes();
  }
  const torch::Tensor g = detail::as_double(grad).view({-1});
  detail::Mismatches mismatches(c);
  for (const int64_t index : entries) {
    if (index >= w.numel()) continue;
    mismatches.compare(g[index].item<double>(), central_difference(value, w, index, c.step),
                       [&](std::ostream& os) { os << "entry " << index; });
  }
  return mismatches.result();
}

}  // namespace nsdf::test
