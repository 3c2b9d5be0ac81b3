#include "models/ReluDropout.h"

#include <gtest/gtest.h>

namespace nsdf::models {
namespace {

TEST(ReluDropout, KeepsAboutOneMinusPOfThePositivesScaled) {
  torch::manual_seed(1);
  const torch::Tensor x = torch::rand({400, 500}) + 0.1;  // all positive
  const torch::Tensor y = relu_dropout(x, 0.2, true);
  const double kept = (y != 0).to(torch::kDouble).mean().item<double>();
  EXPECT_NEAR(kept, 0.8, 0.005);
  const torch::Tensor nz = y != 0;
  EXPECT_TRUE(torch::allclose(y.masked_select(nz), x.masked_select(nz) / 0.8, 1e-6, 1e-6));
  // Negative inputs are zero (relu); outside training it is relu alone.
  EXPECT_EQ(relu_dropout(-x, 0.2, true).abs().max().item<float>(), 0.0f);
  EXPECT_TRUE(torch::equal(relu_dropout(x - 0.5, 0.2, false), torch::relu(x - 0.5)));
}

TEST(ReluDropout, SameMasksForTheSameSeedWhateverTheThreads) {
  const torch::Tensor x = torch::randn({300, 257});
  const int threads = torch::get_num_threads();
  torch::set_num_threads(1);
  torch::manual_seed(9);
  const torch::Tensor a = relu_dropout(x, 0.3, true);
  torch::set_num_threads(2);
  torch::manual_seed(9);
  const torch::Tensor b = relu_dropout(x, 0.3, true);
  const torch::Tensor c = relu_dropout(x, 0.3, true);  // the generator moved on
  torch::set_num_threads(threads);
  EXPECT_TRUE(torch::equal(a, b));
  EXPECT_FALSE(torch::equal(b, c));
}

TEST(ReluDropout, GradientIsTheScaledMaskAndSecondOrderWorks) {
  torch::manual_seed(2);
  const torch::Tensor x = torch::randn({50, 40}).requires_grad_(true);
  const torch::Tensor y = relu_dropout(x, 0.25, true);
  const torch::Tensor g = torch::autograd::grad({(y * y).sum()}, {x}, {}, true, true)[0];
  const torch::Tensor kept = (y != 0).to(torch::kFloat);
  EXPECT_TRUE(torch::allclose(g, 2 * y / 0.75 * kept, 1e-5, 1e-6));
  // d/dx of sum(g) = sum(2 y / 0.75) over kept elements: 2 / 0.75^2 there.
  const torch::Tensor h = torch::autograd::grad({g.sum()}, {x})[0];
  EXPECT_TRUE(torch::allclose(h, kept * (2 / (0.75 * 0.75)), 1e-4, 1e-5));
}

}  // namespace
}  // namespace nsdf::models
