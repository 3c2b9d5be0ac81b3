#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "TestMeshes.h"
#include "core/Error.h"
#include "geometry/AnalyticShapes.h"
#include "geometry/OrientFaces.h"
#include "geometry/SignedDistance.h"
#include "geometry/WindingNumber.h"

namespace nsdf::geometry {
namespace {

using namespace test_meshes;

constexpr double kPi = 3.14159265358979323846;

double analytic(const AnalyticShape& s, const Vec3f& q) { return s.sdf({q[0], q[1], q[2]}); }

AnalyticShape sphere_shape(double r) {
  AnalyticShape s;
  s.size = {r, r, r};
  return s;
}

AnalyticShape torus_shape(double R, double r) {
  AnalyticShape s;
  s.kind = AnalyticShape::Kind::Torus;
  s.size = {R, r, 0};
  return s;
}

std::vector<Vec3f> sdf_queries(const Mesh& m, uint64_t seed) {
  std::vector<Vec3f> Q = near_surface_points(m, 600, 0.02f, seed);
  for (const auto& part : {near_surface_points(m, 300, 0.002f, seed + 1),
                           uniform_points(600, 1.0f, seed + 2), uniform_points(30, 5.0f, seed + 3)})
    Q.insert(Q.end(), part.begin(), part.end());
  return Q;
}

// Flips a random fraction of the faces; returns how many.
int64_t flip_some(Mesh& m, double fraction, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::bernoulli_distribution flip(fraction);
  int64_t n = 0;
  for (Tri& t : m.F)
    if (flip(rng)) {
      std::swap(t[1], t[2]);
      ++n;
    }
  return n;
}

Mesh unwelded(const Mesh& m) {
  Mesh out;
  for (const Tri& t : m.F) {
    const int32_t base = static_cast<int32_t>(out.V.size());
    for (int k = 0; k < 3; ++k) out.V.push_back(m.V[t[k]]);
    out.F.push_back({base, base + 1, base + 2});
  }
  return out;
}

Mesh merged(const Mesh& a, const Mesh& b, const Vec3f& shift) {
  Mesh out = a;
  const int32_t base = static_cast<int32_t>(a.V.size());
  for (const Vec3f& v : b.V) out.V.push_back({v[0] + shift[0], v[1] + shift[1], v[2] + shift[2]});
  for (const Tri& t : b.F) out.F.push_back({t[0] + base, t[1] + base, t[2] + base});
  return out;
}

// Largest distance between the icosphere's faces and its sphere: the sagitta of the flattest
// face, R - (distance from the centre to the face's plane).
double sphere_tessellation_error(const Mesh& m, double R) {
  double err = 0;
  for (const Tri& t : m.F) {
    const auto a = d3(m.V[t[0]]), b = d3(m.V[t[1]]), c = d3(m.V[t[2]]);
    const std::array<double, 3> e1 = {b[0] - a[0], b[1] - a[1], b[2] - a[2]};
    const std::array<double, 3> e2 = {c[0] - a[0], c[1] - a[1], c[2] - a[2]};
    const std::array<double, 3> n = {e1[1] * e2[2] - e1[2] * e2[1], e1[2] * e2[0] - e1[0] * e2[2],
                                     e1[0] * e2[1] - e1[1] * e2[0]};
    const double len = std::sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
    err = std::max(err, R - std::abs(n[0] * a[0] + n[1] * a[1] + n[2] * a[2]) / len);
  }
  return err + 1e-6;  // float vertices
}

// Two-sided Hausdorff distance between a torus mesh and its torus, from dense samples on both:
// barycentric points of every face against the analytic SDF, and a fine parameter grid on the
// torus against the mesh. Padded by 10% for what the samples miss.
double torus_tessellation_error(const Mesh& m, const TriangleBvh& bvh, double R, double r) {
  const AnalyticShape shape = torus_shape(R, r);
  double h = 0;
  for (const Tri& t : m.F)
    for (int i = 0; i <= 4; ++i)
      for (int j = 0; i + j <= 4; ++j) {
        Vec3f p;
        for (int k = 0; k < 3; ++k)
          p[k] = ((4 - i - j) * m.V[t[0]][k] + i * m.V[t[1]][k] + j * m.V[t[2]][k]) / 4.0f;
        h = std::max(h, std::abs(analytic(shape, p)));
      }
  for (int i = 0; i < 512; ++i)
    for (int j = 0; j < 256; ++j) {
      const double u = 2 * kPi * i / 512, v = 2 * kPi * j / 256, rho = R + r * std::cos(v);
      const Vec3f p = {static_cast<float>(rho * std::cos(u)), static_cast<float>(r * std::sin(v)),
                       static_cast<float>(rho * std::sin(u))};
      h = std::max(h, static_cast<double>(bvh.closest_point(p).distance));
    }
  return 1.1 * h + 1e-6;
}

// Brute force signed distance: nearest over all faces, inside by the exact winding number.
double brute_force_sdf(const Mesh& m, const Vec3f& q) {
  const double d = brute_force_closest(m, q).first;
  return exact_winding_number(m, q) >= 0.5 ? -d : d;
}

TEST(SignedDistance, BoxEqualsAnalyticBoxSdf) {
  const Mesh box = box_mesh({0.5f, 0.25f, 0.375f}, 4);
  AnalyticShape shape;
  shape.kind = AnalyticShape::Kind::Box;
  shape.size = {0.5, 0.25, 0.375};
  const std::vector<Vec3f> Q = sdf_queries(box, 1);
  for (SignMethod method : {SignMethod::WindingNumber, SignMethod::RayParity}) {
    SignedDistanceOptions options;
    options.sign_method = method;
    const std::vector<float> sd = SignedDistance(box, options).signed_distances(Q);
    for (size_t i = 0; i < Q.size(); ++i)
      ASSERT_NEAR(sd[i], analytic(shape, Q[i]), 1e-5) << to_string(method) << " query " << i;
  }
}

TEST(SignedDistance, SphereWithinTessellationErrorAndEqualToBruteForce) {
  const double R = 0.5;
  const Mesh sphere = icosphere(R, 5);
  const double tol = sphere_tessellation_error(sphere, R);
  ASSERT_LT(tol, 1e-3);
  const SignedDistance sdf(sphere);
  const std::vector<Vec3f> Q = sdf_queries(sphere, 2);
  const std::vector<float> sd = sdf.signed_distances(Q);
  const AnalyticShape shape = sphere_shape(R);
  for (size_t i = 0; i < Q.size(); ++i) {
    EXPECT_NEAR(sd[i], analytic(shape, Q[i]), tol) << "query " << i;
    if (i % 8 == 0) {
      EXPECT_NEAR(sd[i], brute_force_sdf(sphere, Q[i]), 1e-6) << "query " << i;
    }
  }
}

TEST(SignedDistance, TorusWithinTessellationErrorAndEqualToBruteForce) {
  const double R = 0.6, r = 0.25;
  const Mesh torus = torus_mesh(R, r, 128, 64);
  const SignedDistance sdf(torus);
  const double tol = torus_tessellation_error(torus, sdf.bvh(), R, r);
  ASSERT_LT(tol, 2e-3);
  const std::vector<Vec3f> Q = sdf_queries(torus, 3);
  const std::vector<float> sd = sdf.signed_distances(Q);
  const AnalyticShape shape = torus_shape(R, r);
  for (size_t i = 0; i < Q.size(); ++i) {
    EXPECT_NEAR(sd[i], analytic(shape, Q[i]), tol) << "query " << i;
    if (i % 8 == 0) {
      EXPECT_NEAR(sd[i], brute_force_sdf(torus, Q[i]), 1e-6) << "query " << i;
    }
  }
}

TEST(SignedDistance, SphereWithHoleHasRightSignsAwayFromTheHole) {
  const double R = 0.5;
  const Mesh closed = icosphere(R, 4);
  const Vec3f pole = {0.0f, 0.5f, 0.0f};
  const float hole = 0.06f;  // faces with a centroid within 0.06 of the pole are removed
  Mesh open;
  open.V = closed.V;
  for (const Tri& t : closed.F) {
    float d2 = 0;
    for (int k = 0; k < 3; ++k) {
      const float c = (closed.V[t[0]][k] + closed.V[t[1]][k] + closed.V[t[2]][k]) / 3 - pole[k];
      d2 += c * c;
    }
    if (d2 > hole * hole) open.F.push_back(t);
  }
  ASSERT_LT(open.F.size(), closed.F.size());
  ASSERT_GT(open.F.size(), closed.F.size() - 40);  // a few triangles
  const double tol = sphere_tessellation_error(closed, R);
  const AnalyticShape shape = sphere_shape(R);
  std::vector<Vec3f> Q;
  for (const Vec3f& q : sdf_queries(closed, 4)) {
    float d2 = 0;
    for (int k = 0; k < 3; ++k) d2 += (q[k] - pole[k]) * (q[k] - pole[k]);
    if (d2 > 4 * hole * hole && std::abs(analytic(shape, q)) > tol) Q.push_back(q);
  }
  ASSERT_GT(Q.size(), 1000u);
  const std::vector<float> sd = SignedDistance(open).signed_distances(Q);
  for (size_t i = 0; i < Q.size(); ++i)
    EXPECT_EQ(sd[i] < 0, analytic(shape, Q[i]) < 0) << "query " << i << " sd " << sd[i];
  // Ray parity: a ray that leaves through the hole votes wrong; the majority of 5 rarely does.
  SignedDistanceOptions parity;
  parity.sign_method = SignMethod::RayParity;
  const std::vector<float> sp = SignedDistance(open, parity).signed_distances(Q);
  size_t right = 0;
  for (size_t i = 0; i < Q.size(); ++i) right += (sp[i] < 0) == (analytic(shape, Q[i]) < 0);
  EXPECT_GE(right, Q.size() * 99 / 100);
}

TEST(SignedDistance, FlippedFacesAreReorientedAndSignsStayRight) {
  const double R = 0.4;
  // Two components: a sphere and, next to it, a torus turned inside out entirely.
  Mesh torus = torus_mesh(0.3, 0.1, 48, 24);
  for (Tri& t : torus.F) std::swap(t[1], t[2]);
  const Vec3f shift = {1.0f, 0.0f, 0.0f};
  const Mesh clean = merged(icosphere(R, 4), torus, shift);
  Mesh flipped = clean;
  const int64_t n_flipped = flip_some(flipped, 0.3, 5);
  ASSERT_GT(n_flipped, 1000);
  const AnalyticShape ball = sphere_shape(R);
  AnalyticShape ring = torus_shape(0.3, 0.1);
  ring.center = {1.0, 0.0, 0.0};
  auto truth = [&](const Vec3f& q) { return std::min(analytic(ball, q), analytic(ring, q)); };
  std::vector<Vec3f> Q;
  for (const Vec3f& q : sdf_queries(clean, 6))
    if (std::abs(truth(q)) > 3e-3) Q.push_back(q);  // outside the tessellation error band

  // What orientation must give: every face outward, the torus turned back as a whole.
  Mesh expected = merged(icosphere(R, 4), torus_mesh(0.3, 0.1, 48, 24), shift);
  for (bool soup : {false, true}) {
    const Mesh mesh = soup ? unwelded(flipped) : flipped;  // soups connect by welding
    const SignedDistance sdf(mesh);
    const OrientationReport& rep = sdf.orientation();
    EXPECT_EQ(rep.components, 2);
    EXPECT_EQ(rep.non_orientable_components, 0);
    EXPECT_EQ(rep.inconsistent_edges, 0);
    const std::vector<Tri> F = orient_faces(mesh);
    for (size_t f = 0; f < F.size(); ++f)
      for (int k = 0; k < 3; ++k)
        ASSERT_EQ(mesh.V[F[f][k]], expected.V[expected.F[f][k]])
            << "soup " << soup << " face " << f;
    const std::vector<float> sd = sdf.signed_distances(Q);
    for (size_t i = 0; i < Q.size(); ++i)
      ASSERT_EQ(sd[i] < 0, truth(Q[i]) < 0) << "soup " << soup << " query " << i;
  }
  // Without orientation the flipped faces corrupt the winding number.
  SignedDistanceOptions raw;
  raw.orient = false;
  const std::vector<float> bad = SignedDistance(flipped, raw).signed_distances(Q);
  size_t wrong = 0;
  for (size_t i = 0; i < Q.size(); ++i) wrong += (bad[i] < 0) != (truth(Q[i]) < 0);
  EXPECT_GT(wrong, 0u);
}

TEST(SignedDistance, OrientFacesRestoresTheOriginalOrientation) {
  const Mesh clean = torus_mesh(0.6, 0.25, 40, 20);
  Mesh flipped = clean;
  const int64_t n = flip_some(flipped, 0.4, 7);
  OrientationReport rep;
  EXPECT_EQ(orient_faces(flipped, &rep), clean.F);
  EXPECT_EQ(rep.flipped_faces, n);
  EXPECT_EQ(rep.components, 1);
  // All faces inward: the search makes them consistent, the volume turns the whole over.
  Mesh inverted = clean;
  for (Tri& t : inverted.F) std::swap(t[1], t[2]);
  EXPECT_EQ(orient_faces(inverted, &rep), clean.F);
  EXPECT_EQ(rep.inverted_components, 1);
  EXPECT_EQ(rep.flipped_faces, static_cast<int64_t>(clean.F.size()));
}

TEST(SignedDistance, OrientFacesKeepsTheMajorityOnOpenPatches) {
  // A flat grid (open, no volume) with 20% of its faces flipped: all end up facing +z, the way
  // most of them did.
  Mesh grid;
  const int n = 20;
  for (int i = 0; i <= n; ++i)
    for (int j = 0; j <= n; ++j) grid.V.push_back({float(i), float(j), 0.0f});
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      const int32_t a = i * (n + 1) + j, b = a + n + 1;
      grid.F.push_back({a, b, b + 1});
      grid.F.push_back({a, b + 1, a + 1});
    }
  Mesh flipped = grid;
  flip_some(flipped, 0.2, 8);
  EXPECT_EQ(orient_faces(flipped), grid.F);
}

TEST(SignedDistance, OrientFacesReportsNonOrientableInput) {
  // A Moebius strip: 30 quads around a circle, the band turning half a turn, closed up with the
  // sides swapped. No orientation is consistent: at least one edge must stay inconsistent.
  Mesh strip;
  const int n = 30;
  for (int i = 0; i < n; ++i) {
    const double u = 2 * kPi * i / n;
    for (int s : {-1, 1}) {
      const double w = 0.2 * s, c = std::cos(u / 2), sn = std::sin(u / 2);
      strip.V.push_back({static_cast<float>((1 + w * c) * std::cos(u)),
                         static_cast<float>((1 + w * c) * std::sin(u)),
                         static_cast<float>(w * sn)});
    }
  }
  for (int i = 0; i < n; ++i) {
    const int32_t a = 2 * i, b = 2 * i + 1;
    const bool last = i == n - 1;
    const int32_t c = last ? 1 : 2 * i + 2, d = last ? 0 : 2 * i + 3;
    strip.F.push_back({a, c, d});
    strip.F.push_back({a, d, b});
  }
  OrientationReport rep;
  const std::vector<Tri> F = orient_faces(strip, &rep);
  EXPECT_EQ(rep.components, 1);
  EXPECT_EQ(rep.non_orientable_components, 1);
  EXPECT_GE(rep.inconsistent_edges, 1);
  ASSERT_EQ(F.size(), strip.F.size());
  for (size_t f = 0; f < F.size(); ++f)  // same vertices, possibly another order
    EXPECT_EQ(std::multiset<int32_t>(F[f].begin(), F[f].end()),
              std::multiset<int32_t>(strip.F[f].begin(), strip.F[f].end()));
  // Signed distances still work (signs near the seam are unreliable; distances are exact).
  const SignedDistance sdf(strip);
  EXPECT_NEAR(std::abs(sdf.signed_distance({0.0f, 0.0f, 0.0f})), 0.8f, 1e-2);
}

TEST(SignedDistance, RayParityAgreesWithWindingNumberOnClosedMeshes) {
  const Mesh torus = torus_mesh(0.6, 0.25, 64, 32);
  const std::vector<Vec3f> Q = sdf_queries(torus, 9);
  SignedDistanceOptions parity;
  parity.sign_method = SignMethod::RayParity;
  parity.parity_rays = 3;
  const std::vector<float> a = SignedDistance(torus).signed_distances(Q);
  const std::vector<float> b = SignedDistance(torus, parity).signed_distances(Q);
  for (size_t i = 0; i < Q.size(); ++i) EXPECT_EQ(a[i], b[i]) << "query " << i;
}

TEST(SignedDistance, BatchesEqualSingleQueriesWithAnyThreadCount) {
  const Mesh mesh = torus_mesh(0.6, 0.25, 48, 24);
  std::vector<Vec3f> Q = uniform_points(6000, 1.0f, 10);  // large enough to be Morton-sorted
  for (SignMethod method : {SignMethod::WindingNumber, SignMethod::RayParity}) {
    SignedDistanceOptions options;
    options.sign_method = method;
    const SignedDistance sdf(mesh, options);
    for (int threads : {1, 2}) {
      tbb::global_control limit(tbb::global_control::max_allowed_parallelism, threads);
      std::vector<int32_t> faces;
      const std::vector<float> sd = sdf.signed_distances(Q, &faces);
      for (size_t i = 0; i < Q.size(); i += 7) {
        EXPECT_EQ(sd[i], sdf.signed_distance(Q[i]));
        EXPECT_EQ(sd[i] < 0, sdf.inside(Q[i]));
        EXPECT_EQ(faces[i], sdf.bvh().closest_point(Q[i]).triangle);
      }
    }
  }
}

TEST(SignedDistance, SignMethodNames) {
  EXPECT_EQ(parse_sign_method("winding_number"), SignMethod::WindingNumber);
  EXPECT_EQ(parse_sign_method("ray_parity"), SignMethod::RayParity);
  EXPECT_EQ(to_string(SignMethod::RayParity), "ray_parity");
  try {
    parse_sign_method("winding_numbers");
    ADD_FAILURE() << "no error";
  } catch (const core::ConfigError& e) {
    EXPECT_EQ(std::string(e.what()),
              "unknown sign method 'winding_numbers' (did you mean 'winding_number'?); valid: "
              "winding_number, ray_parity");
  }
}

TEST(SignedDistance, BadInputGivesClearErrors) {
  auto message = [](auto&& fn) -> std::string {
    try {
      fn();
    } catch (const core::DataError& e) {
      return e.what();
    }
    return "no DataError";
  };
  Mesh m;
  m.V = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}};
  EXPECT_EQ(message([&] { SignedDistance s(m); }),
            "SignedDistance: the mesh has no faces (3 vertices, 0 faces)");
  m.F = {{0, 1, 2}, {2, 1, 5}};
  EXPECT_EQ(message([&] { SignedDistance s(m); }),
            "orient_faces: face 1 has vertex index 5 out of range (the mesh has 3 vertices, valid "
            "indices 0..2)");
  SignedDistanceOptions no_orient;
  no_orient.orient = false;
  EXPECT_EQ(message([&] { SignedDistance s(m, no_orient); }),
            "TriangleBvh: face 1 has vertex index 5 out of range (the mesh has 3 vertices, valid "
            "indices 0..2)");
  m.F = {{0, 1, 2}};
  const SignedDistance sdf(m);
  EXPECT_EQ(message([&] {
              sdf.signed_distances({{0, 0, 0}, {1, std::nanf(""), 0}});
            }),
            "SignedDistance: query 1 (1, nan, 0) is not finite");
  SignedDistanceOptions even;
  even.parity_rays = 4;
  EXPECT_THROW(SignedDistance(m, even), core::ConfigError);
}

}  // namespace
}  // namespace nsdf::geometry
