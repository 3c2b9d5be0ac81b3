#include "models/DeepSdfDecoder.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "core/Error.h"
#include "models/LatentTable.h"

namespace nsdf::models {
namespace {

TEST(DeepSdfDecoder, ShapesAndReinjectedInput) {
  DeepSdfDecoderOptions o;
  o.dims = {64, 64, 64, 64};
  o.latent_in = {2};
  DeepSdfDecoderImpl net(o, ModelContext{8});
  const auto params = net.named_parameters();
  // Layer 1 produces 64 - (8 + 3) features; layer 2 then sees 64 again.
  EXPECT_EQ(params["lin1.weight_v"].sizes(), (std::vector<int64_t>{64 - 11, 64}));
  EXPECT_EQ(params["lin2.weight_v"].sizes(), (std::vector<int64_t>{64, 64}));
  EXPECT_EQ(params["lin4.weight_v"].sizes(), (std::vector<int64_t>{1, 64}));
  const torch::Tensor out = net.forward(torch::randn({10, 8}), torch::randn({10, 3}));
  EXPECT_EQ(out.sizes(), (std::vector<int64_t>{10, 1}));
  EXPECT_LT(out.abs().max().item<float>(), 1.0f);  // tanh output
}

TEST(DeepSdfDecoder, WeightNormStartsAsThePlainWeights) {
  torch::manual_seed(0);
  WeightNormLinearImpl layer(5, 3);
  const auto p = layer.named_parameters();
  EXPECT_TRUE(torch::allclose(layer.weight(), p["weight_v"], 1e-6, 1e-6));
  EXPECT_EQ(p["weight_g"].sizes(), (std::vector<int64_t>{3, 1}));
}

TEST(DeepSdfDecoder, WithoutLatentPReLUAndNoWeightNorm) {
  DeepSdfDecoderOptions o;
  o.dims = {16, 16};
  o.latent_in = {};
  o.weight_norm = false;
  o.activation = "prelu";
  o.tanh_out = false;
  DeepSdfDecoderImpl net(o, ModelContext{0});
  EXPECT_EQ(net.named_parameters()["prelu0.weight"].numel(), 1);  // one shared slope
  EXPECT_EQ(net.forward({}, torch::randn({4, 3})).sizes(), (std::vector<int64_t>{4, 1}));
}

TEST(DeepSdfDecoder, TooNarrowLayerBeforeReinjectionIsAConfigError) {
  DeepSdfDecoderOptions o;
  o.dims = {8, 8, 8};
  o.latent_in = {2};
  EXPECT_THROW(DeepSdfDecoderImpl(o, ModelContext{16}), core::ConfigError);
}

TEST(LatentTable, InitAndMaxNorm) {
  torch::manual_seed(0);
  LatentTableOptions o;
  o.size = 32;
  o.init_std = 10.0;
  o.max_norm = 1.0;
  LatentTableImpl table(o, 100);
  EXPECT_NEAR(table.codes.std().item<double>(), 10.0, 0.5);
  const torch::Tensor z = table.forward(torch::tensor({3, 7}, torch::kLong));
  EXPECT_EQ(z.sizes(), (std::vector<int64_t>{2, 32}));
  EXPECT_LE(z.norm(2, {1}).max().item<double>(), 1.0 + 1e-5);
  EXPECT_GT(table.codes[0].norm().item<double>(), 1.0);  // rows not looked up stay untouched
}

// The shared-code path (forward_shapes) computes what forward does with each code repeated
// over its rows, values and gradients, with and without weight norm and Fourier features.
TEST(DeepSdfDecoder, ForwardShapesEqualsRepeatedCodes) {
  for (const bool weight_norm : {true, false}) {
    for (const int64_t fourier : {int64_t{0}, int64_t{6}}) {
      SCOPED_TRACE(fmt::format("weight_norm {}, fourier {}", weight_norm, fourier));
      torch::manual_seed(3);
      DeepSdfDecoderOptions o;
      o.dims = {48, 48, 48, 48};
      o.latent_in = {2};
      o.dropout = 0;
      o.weight_norm = weight_norm;
      o.fourier_features = fourier;
      DeepSdfDecoderImpl net(o, ModelContext{5});
      const torch::Tensor codes = torch::randn({3, 5}).requires_grad_(true);
      const torch::Tensor xyz = torch::randn({3 * 7, 3});
      const torch::Tensor a = net.forward_shapes(codes, 7, xyz);
      const torch::Tensor ga = torch::autograd::grad({a.sum()}, {codes})[0];
      const torch::Tensor b = net.forward(codes.repeat_interleave(7, 0), xyz);
      const torch::Tensor gb = torch::autograd::grad({b.sum()}, {codes})[0];
      EXPECT_TRUE(torch::allclose(a, b, 1e-5, 1e-6));
      EXPECT_TRUE(torch::allclose(ga, gb, 1e-4, 1e-5));
    }
  }
}

}  // namespace
}  // namespace nsdf::models
