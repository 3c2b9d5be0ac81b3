#pragma once
// Shared pieces of the loss tests: a sphere's exact SDF as a decoder, points on a sphere with
// their normals as a LossBatch, and a loss term looked up by name.

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdint>
#include <string>

#include "losses/Loss.h"
#include "models/Decoder.h"

namespace nsdf::test {

/// f(x) = |x| - r + shift: the exact SDF of the sphere of radius r about the origin when
/// shift = 0. No latent code.
class SphereSdf : public models::Decoder {
 public:
  explicit SphereSdf(double r, double shift = 0) : r_(r), shift_(shift) {}
  torch::Tensor forward(const torch::Tensor&, const torch::Tensor& xyz) override {
    return xyz.norm(2, {1}, true) - r_ + shift_;
  }
  int64_t latent_size() const override { return 0; }

 private:
  double r_, shift_;
};

/// n random points on the sphere of radius r about the origin (after torch::manual_seed(0), so
/// every call gives the same points) with their outward unit normals.
inline losses::LossBatch sphere_batch(int64_t n, double r, torch::Dtype dtype = torch::kFloat64) {
  torch::manual_seed(0);
  const torch::Tensor dirs = torch::nn::functional::normalize(
      torch::randn({n, 3}, dtype), torch::nn::functional::NormalizeFuncOptions().dim(1));
  losses::LossBatch b;
  b.xyz = dirs * r;
  b.normals = dirs;
  return b;
}

/// The value of the term `name` of a loss result; fails the test (and returns -1) when r has
/// no such term.
inline double term(const losses::LossResult& r, const std::string& name) {
  for (const auto& [n, v] : r.terms)
    if (n == name) return v.item<double>();
  ADD_FAILURE() << "no term " << name;
  return -1;
}

}  // namespace nsdf::test
