#include "models/FourierFeatures.h"

#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "models/DeepSdfDecoder.h"
#include "models/IgrDecoder.h"
#include "models/SirenDecoder.h"

namespace nsdf::models {
namespace {

FourierFeaturesOptions gaussian(int64_t f, double scale = 4.0) {
  FourierFeaturesOptions o;
  o.num_frequencies = f;
  o.scale = scale;
  return o;
}

TEST(FourierFeatures, OutputSize) {
  FourierFeaturesImpl g(gaussian(16));
  EXPECT_EQ(g.output_size(), 3 + 32);
  EXPECT_EQ(g.forward(torch::randn({5, 3})).sizes(), (std::vector<int64_t>{5, 35}));
  FourierFeaturesOptions o = gaussian(16);
  o.include_input = false;
  EXPECT_EQ(FourierFeaturesImpl(o).forward(torch::randn({5, 3})).size(1), 32);
  o.type = "positional";
  o.num_frequencies = 4;
  o.include_input = true;
  EXPECT_EQ(FourierFeaturesImpl(o).forward(torch::randn({5, 3})).size(1), 3 + 2 * 3 * 4);
}

TEST(FourierFeatures, GaussianFrequenciesAreABuffer) {
  torch::manual_seed(0);
  FourierFeaturesImpl g(gaussian(256, 4.0));
  const auto buffers = g.named_buffers();
  ASSERT_TRUE(buffers.contains("B"));
  EXPECT_EQ(buffers["B"].sizes(), (std::vector<int64_t>{256, 3}));
  EXPECT_TRUE(g.named_parameters().is_empty());  // not trained
  EXPECT_NEAR(buffers["B"].std().item<double>(), 4.0, 0.3);
  // A checkpoint keeps the draw.
  std::stringstream stream;
  torch::serialize::OutputArchive out;
  g.save(out);
  out.save_to(stream);
  torch::manual_seed(1);
  FourierFeaturesImpl other(gaussian(256, 4.0));
  EXPECT_FALSE(torch::equal(other.frequencies(), g.frequencies()));
  torch::serialize::InputArchive in;
  in.load_from(stream);
  other.load(in);
  EXPECT_TRUE(torch::equal(other.frequencies(), g.frequencies()));
}

TEST(FourierFeatures, GaussianIsDeterministicUnderManualSeed) {
  torch::manual_seed(42);
  FourierFeaturesImpl a(gaussian(32));
  torch::manual_seed(42);
  FourierFeaturesImpl b(gaussian(32));
  EXPECT_TRUE(torch::equal(a.frequencies(), b.frequencies()));
  const torch::Tensor x = torch::randn({4, 3});
  EXPECT_TRUE(torch::equal(a.forward(x), b.forward(x)));
}

TEST(FourierFeatures, PositionalFrequenciesAreExact) {
  FourierFeaturesOptions o;
  o.type = "positional";
  o.num_frequencies = 3;
  FourierFeaturesImpl p(o);
  const torch::Tensor x = torch::rand({6, 3}, torch::kDouble) * 2 - 1;
  const torch::Tensor y = p.forward(x.to(torch::kFloat)).to(torch::kDouble);
  EXPECT_TRUE(torch::equal(y.narrow(1, 0, 3), x.to(torch::kFloat).to(torch::kDouble)));
  for (int64_t k = 0; k < 3; ++k) {
    for (int64_t j = 0; j < 3; ++j) {
      EXPECT_DOUBLE_EQ(p.frequencies()[3 * k + j][j].item<double>(), std::ldexp(1.0, k) / 2);
      const torch::Tensor arg = x.select(1, j) * (std::ldexp(1.0, k) * 3.14159265358979323846);
      EXPECT_TRUE(torch::allclose(y.select(1, 3 + 3 * k + j), torch::sin(arg), 0, 1e-5));
      EXPECT_TRUE(torch::allclose(y.select(1, 3 + 9 + 3 * k + j), torch::cos(arg), 0, 1e-5));
    }
  }
}

template <class Net, class Options>
void check_decoder_with_features(Options o) {
  o.fourier_features = 8;
  Net net(o, ModelContext{4});
  EXPECT_TRUE(net.named_buffers().contains("encoding.B"));
  EXPECT_EQ(net.named_buffers()["encoding.B"].size(0), 8);
  const torch::Tensor xyz = torch::randn({6, 3}, torch::requires_grad());
  const torch::Tensor out = net.forward(torch::randn({6, 4}), xyz);
  EXPECT_EQ(out.sizes(), (std::vector<int64_t>{6, 1}));
  out.sum().backward();
  EXPECT_TRUE(xyz.grad().defined());
  for (const auto& p : net.parameters()) EXPECT_TRUE(p.grad().defined());
}

TEST(FourierFeatures, DecodersForwardAndBackPropagate) {
  DeepSdfDecoderOptions d;
  d.dims = {64, 64, 64};
  d.latent_in = {2};
  d.weight_norm = false;
  check_decoder_with_features<DeepSdfDecoderImpl>(d);
  // 4 latent + 3 xyz + 16 features re-injected: layer 1 outputs 64 - 23.
  d.fourier_features = 8;
  EXPECT_EQ(DeepSdfDecoderImpl(d, ModelContext{4}).named_parameters()["lin1.weight"].size(0),
            64 - 23);
  IgrDecoderOptions i;
  i.dims = {64, 64, 64};
  i.skip_in = {2};
  check_decoder_with_features<IgrDecoderImpl>(i);
  SirenDecoderOptions s;
  s.dims = {32, 32};
  check_decoder_with_features<SirenDecoderImpl>(s);
}

TEST(FourierFeatures, IgrGeometricInitIgnoresTheFeatures) {
  IgrDecoderOptions o;
  o.dims = {64, 64, 64};
  o.skip_in = {2};
  o.fourier_features = 8;
  o.zero_latent_weights = true;  // the latent columns too (by default they are random)
  IgrDecoderImpl net(o, ModelContext{4});
  const auto p = net.named_parameters();
  const torch::Tensor w0 = p["lin0.weight"];  // input [latent 4, xyz 3, features 16]
  EXPECT_EQ(w0.narrow(1, 0, 4).abs().max().item<float>(), 0.0f);
  EXPECT_EQ(w0.narrow(1, 7, 16).abs().max().item<float>(), 0.0f);
  EXPECT_GT(w0.narrow(1, 4, 3).abs().max().item<float>(), 0.0f);
  const torch::Tensor w2 = p["lin2.weight"];  // [h 41, latent 4, xyz 3, features 16]
  EXPECT_EQ(w2.narrow(1, 41, 4).abs().max().item<float>(), 0.0f);
  EXPECT_EQ(w2.narrow(1, 48, 16).abs().max().item<float>(), 0.0f);
}

}  // namespace
}  // namespace nsdf::models
