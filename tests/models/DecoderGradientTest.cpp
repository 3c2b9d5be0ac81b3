// Decoder::forward_with_gradient against autograd: the field, its spatial gradient, and the
// parameter (and latent) gradients of a loss on both, which for the reference go through
// autograd's double backward. In float64, so that any mistake in the explicit chain rule of
// IgrDecoder shows far above rounding.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "models/DeepSdfDecoder.h"
#include "models/IgrDecoder.h"

namespace nsdf::models {
namespace {

constexpr double kTol = 1e-10;

struct Sample {
  torch::Tensor latent;  // [N, L] (requires grad) or undefined
  torch::Tensor xyz;     // [N, 3]
  torch::Tensor weight;  // [N, 1]: the loss weights of f
  torch::Tensor dir;     // [N, 3]: the loss weights of grad f (a normal term)
};

Sample make_sample(int64_t n, int64_t latent_size) {
  const auto opts = torch::TensorOptions().dtype(torch::kFloat64);
  Sample s;
  if (latent_size > 0) s.latent = torch::randn({n, latent_size}, opts).requires_grad_(true);
  s.xyz = torch::rand({n, 3}, opts) * 2.4 - 1.2;
  s.weight = torch::randn({n, 1}, opts);
  s.dir = torch::randn({n, 3}, opts);
  return s;
}

/// f and d f / d xyz (rows >= first) through autograd, with create_graph.
FieldAndGradient autograd_reference(Decoder& net, const Sample& s, int64_t first) {
  const torch::Tensor x = s.xyz.clone().requires_grad_(true);
  const torch::Tensor f = net.forward(s.latent, x);
  const torch::Tensor g = torch::autograd::grad({f}, {x}, {torch::ones_like(f)},
                                                /*retain_graph=*/true, /*create_graph=*/true)[0];
  return {f, g.slice(0, first)};
}

/// A loss on f and on grad f: weighted field, eikonal and a linear (normal-like) term.
torch::Tensor loss_of(const FieldAndGradient& fg, const Sample& s, int64_t first) {
  const torch::Tensor& g = fg.grad;
  return (fg.f * s.weight).sum() + (g.norm(2, {1}) - 1).pow(2).sum() +
         (g * s.dir.slice(0, first)).sum();
}

/// d loss / d (parameters, latent).
std::vector<torch::Tensor> loss_gradients(Decoder& net, const FieldAndGradient& fg, const Sample& s,
                                          int64_t first) {
  std::vector<torch::Tensor> wrt = net.parameters();
  if (s.latent.defined()) wrt.push_back(s.latent);
  return torch::autograd::grad({loss_of(fg, s, first)}, wrt, {}, /*retain_graph=*/true,
                               /*create_graph=*/false, /*allow_unused=*/true);
}

bool close(const torch::Tensor& a, const torch::Tensor& b) {
  if (!a.defined() || !b.defined()) return a.defined() == b.defined();
  return a.sizes() == b.sizes() && torch::allclose(a, b, kTol, kTol);
}

void expect_matches_autograd(Decoder& net, const Sample& s, int64_t first) {
  const FieldAndGradient ref = autograd_reference(net, s, first);
  const FieldAndGradient got = net.forward_with_gradient(s.latent, s.xyz, first);
  ASSERT_EQ(got.f.sizes(), ref.f.sizes());
  ASSERT_EQ(got.grad.sizes(), ref.grad.sizes());
  EXPECT_TRUE(close(got.f, ref.f)) << "max |df| " << (got.f - ref.f).abs().max().item<double>();
  EXPECT_TRUE(close(got.grad, ref.grad))
      << "max |dg| " << (got.grad - ref.grad).abs().max().item<double>();
  const auto want = loss_gradients(net, ref, s, first);
  const auto have = loss_gradients(net, got, s, first);
  const auto names = net.named_parameters().keys();
  for (size_t i = 0; i < want.size(); ++i) {
    const std::string name = i < names.size() ? names[i] : "latent";
    EXPECT_TRUE(close(have[i], want[i]))
        << name << ": max difference "
        << (have[i].defined() && want[i].defined() ? (have[i] - want[i]).abs().max().item<double>()
                                                   : -1.0);
  }
}

IgrDecoderImpl make_igr(IgrDecoderOptions o, int64_t latent_size) {
  IgrDecoderImpl net(o, ModelContext{latent_size});
  net.to(torch::kFloat64);
  return net;
}

/// Every split of the rows: all with gradient (normals), some, none.
void expect_matches_autograd_for_all_splits(Decoder& net, int64_t latent_size) {
  const Sample s = make_sample(40, latent_size);
  for (int64_t first : {0, 13, 40}) {
    SCOPED_TRACE("first_grad_row " + std::to_string(first));
    expect_matches_autograd(net, s, first);
  }
}

TEST(DecoderGradient, IgrWithSkipMatchesAutograd) {
  torch::manual_seed(0);
  IgrDecoderOptions o;
  o.dims = {24, 24, 24, 24};
  o.skip_in = {2};
  IgrDecoderImpl net = make_igr(o, 0);
  expect_matches_autograd_for_all_splits(net, 0);
}

TEST(DecoderGradient, IgrWithoutSkipMatchesAutograd) {
  torch::manual_seed(1);
  IgrDecoderOptions o;
  o.dims = {16, 20, 12};
  o.skip_in = {};
  IgrDecoderImpl net = make_igr(o, 0);
  expect_matches_autograd_for_all_splits(net, 0);
}

TEST(DecoderGradient, IgrSingleHiddenLayerMatchesAutograd) {
  torch::manual_seed(2);
  IgrDecoderOptions o;
  o.dims = {16};
  o.skip_in = {};
  o.beta = 3;
  IgrDecoderImpl net = make_igr(o, 0);
  expect_matches_autograd_for_all_splits(net, 0);
}

TEST(DecoderGradient, IgrWithLatentMatchesAutograd) {
  // Without geometric init, so that the latent columns are not zero and the codes matter.
  torch::manual_seed(3);
  IgrDecoderOptions o;
  o.dims = {24, 24, 24, 24};
  o.skip_in = {1, 3};
  o.geometric_init = false;
  o.beta = 5;
  IgrDecoderImpl net = make_igr(o, 5);
  expect_matches_autograd_for_all_splits(net, 5);
}

TEST(DecoderGradient, IgrWithFourierFeaturesMatchesAutograd) {
  torch::manual_seed(4);
  IgrDecoderOptions o;
  o.dims = {32, 32, 32};
  o.skip_in = {2};
  o.fourier_features = 6;
  o.fourier_scale = 1.0;
  o.geometric_init = false;
  IgrDecoderImpl net = make_igr(o, 3);
  expect_matches_autograd_for_all_splits(net, 3);
}

TEST(DecoderGradient, IgrWithPositionalEncodingMatchesAutograd) {
  torch::manual_seed(5);
  IgrDecoderOptions o;
  o.dims = {32, 32};
  o.skip_in = {1};
  o.fourier_features = 3;
  o.fourier_type = "positional";
  o.geometric_init = false;
  o.beta = 10;
  IgrDecoderImpl net = make_igr(o, 0);
  expect_matches_autograd_for_all_splits(net, 0);
}

/// Copies the parameters of `from` into `to` (same architecture, any dtype).
void copy_parameters(Decoder& from, Decoder& to) {
  torch::NoGradGuard no_grad;
  const auto src = from.named_parameters();
  for (auto& dst : to.named_parameters()) dst.value().copy_(src[dst.key()]);
}

/// max |a - b| / max |b|.
double relative_error(const torch::Tensor& a, const torch::Tensor& b) {
  const torch::Tensor b64 = b.to(torch::kFloat64);
  return ((a.to(torch::kFloat64) - b64).abs().max() / b64.abs().max().clamp_min(1e-30))
      .item<double>();
}

TEST(DecoderGradient, IgrFloatMatchesDoubleAutogradToFloatPrecision) {
  // float32 takes the fused softplus / sigmoid kernels; compare with the float64 autograd
  // reference on the same weights.
  torch::manual_seed(9);
  IgrDecoderOptions o;
  o.dims = {64, 64, 64, 64};
  o.skip_in = {2};
  IgrDecoderImpl net(o, ModelContext{0});  // float32
  IgrDecoderImpl ref = make_igr(o, 0);
  copy_parameters(net, ref);
  const Sample s = make_sample(300, 0);
  for (int64_t first : {0, 100}) {
    const FieldAndGradient want = autograd_reference(ref, s, first);
    const FieldAndGradient got = net.forward_with_gradient({}, s.xyz.to(torch::kFloat32), first);
    EXPECT_LT(relative_error(got.f, want.f), 1e-5);
    EXPECT_LT(relative_error(got.grad, want.grad), 1e-4);
    Sample s32 = s;
    s32.weight = s.weight.to(torch::kFloat32);
    s32.dir = s.dir.to(torch::kFloat32);
    const auto have = loss_gradients(net, got, s32, first);
    const auto expect = loss_gradients(ref, want, s, first);
    for (size_t i = 0; i < expect.size(); ++i) {
      EXPECT_LT(relative_error(have[i], expect[i]), 1e-3) << i;
    }
  }
}

TEST(DecoderGradient, FusedSoftplusCoversTheWholeRange) {
  // One hidden layer whose pre-activations beta z run from -200 to 200 (through 0, the
  // threshold 20 and the exp clamp at 87): f and grad against float64 autograd.
  IgrDecoderOptions o;
  o.dims = {41};
  o.skip_in = {};
  o.beta = 2;
  o.geometric_init = false;
  IgrDecoderImpl net(o, ModelContext{0});
  {
    torch::NoGradGuard no_grad;
    auto params = net.named_parameters();
    params["lin0.weight"].zero_();
    params["lin0.weight"].select(1, 0).copy_(torch::linspace(-100, 100, 41));  // z = w x
    params["lin0.bias"].zero_();
    params["lin1.weight"].copy_(torch::linspace(-1, 1, 41).view({1, 41}));
    params["lin1.bias"].zero_();
  }
  IgrDecoderImpl ref = make_igr(o, 0);
  copy_parameters(net, ref);
  const auto opts = torch::TensorOptions().dtype(torch::kFloat64);
  Sample s;
  s.xyz = torch::zeros({201, 3}, opts);
  s.xyz.select(1, 0).copy_(torch::linspace(-1, 1, 201, opts));
  const FieldAndGradient want = autograd_reference(ref, s, 0);
  const FieldAndGradient got = net.forward_with_gradient({}, s.xyz.to(torch::kFloat32), 0);
  EXPECT_LT(relative_error(got.f, want.f), 1e-6);
  EXPECT_LT(relative_error(got.grad, want.grad), 1e-6);
}

TEST(DecoderGradient, DefaultImplementationMatchesAutograd) {
  torch::manual_seed(6);
  DeepSdfDecoderOptions o;
  o.dims = {16, 16, 16};
  o.latent_in = {2};
  o.dropout = 0;
  DeepSdfDecoderImpl net(o, ModelContext{4});
  net.to(torch::kFloat64);
  expect_matches_autograd_for_all_splits(net, 4);
}

TEST(DecoderGradient, WithoutGradModeGivesPlainValues) {
  torch::manual_seed(7);
  IgrDecoderOptions o;
  o.dims = {16, 16, 16};
  o.skip_in = {1};
  IgrDecoderImpl igr = make_igr(o, 0);
  DeepSdfDecoderOptions d;
  d.dims = {16, 16};
  d.latent_in = {};
  d.dropout = 0;
  DeepSdfDecoderImpl deepsdf(d, ModelContext{0});
  deepsdf.to(torch::kFloat64);
  const Sample s = make_sample(20, 0);
  for (Decoder* net : std::vector<Decoder*>{&igr, &deepsdf}) {
    const FieldAndGradient ref = autograd_reference(*net, s, 5);
    torch::NoGradGuard no_grad;
    const FieldAndGradient got = net->forward_with_gradient({}, s.xyz, 5);
    EXPECT_FALSE(got.f.requires_grad());
    EXPECT_FALSE(got.grad.requires_grad());
    EXPECT_TRUE(close(got.f, ref.f.detach()));
    EXPECT_TRUE(close(got.grad, ref.grad.detach()));
  }
}

TEST(DecoderGradient, IgrBuffersInUseAreNotReused) {
  // The explicit gradient keeps its activations in buffers reused across calls: a second call
  // while the first one's graph is alive must not write into the first one's buffers, and a
  // third call after both graphs are gone reuses them correctly.
  torch::manual_seed(8);
  IgrDecoderOptions o;
  o.dims = {24, 24, 24};
  o.skip_in = {2};
  IgrDecoderImpl net = make_igr(o, 0);
  const Sample a = make_sample(30, 0), b = make_sample(30, 0);
  const auto want_a = loss_gradients(net, autograd_reference(net, a, 0), a, 0);
  const auto want_b = loss_gradients(net, autograd_reference(net, b, 10), b, 10);
  {
    const FieldAndGradient first = net.forward_with_gradient({}, a.xyz, 0);
    const FieldAndGradient second = net.forward_with_gradient({}, b.xyz, 10);
    const auto have_b = loss_gradients(net, second, b, 10);
    const auto have_a = loss_gradients(net, first, a, 0);
    for (size_t i = 0; i < want_a.size(); ++i) {
      EXPECT_TRUE(close(have_a[i], want_a[i])) << i;
      EXPECT_TRUE(close(have_b[i], want_b[i])) << i;
    }
  }
  const FieldAndGradient third = net.forward_with_gradient({}, a.xyz, 0);
  const auto again = loss_gradients(net, third, a, 0);
  for (size_t i = 0; i < want_a.size(); ++i) EXPECT_TRUE(close(again[i], want_a[i])) << i;
}

TEST(DecoderGradient, IgrSecondBackwardThroughTheSameGraphFails) {
  // The hand-written backward reuses its saved buffers as scratch: a second backward through
  // the same graph (retain_graph) must fail loudly rather than give wrong gradients.
  torch::manual_seed(10);
  IgrDecoderOptions o;
  o.dims = {16, 16};
  o.skip_in = {1};
  IgrDecoderImpl net = make_igr(o, 0);
  const Sample s = make_sample(12, 0);
  const FieldAndGradient fg = net.forward_with_gradient({}, s.xyz, 0);
  loss_gradients(net, fg, s, 0);  // retain_graph
  EXPECT_THROW(loss_gradients(net, fg, s, 0), c10::Error);
}

}  // namespace
}  // namespace nsdf::models
