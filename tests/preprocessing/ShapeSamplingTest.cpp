#include "preprocessing/ShapeSampling.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "core/Error.h"
#include "geometry/TestMeshes.h"

namespace nsdf::preprocessing {
namespace {

using geometry::Mesh;
using geometry::Vec3f;
namespace tm = geometry::test_meshes;

// Signed distance of p to the box [-h, h]^3 (exact).
double box_sdf(const std::array<double, 3>& h, const float* p) {
  double outside = 0, inside = -1e300;
  for (int c = 0; c < 3; ++c) {
    const double q = std::abs(double(p[c])) - h[c];
    outside += std::max(q, 0.0) * std::max(q, 0.0);
    inside = std::max(inside, q);
  }
  return std::sqrt(outside) + std::min(inside, 0.0);
}

SamplingOptions small_options(int64_t samples) {
  SamplingOptions o;
  o.samples = samples;
  o.surface_points = 1000;
  o.views.count = 0;
  return o;
}

// Every row of pos and neg, as (x, y, z, sdf) pointers.
std::vector<const float*> rows(const ShapeRecord& r) {
  std::vector<const float*> out;
  for (size_t i = 0; i < r.pos.size(); i += 4) out.push_back(&r.pos[i]);
  for (size_t i = 0; i < r.neg.size(); i += 4) out.push_back(&r.neg[i]);
  return out;
}

TEST(ShapeSampling, BoxSamplesMatchTheAnalyticSdf) {
  const std::array<float, 3> h = {0.5f, 0.25f, 0.375f};
  const Mesh box = tm::box_mesh(h, 4);
  const ShapeRecord r = sample_shape(box, small_options(20000), 7, "box");
  // DeepSDF's normalization: centre 0, farthest vertex (a corner) at 1 / 1.03.
  const double corner = std::sqrt(0.25 + 0.0625 + 0.140625);
  EXPECT_NEAR(r.normalization.scale, 1.0 / (1.03 * corner), 1e-12);
  for (double o : r.normalization.offset) EXPECT_NEAR(o, 0.0, 1e-12);
  const double s = r.normalization.scale;
  const std::array<double, 3> hn = {h[0] * s, h[1] * s, h[2] * s};
  ASSERT_EQ(r.pos.size() + r.neg.size(), 4u * 20000);
  int64_t outside_cube = 0;
  for (const float* p : rows(r)) {
    ASSERT_NEAR(p[3], box_sdf(hn, p), 1e-5) << p[0] << " " << p[1] << " " << p[2];
    for (int c = 0; c < 3; ++c) outside_cube += std::abs(p[c]) > 1.0f;
  }
  for (size_t i = 3; i < r.pos.size(); i += 4) EXPECT_GE(r.pos[i], 0.0f);
  for (size_t i = 3; i < r.neg.size(); i += 4) EXPECT_LT(r.neg[i], 0.0f);
  // Near-surface samples may leave the cube by a few sigma, uniform ones never.
  EXPECT_LT(outside_cube, 200);
  EXPECT_GT(r.neg.size(), 4u * 2000);  // the box holds a fair share of the near samples
}

TEST(ShapeSampling, SphereAndTorusSamplesAreExactDistancesToTheMesh) {
  struct Case {
    const char* name;
    Mesh mesh;
    double tessellation;  // distance between the mesh and the analytic surface, at most
  };
  std::vector<Case> cases;
  cases.push_back({"sphere", tm::icosphere(0.8, 5), 2e-3});
  cases.push_back({"torus", tm::torus_mesh(0.6, 0.25, 128, 64), 2e-3});
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const ShapeRecord r = sample_shape(c.mesh, small_options(3000), 3, c.name);
    const Mesh normalized = geometry::normalize_mesh(r.normalization, c.mesh);
    const double s = r.normalization.scale;
    const auto all = rows(r);
    for (size_t i = 0; i < all.size(); i += 10) {  // 300 brute-force checks
      const float* p = all[i];
      const Vec3f q = {p[0], p[1], p[2]};
      const double exact = tm::brute_force_closest(normalized, q).first;
      ASSERT_NEAR(std::abs(p[3]), exact, 1e-5);
      // Analytic SDF in original units, then normalized.
      const double x = p[0] / s, y = p[1] / s, z = p[2] / s;
      const double analytic =
          std::string(c.name) == "sphere"
              ? std::sqrt(x * x + y * y + z * z) - 0.8
              : std::hypot(std::hypot(x, z) - 0.6, y) - 0.25;
      ASSERT_NEAR(p[3], analytic * s, c.tessellation * s + 1e-5);
    }
  }
}

TEST(ShapeSampling, NearSurfaceNoiseHasTheConfiguredVariance) {
  const Mesh box = tm::box_mesh({0.5f, 0.5f, 0.5f}, 2);
  SamplingOptions o = small_options(40000);
  o.uniform_fraction = 0;
  o.variances = {0.0005};
  const ShapeRecord r = sample_shape(box, o, 1, "box");
  double sum2 = 0;
  int64_t n = 0;
  for (const float* p : rows(r)) {
    // Away from edges the sdf is the offset along the face normal: N(0, variance).
    if (std::abs(std::abs(p[0]) - std::abs(p[1])) > 0.2 && std::abs(p[2]) < 0.2) {
      sum2 += double(p[3]) * p[3];
      ++n;
    }
  }
  ASSERT_GT(n, 1000);
  EXPECT_NEAR(std::sqrt(sum2 / n), std::sqrt(0.0005), 0.1 * std::sqrt(0.0005));

  o.uniform_fraction = 1;
  const ShapeRecord u = sample_shape(box, o, 1, "box");
  for (const float* p : rows(u))
    for (int c = 0; c < 3; ++c) ASSERT_LE(std::abs(p[c]), 1.0f);
}

TEST(ShapeSampling, SignsStayRightAwayFromAHoleAndWithFlippedFaces) {
  const std::array<float, 3> h = {0.5f, 0.5f, 0.5f};
  Mesh holed = tm::box_mesh(h, 8);
  // Remove the two triangles of one cell in the middle of the +z face (a hole of 1/8 side).
  std::vector<geometry::Tri> kept;
  std::vector<Vec3f> hole_centres;
  for (const auto& t : holed.F) {
    float cx = 0, cy = 0, cz = 0;
    for (int k = 0; k < 3; ++k) {
      cx += holed.V[t[k]][0] / 3;
      cy += holed.V[t[k]][1] / 3;
      cz += holed.V[t[k]][2] / 3;
    }
    if (cz > 0.49f && cx > 0 && cx < 0.125f && cy > 0 && cy < 0.125f) continue;
    kept.push_back(t);
  }
  ASSERT_EQ(kept.size(), holed.F.size() - 2);
  holed.F = kept;

  Mesh flipped = tm::box_mesh(h, 8);
  std::mt19937 rng(5);
  for (auto& t : flipped.F)
    if (rng() % 3 == 0) std::swap(t[1], t[2]);

  for (const auto method : {geometry::SignMethod::WindingNumber, geometry::SignMethod::RayParity}) {
    for (const Mesh* m : {&holed, &flipped}) {
      SCOPED_TRACE(geometry::to_string(method) + (m == &holed ? " hole" : " flipped"));
      SamplingOptions o = small_options(20000);
      o.sign.sign_method = method;
      const ShapeRecord r = sample_shape(*m, o, 11, "box");
      const double s = r.normalization.scale;
      const std::array<double, 3> hn = {0.5 * s, 0.5 * s, 0.5 * s};
      const Vec3f hole = {float(0.0625 * s), float(0.0625 * s), float(0.5 * s)};
      int64_t wrong = 0, checked = 0;
      for (const float* p : rows(r)) {
        const double dx = p[0] - hole[0], dy = p[1] - hole[1], dz = p[2] - hole[2];
        // Away from the defect (the hole's width is 0.125 s): signs must be right.
        if (m == &holed && std::sqrt(dx * dx + dy * dy + dz * dz) < 0.3 * s) continue;
        const double truth = box_sdf(hn, p);
        if (std::abs(truth) < 1e-6) continue;
        ++checked;
        wrong += (truth < 0) != (p[3] < 0);
      }
      EXPECT_GT(checked, 15000);
      EXPECT_EQ(wrong, 0);
    }
  }
}

TEST(ShapeSampling, SurfacePointsAreInOriginalUnitsWithOutwardNormals) {
  const std::array<float, 3> h = {2.0f, 1.0f, 1.5f};
  Mesh box = tm::box_mesh(h, 2);
  for (auto& v : box.V) v[0] += 10.0f;  // off-centre
  for (auto& t : box.F) std::swap(t[1], t[2]);  // inward-oriented input
  const ShapeRecord r = sample_shape(box, small_options(1000), 2, "box");
  ASSERT_EQ(r.surface_points.size(), 1000u);
  ASSERT_EQ(r.surface_normals.size(), 1000u);
  EXPECT_NEAR(r.normalization.offset[0], -10.0, 1e-9);
  for (size_t i = 0; i < r.surface_points.size(); ++i) {
    const Vec3f& p = r.surface_points[i];
    const float centred[3] = {p[0] - 10.0f, p[1], p[2]};
    EXPECT_NEAR(box_sdf({2, 1, 1.5}, centred), 0.0, 1e-5);
    const Vec3f& n = r.surface_normals[i];
    // Outward: moving along the normal leaves the box.
    const float out[3] = {centred[0] + 0.01f * n[0], centred[1] + 0.01f * n[1],
                          centred[2] + 0.01f * n[2]};
    EXPECT_GT(box_sdf({2, 1, 1.5}, out), 0.0);
  }
}

TEST(ShapeSampling, ViewsSeeTheNormalizedSurface) {
  const Mesh sphere = tm::icosphere(3.0, 4);
  SamplingOptions o = small_options(1000);
  o.views.count = 3;
  o.views.width = 32;
  o.views.height = 24;
  const ShapeRecord r = sample_shape(sphere, o, 2, "sphere");
  ASSERT_EQ(r.views.size(), 3u);
  for (const ViewRecord& v : r.views) {
    EXPECT_EQ(v.width, 32);
    EXPECT_EQ(v.height, 24);
    EXPECT_EQ(v.depth.size(), 32u * 24u);
    ASSERT_GT(v.points.size(), 100u);
    ASSERT_EQ(v.points.size(), v.normals.size());
    for (const Vec3f& p : v.points) {
      // The sphere normalized: radius 1 / 1.03 (within the tessellation).
      EXPECT_NEAR(std::sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]), 1 / 1.03, 5e-3);
    }
    EXPECT_EQ(v.intrinsics[8], 1.0);
    EXPECT_EQ(v.camera_to_world[15], 1.0);
  }
}

