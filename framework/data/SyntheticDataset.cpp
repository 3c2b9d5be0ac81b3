#include "data/SyntheticDataset.h"

#include <fmt/format.h>
#include <tbb/parallel_for.h>

#include "geometry/AnalyticShapes.h"

namespace nsdf::data {

void SyntheticDatasetOptions::declare(core::OptionSet<SyntheticDatasetOptions>& s) {
  using O = SyntheticDatasetOptions;
  s.add("shapes", &O::shapes, "number of shapes").positive();
  s.add("kinds", &O::kinds, "shape kinds, cycled over the shapes")
      .non_empty()
      .check(
          [](const std::vector<std::string>& kinds) {
            for (const auto& k : kinds) {
              const std::string msg =
                  core::detail::check_choice(k, geometry::analytic_kind_names());
              if (!msg.empty()) return msg;
            }
            return std::string();
          },
          "each one of: sphere, box, torus, superquadric");
  s.add("samples", &O::samples, "training samples generated per shape").positive();
  s.add("test_samples", &O::test_samples,
        "held-out SDF samples and ground-truth surface points per shape (evaluation)")
      .positive();
  s.add("sigma_near", &O::sigma_near, "std of the small surface offsets").positive();
  s.add("sigma_far", &O::sigma_far, "std of the large surface offsets").positive();
  s.add("uniform_fraction", &O::uniform_fraction, "fraction of uniform samples in [-1,1]^3")
      .range(0, 1);
  s.add("seed", &O::seed, "seed of shape parameters and samples").non_negative();
}

SyntheticDataset::SyntheticDataset(const Options& o) {
  const auto n = static_cast<size_t>(o.shapes);
  shapes_.resize(n);
  pos_.resize(n);
  neg_.resize(n);
  test_.resize(n);
  surface_.resize(n);
  // Each shape has its own generator so the result does not depend on thread scheduling.
  tbb::parallel_for(size_t{0}, n, [&](size_t i) {
    std::mt19937_64 rng(static_cast<uint64_t>(o.seed) * 1000003u + i);
    const auto kind = geometry::parse_analytic_kind(o.kinds[i % o.kinds.size()]);
    shapes_[i] = geometry::random_shape(kind, rng);
    std::vector<float> train = geometry::sample_sdf(shapes_[i], o.samples, o.sigma_near,
                                                    o.sigma_far, o.uniform_fraction, rng);
    std::vector<float> test = geometry::sample_sdf(shapes_[i], o.test_samples, o.sigma_near,
                                                   o.sigma_far, o.uniform_fraction, rng);
    std::tie(pos_[i], neg_[i]) =
        split_by_sign(torch::from_blob(train.data(), {o.samples, 4}).clone());
    test_[i] = torch::from_blob(test.data(), {o.test_samples, 4}).clone();
    const std::vector<float> surface = geometry::sample_surface(shapes_[i], o.test_samples, rng);
    for (size_t p = 0; p < surface.size(); p += 3)
      surface_[i].P.push_back({surface[p], surface[p + 1], surface[p + 2]});
  });
}

std::string SyntheticDataset::shape_id(int64_t i) const {
  return fmt::format("{:04d}_{}", i, geometry::to_string(shapes_.at(i).kind));
}

}  // namespace nsdf::data
