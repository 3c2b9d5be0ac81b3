#pragma once
// `synthetic`: a family of analytic shapes (spheres, rounded boxes, tori, superquadrics) with
// random parameters, sampled DeepSDF-style. Needs no downloaded data: the quickstart and the
// tests learn shape spaces from it.

#include <vector>

#include "data/Dataset.h"
#include "geometry/AnalyticShapes.h"

namespace nsdf::data {

struct SyntheticDatasetOptions {
  int64_t shapes = 16;
  std::vector<std::string> kinds{"sphere", "box", "torus", "superquadric"};
  int64_t samples = 50000;
  int64_t test_samples = 10000;
  double sigma_near = 0.0224;  // sqrt(0.0005), DeepSDF
  double sigma_far = 0.0707;   // sqrt(0.005), DeepSDF
  double uniform_fraction = 0.06;
  int64_t seed = 0;

  static void declare(core::OptionSet<SyntheticDatasetOptions>& s);
};

class SyntheticDataset : public ShapeDataset {
 public:
  using Options = SyntheticDatasetOptions;
  static constexpr const char* kDoc =
      "A family of analytic shapes (sphere, rounded box, torus, superquadric) with random "
      "parameters: shape i has kind kinds[i % len(kinds)]. Samples follow DeepSDF: surface points "
      "moved by Gaussian noise (half sigma_near, half sigma_far) plus a uniform fraction in "
      "[-1,1]^3; SDF values are exact (superquadrics: radial distance).";
  static constexpr const char* kExample = "{shapes: 2, samples: 2000, test_samples: 200}";

  explicit SyntheticDataset(const Options& options);

  int64_t size() const override { return static_cast<int64_t>(shapes_.size()); }
  std::string shape_id(int64_t i) const override;
  SampleKind kind() const override { return SampleKind::Sdf; }
  ShapeData load(int64_t i) const override { return {pos_.at(i), neg_.at(i), {}, {}}; }
  int64_t bytes(int64_t i) const override { return load(i).bytes(); }
  torch::Tensor test_samples(int64_t i) const override { return test_.at(i); }
  /// Points on the exact surface (the data's units are its normalized units).
  geometry::PointCloud surface(int64_t i) const override { return surface_.at(i); }
  const geometry::AnalyticShape& shape(int64_t i) const { return shapes_.at(i); }

 private:
  std::vector<geometry::AnalyticShape> shapes_;
  std::vector<torch::Tensor> pos_, neg_, test_;
  std::vector<geometry::PointCloud> surface_;
};

}  // namespace nsdf::data