TEST(ShapeSampling, IsDeterministicPerSeed) {
  const Mesh box = tm::box_mesh({0.5f, 0.3f, 0.2f}, 2);
  const ShapeRecord a = sample_shape(box, small_options(5000), 42, "box");
  const ShapeRecord b = sample_shape(box, small_options(5000), 42, "box");
  const ShapeRecord c = sample_shape(box, small_options(5000), 43, "box");
  EXPECT_EQ(a.pos, b.pos);
  EXPECT_EQ(a.neg, b.neg);
  EXPECT_EQ(a.surface_points, b.surface_points);
  EXPECT_NE(a.pos, c.pos);
  EXPECT_NE(shape_seed(0, "a/b"), shape_seed(0, "a/c"));
  EXPECT_NE(shape_seed(0, "a/b"), shape_seed(1, "a/b"));
}

TEST(ShapeSampling, BadMeshesAreDataErrorsNamingTheFile) {
  const SamplingOptions o = small_options(100);
  auto message = [&](const Mesh& m) {
    try {
      sample_shape(m, o, 0, "meshes/bad.obj");
    } catch (const core::DataError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  Mesh no_faces;
  no_faces.V = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}};
  EXPECT_NE(message(no_faces).find("meshes/bad.obj: the mesh has no faces"), std::string::npos)
      << message(no_faces);
  Mesh one_point{{{1, 1, 1}, {1, 1, 1}, {1, 1, 1}}, {{0, 1, 2}}, {}};
  EXPECT_NE(message(one_point).find("meshes/bad.obj: cannot normalize"), std::string::npos)
      << message(one_point);
  Mesh flat{{{0, 0, 0}, {1, 0, 0}, {2, 0, 0}}, {{0, 1, 2}}, {}};  // zero area
  EXPECT_NE(message(flat).find("meshes/bad.obj: cannot sample the surface"), std::string::npos)
      << message(flat);
  Mesh bad_index{{{0, 0, 0}, {1, 0, 0}, {0, 1, 0}}, {{0, 1, 5}}, {}};
  EXPECT_NE(message(bad_index).find("meshes/bad.obj"), std::string::npos) << message(bad_index);

  SamplingOptions wrong = o;
  wrong.variances = {};
  EXPECT_THROW(sample_shape(tm::box_mesh({1, 1, 1}, 1), wrong, 0, "x"), core::ConfigError);
}

TEST(ShapeSampling, TestPresetIsDeepSdfs) {
  const SamplingOptions t = deepsdf_test_preset();
  EXPECT_EQ(t.samples, 250000);
  EXPECT_EQ(t.variances, (std::vector<double>{0.05, 0.0005}));
  EXPECT_EQ(t.uniform_fraction, 0.06);
  EXPECT_EQ(t.surface_points, 30000);
}

}  // namespace
}  // namespace nsdf::preprocessing
