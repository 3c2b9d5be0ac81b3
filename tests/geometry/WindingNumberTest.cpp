#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "TestMeshes.h"
#include "core/Error.h"
#include "geometry/AnalyticShapes.h"
#include "geometry/WindingNumber.h"

namespace nsdf::geometry {
namespace {

using namespace test_meshes;

constexpr double kPi = 3.14159265358979323846;

// Faces whose centroid is within `radius` of p removed: an open mesh.
Mesh with_hole(const Mesh& m, const Vec3f& p, float radius) {
  Mesh out;
  out.V = m.V;
  for (const Tri& t : m.F) {
    float d2 = 0;
    for (int k = 0; k < 3; ++k) {
      const float c = (m.V[t[0]][k] + m.V[t[1]][k] + m.V[t[2]][k]) / 3.0f - p[k];
      d2 += c * c;
    }
    if (d2 > radius * radius) out.F.push_back(t);
  }
  return out;
}

// Random triangles: w takes every value in between, not just 0 and 1.
Mesh random_soup(int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(-0.8f, 0.8f), s(-0.2f, 0.2f);
  Mesh m;
  for (int i = 0; i < n; ++i) {
    const Vec3f c = {u(rng), u(rng), u(rng)};
    for (int k = 0; k < 3; ++k) m.V.push_back({c[0] + s(rng), c[1] + s(rng), c[2] + s(rng)});
    m.F.push_back({3 * i, 3 * i + 1, 3 * i + 2});
  }
  return m;
}

std::vector<Vec3f> mixed_queries(const Mesh& m, uint64_t seed) {
  std::vector<Vec3f> Q = near_surface_points(m, 300, 0.003f, seed);
  for (const auto& part :
       {near_surface_points(m, 300, 0.05f, seed + 1), uniform_points(300, 1.2f, seed + 2),
        uniform_points(50, 20.0f, seed + 3)})
    Q.insert(Q.end(), part.begin(), part.end());
  return Q;
}

TEST(WindingNumber, ExactIsOneInsideAndZeroOutsideClosedMeshes) {
  const Mesh sphere = icosphere(0.5, 3);
  const Mesh torus = torus_mesh(0.6, 0.25, 40, 20);
  AnalyticShape s_shape, t_shape;
  s_shape.size = {0.5, 0.5, 0.5};
  t_shape.kind = AnalyticShape::Kind::Torus;
  t_shape.size = {0.6, 0.25, 0};
  const std::vector<Vec3f> Q = uniform_points(400, 1.0f, 1);
  for (const auto& [mesh, shape] :
       {std::make_pair(&sphere, s_shape), std::make_pair(&torus, t_shape)}) {
    const std::vector<double> w = exact_winding_numbers(*mesh, Q);
    for (size_t i = 0; i < Q.size(); ++i) {
      const double sdf = shape.sdf({Q[i][0], Q[i][1], Q[i][2]});
      if (std::abs(sdf) < 0.03) continue;  // tessellation error band
      EXPECT_NEAR(w[i], sdf < 0 ? 1.0 : 0.0, 1e-9) << "query " << i;
      EXPECT_EQ(w[i], exact_winding_number(*mesh, Q[i]));
    }
  }
  // Turned inside out, the sphere has winding number -1 inside.
  Mesh inverted = sphere;
  for (Tri& t : inverted.F) std::swap(t[1], t[2]);
  EXPECT_NEAR(exact_winding_number(inverted, {0.1f, 0.0f, 0.0f}), -1.0, 1e-9);
}

TEST(WindingNumber, SolidAngleSignAndMagnitude) {
  // A large triangle seen from just behind its centre covers nearly a half-sphere: 2 pi.
  const Vec3f a{-100, -100, 0}, b{200, -100, 0}, c{-100, 200, 0};
  const double back = triangle_solid_angle({0, 0, -1e-3f}, a, b, c);
  EXPECT_NEAR(back, 2 * kPi, 1e-3);
  EXPECT_NEAR(triangle_solid_angle({0, 0, 1e-3f}, a, b, c), -back, 1e-12);
  // One face of a cube seen from its centre: 4 pi / 6, as two triangles.
  const Vec3f p{0, 0, 0};
  const double face = triangle_solid_angle(p, {-1, -1, -1}, {-1, 1, -1}, {1, 1, -1}) +
                      triangle_solid_angle(p, {-1, -1, -1}, {1, 1, -1}, {1, -1, -1});
  EXPECT_NEAR(std::abs(face), 4 * kPi / 6, 1e-12);
  EXPECT_EQ(triangle_solid_angle(p, {0, 0, 1}, {0, 0, 1}, {1, 0, 1}), 0.0);  // degenerate
}

TEST(WindingNumber, FastMatchesExactWithin1em2) {
  const Mesh sphere = icosphere(0.5, 4);
  const std::vector<std::pair<std::string, Mesh>> meshes = {
      {"sphere", sphere},
      {"torus", torus_mesh(0.6, 0.25, 64, 32)},
      {"box", box_mesh({0.5f, 0.25f, 0.375f}, 8)},
      {"sphere with hole", with_hole(sphere, {0.0f, 0.5f, 0.0f}, 0.15f)},
      {"soup", random_soup(2000, 3)},
  };
  for (const auto& [name, mesh] : meshes) {
    const std::vector<Vec3f> Q = mixed_queries(mesh, 4);
    const std::vector<double> exact = exact_winding_numbers(mesh, Q);
    // Order 2 (the default) is held to 1e-2; lower orders at beta 2 only to 0.1 (their error
    // there is a few 1e-2: HigherOrderAndBetaAreMoreAccurate checks they converge).
    for (int order : {0, 1, 2}) {
      const double bound = order == 2 ? 1e-2 : 0.1;
      const FastWindingNumber fast(std::make_shared<const TriangleBvh>(mesh),
                                   FastWindingNumberOptions{order, 2.0});
      const std::vector<float> w = fast.winding_numbers(Q);
      double max_err = 0;
      for (size_t i = 0; i < Q.size(); ++i) {
        const double err = std::abs(w[i] - exact[i]);
        max_err = std::max(max_err, err);
        EXPECT_LE(err, bound) << name << " order " << order << " query " << i << " exact "
                              << exact[i];
        // Same decision wherever the exact value is not within the error of the threshold.
        if (std::abs(exact[i] - 0.5) > bound) {
          EXPECT_EQ(w[i] >= 0.5, exact[i] >= 0.5) << name << " query " << i;
        }
        EXPECT_EQ(w[i], static_cast<float>(fast.winding_number(Q[i])));
      }
      std::printf("%s order %d: max |w - exact| %.2e\n", name.c_str(), order, max_err);
      RecordProperty(name + "_order" + std::to_string(order) + "_max_error",
                     std::to_string(max_err));
    }
  }
}

TEST(WindingNumber, HigherOrderAndBetaAreMoreAccurate) {
  const Mesh mesh = random_soup(3000, 5);
  const std::vector<Vec3f> Q = mixed_queries(mesh, 6);
  const std::vector<double> exact = exact_winding_numbers(mesh, Q);
  const auto bvh = std::make_shared<const TriangleBvh>(mesh);
  auto mean_error = [&](int order, double beta) {
    const std::vector<float> w =
        FastWindingNumber(bvh, FastWindingNumberOptions{order, beta}).winding_numbers(Q);
    double sum = 0;
    for (size_t i = 0; i < Q.size(); ++i) sum += std::abs(w[i] - exact[i]);
    return sum / Q.size();
  };
  const double o0 = mean_error(0, 2.0), o1 = mean_error(1, 2.0), o2 = mean_error(2, 2.0);
  const double o2_far = mean_error(2, 4.0);
  EXPECT_LT(o1, o0);
  EXPECT_LT(o2, o1);
  EXPECT_LT(o2_far, o2);
  EXPECT_LT(o2, 2e-3);
  RecordProperty("mean_errors", std::to_string(o0) + " " + std::to_string(o1) + " " +
                                    std::to_string(o2) + " " + std::to_string(o2_far));
  std::printf("mean |w - exact| on a soup: order 0 %.2e, 1 %.2e, 2 %.2e, 2 (beta 4) %.2e\n", o0, o1,
              o2, o2_far);
}

TEST(WindingNumber, BadInputGivesClearErrors) {
  const Mesh empty;
  try {
    exact_winding_number(empty, {0, 0, 0});
    ADD_FAILURE() << "no error";
  } catch (const core::DataError& e) {
    EXPECT_NE(std::string(e.what()).find("the mesh has no faces"), std::string::npos);
  }
  Mesh m;
  m.V = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}};
  m.F = {{0, 1, 3}};
  try {
    exact_winding_numbers(m, {{0, 0, 0}});
    ADD_FAILURE() << "no error";
  } catch (const core::DataError& e) {
    EXPECT_NE(std::string(e.what()).find("face 0 has vertex index 3 out of range"),
              std::string::npos)
        << e.what();
  }
  m.F = {{0, 1, 2}};
  const auto bvh = std::make_shared<const TriangleBvh>(m);
  EXPECT_THROW(FastWindingNumber(nullptr), core::ConfigError);
  EXPECT_THROW(FastWindingNumber(bvh, FastWindingNumberOptions{3, 2.0}), core::ConfigError);
  EXPECT_THROW(FastWindingNumber(bvh, FastWindingNumberOptions{-1, 2.0}), core::ConfigError);
  EXPECT_THROW(FastWindingNumber(bvh, FastWindingNumberOptions{2, 0.0}), core::ConfigError);
  const FastWindingNumber fast(bvh);
  EXPECT_THROW(fast.winding_number({0, std::nanf(""), 0}), core::DataError);
  EXPECT_THROW(fast.winding_numbers({{0, 0, 0}, {std::numeric_limits<float>::infinity(), 0, 0}}),
               core::DataError);
}

}  // namespace
}  // namespace nsdf::geometry
