#include "models/SirenDecoder.h"

#include <gtest/gtest.h>

#include <cmath>

namespace nsdf::models {
namespace {

TEST(SirenDecoder, OutputShapeWithAndWithoutLatent) {
  SirenDecoderOptions o;
  o.dims = {32, 32};
  for (int64_t latent : {0, 4}) {
    SirenDecoderImpl net(o, ModelContext{latent});
    EXPECT_EQ(net.named_parameters()["lin0.weight"].sizes(),
              (std::vector<int64_t>{32, latent + 3}));
    const torch::Tensor z = latent ? torch::randn({7, latent}) : torch::Tensor();
    EXPECT_EQ(net.forward(z, torch::randn({7, 3})).sizes(), (std::vector<int64_t>{7, 1}));
  }
}

TEST(SirenDecoder, InitBoundsAndArcsineActivations) {
  torch::manual_seed(0);
  SirenDecoderOptions o;  // 3 x 256, w0 = hidden_w0 = 30
  SirenDecoderImpl net(o, ModelContext{0});
  auto p = net.named_parameters();
  const double first = p["lin0.weight"].abs().max().item<double>();
  EXPECT_LE(first, 1.0 / 3.0);
  EXPECT_GT(first, 0.9 / 3.0);
  const double hidden_bound = std::sqrt(6.0 / 256.0) / 30.0;
  for (const char* name : {"lin1.weight", "lin2.weight", "lin3.weight"}) {
    const double m = p[name].abs().max().item<double>();
    EXPECT_LE(m, hidden_bound) << name;
    EXPECT_GT(m, 0.9 * hidden_bound) << name;
  }
  // Hidden activations are arcsine distributed on [-1, 1] (std 1/sqrt(2)) at every depth.
  torch::NoGradGuard no_grad;
  torch::Tensor h = torch::rand({4096, 3}) * 2 - 1;
  for (int i = 0; i < 3; ++i) {
    const std::string l = "lin" + std::to_string(i);
    h = torch::sin(30.0 * torch::nn::functional::linear(h, p[l + ".weight"], p[l + ".bias"]));
    EXPECT_NEAR(h.std().item<double>(), 1.0 / std::sqrt(2.0), 0.05) << l;
  }
  // The output layer is linear: the network's output is the last layer on h.
  const torch::Tensor x = torch::rand({8, 3}) * 2 - 1;
  torch::Tensor g = x;
  for (int i = 0; i < 3; ++i) {
    const std::string l = "lin" + std::to_string(i);
    g = torch::sin(30.0 * torch::nn::functional::linear(g, p[l + ".weight"], p[l + ".bias"]));
  }
  g = torch::nn::functional::linear(g, p["lin3.weight"], p["lin3.bias"]);
  EXPECT_TRUE(torch::allclose(net.forward({}, x), g, 1e-5, 1e-6));
}

}  // namespace
}  // namespace nsdf::models
