#pragma once
// Synthetic meshes with known geometry for the geometry tests (BVH, winding numbers, signed
// distances, sampling, normals, rendering) and the preprocessing tests, and brute-force
// references (loops over every triangle with the same exact primitives).

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <random>
#include <utility>
#include <vector>

#include "geometry/Mesh.h"
#include "geometry/TriangleBvh.h"

namespace nsdf::geometry::test_meshes {

inline double signed_volume(const Mesh& m) {
  double v = 0;
  for (const Tri& t : m.F) {
    const Vec3f &a = m.V[t[0]], &b = m.V[t[1]], &c = m.V[t[2]];
    v += (double(a[0]) * (double(b[1]) * c[2] - double(b[2]) * c[1]) +
          double(a[1]) * (double(b[2]) * c[0] - double(b[0]) * c[2]) +
          double(a[2]) * (double(b[0]) * c[1] - double(b[1]) * c[0])) /
         6.0;
  }
  return v;
}

// Makes a closed mesh outward-oriented (generators below need not care about vertex order).
inline Mesh outward(Mesh m) {
  if (signed_volume(m) < 0)
    for (Tri& t : m.F) std::swap(t[1], t[2]);
  return m;
}

/// Axis-aligned box [-h, h] with each face split into n x n quads (2 triangles each), vertices
/// shared along the box's edges (watertight). Coordinates are exact in float for dyadic h / n.
inline Mesh box_mesh(const std::array<float, 3>& h, int n) {
  Mesh m;
  std::map<std::array<int, 3>, int32_t> index;  // lattice coordinates in [0, n]^3
  auto vertex = [&](std::array<int, 3> l) {
    auto it = index.find(l);
    if (it != index.end()) return it->second;
    const int32_t id = static_cast<int32_t>(m.V.size());
    m.V.push_back({h[0] * (2.0f * l[0] / n - 1.0f), h[1] * (2.0f * l[1] / n - 1.0f),
                   h[2] * (2.0f * l[2] / n - 1.0f)});
    index[l] = id;
    return id;
  };
  for (int axis = 0; axis < 3; ++axis)
    for (int side = 0; side <= 1; ++side) {
      const int u = (axis + 1) % 3, v = (axis + 2) % 3;
      for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) {
          auto at = [&](int di, int dj) {
            std::array<int, 3> l{};
            l[axis] = side * n;
            l[u] = i + di;
            l[v] = j + dj;
            return vertex(l);
          };
          const int32_t a = at(0, 0), b = at(1, 0), c = at(1, 1), d = at(0, 1);
          // (u, v, axis) is right-handed: counter-clockwise in (u, v) faces +axis.
          if (side == 1) {
            m.F.push_back({a, b, c});
            m.F.push_back({a, c, d});
          } else {
            m.F.push_back({a, c, b});
            m.F.push_back({a, d, c});
          }
        }
    }
  return m;
}

/// Icosphere of radius r centred at the origin: an icosahedron subdivided `levels` times,
/// vertices projected onto the sphere (20 * 4^levels faces, outward).
inline Mesh icosphere(double r, int levels) {
  const double t = (1.0 + std::sqrt(5.0)) / 2.0;
  std::vector<std::array<double, 3>> P = {{-1, t, 0}, {1, t, 0}, {-1, -t, 0}, {1, -t, 0},
                                          {0, -1, t}, {0, 1, t}, {0, -1, -t}, {0, 1, -t},
                                          {t, 0, -1}, {t, 0, 1}, {-t, 0, -1}, {-t, 0, 1}};
  std::vector<Tri> F = {{0, 11, 5}, {0, 5, 1},  {0, 1, 7},   {0, 7, 10}, {0, 10, 11},
                        {1, 5, 9},  {5, 11, 4}, {11, 10, 2}, {10, 7, 6}, {7, 1, 8},
                        {3, 9, 4},  {3, 4, 2},  {3, 2, 6},   {3, 6, 8},  {3, 8, 9},
                        {4, 9, 5},  {2, 4, 11}, {6, 2, 10},  {8, 6, 7},  {9, 8, 1}};
  auto normalize = [](std::array<double, 3> p) {
    const double l = std::sqrt(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]);
    return std::array<double, 3>{p[0] / l, p[1] / l, p[2] / l};
  };
  for (auto& p : P) p = normalize(p);
  for (int level = 0; level < levels; ++level) {
    std::map<std::pair<int32_t, int32_t>, int32_t> mid;
    auto midpoint = [&](int32_t a, int32_t b) {
      const auto key = std::make_pair(std::min(a, b), std::max(a, b));
      auto it = mid.find(key);
      if (it != mid.end()) return it->second;
      P.push_back(normalize({P[a][0] + P[b][0], P[a][1] + P[b][1], P[a][2] + P[b][2]}));
      const int32_t id = static_cast<int32_t>(P.size() - 1);
      mid[key] = id;
      return id;
    };
    std::vector<Tri> next;
    for (const Tri& f : F) {
      const int32_t a = midpoint(f[0], f[1]), b = midpoint(f[1], f[2]), c = midpoint(f[2], f[0]);
      next.push_back({f[0], a, c});
      next.push_back({f[1], b, a});
      next.push_back({f[2], c, b});
      next.push_back({a, b, c});
    }
    F = std::move(next);
  }
  Mesh m;
  for (const auto& p : P)
    m.V.push_back(
        {static_cast<float>(r * p[0]), static_cast<float>(r * p[1]), static_cast<float>(r * p[2])});
  m.F = std::move(F);
  return outward(std::move(m));
}

/// Icosphere built in float, as the rendering and sampling tests want it: an icosahedron
/// subdivided `levels` times, each new vertex the float midpoint of an edge pushed onto the unit
/// sphere, then scaled by r and moved to c (20 * 4^levels faces, counter-clockwise seen from
/// outside). Its vertices differ from icosphere()'s (built in double) in the last bits.
inline Mesh float_icosphere(int levels, float r = 1, Vec3f c = {0, 0, 0}) {
  const float t = (1 + std::sqrt(5.0f)) / 2;
  Mesh m;
  m.V = {{-1, t, 0},  {1, t, 0},  {-1, -t, 0}, {1, -t, 0}, {0, -1, t},  {0, 1, t},
         {0, -1, -t}, {0, 1, -t}, {t, 0, -1},  {t, 0, 1},  {-t, 0, -1}, {-t, 0, 1}};
  m.F = {{0, 11, 5},  {0, 5, 1},  {0, 1, 7},  {0, 7, 10}, {0, 10, 11}, {1, 5, 9}, {5, 11, 4},
         {11, 10, 2}, {10, 7, 6}, {7, 1, 8},  {3, 9, 4},  {3, 4, 2},   {3, 2, 6}, {3, 6, 8},
         {3, 8, 9},   {4, 9, 5},  {2, 4, 11}, {6, 2, 10}, {8, 6, 7},   {9, 8, 1}};
  const auto unit = [](Vec3f v) {
    const float n = std::sqrt(v[0] * v[0] + v[1] * v[1] + v[2] * v[2]);
    return Vec3f{v[0] / n, v[1] / n, v[2] / n};
  };
  for (Vec3f& v : m.V) v = unit(v);
  for (int level = 0; level < levels; ++level) {
    std::map<std::pair<int32_t, int32_t>, int32_t> midpoints;
    const auto mid = [&](int32_t a, int32_t b) {
      const auto key = std::minmax(a, b);
      const auto it = midpoints.find(key);
      if (it != midpoints.end()) return it->second;
      const Vec3f& p = m.V[a];
      const Vec3f& q = m.V[b];
      m.V.push_back(unit({p[0] + q[0], p[1] + q[1], p[2] + q[2]}));
      return midpoints[key] = static_cast<int32_t>(m.V.size() - 1);
    };
    std::vector<Tri> faces;
    for (const Tri& f : m.F) {
      const int32_t a = mid(f[0], f[1]), b = mid(f[1], f[2]), d = mid(f[2], f[0]);
      faces.insert(faces.end(), {{f[0], a, d}, {f[1], b, a}, {f[2], d, b}, {a, b, d}});
    }
    m.F = faces;
  }
  for (Vec3f& v : m.V) v = {c[0] + r * v[0], c[1] + r * v[1], c[2] + r * v[2]};
  return m;
}

/// A closed axis-aligned cube of side 1 centred at c: 8 vertices, 12 faces counter-clockwise
/// seen from outside.
inline Mesh cube(const Vec3f& c) {
  Mesh m;
  for (int i = 0; i < 8; ++i)
    m.V.push_back({c[0] + ((i & 1) ? 0.5f : -0.5f), c[1] + ((i & 2) ? 0.5f : -0.5f),
                   c[2] + ((i & 4) ? 0.5f : -0.5f)});
  m.F = {{0, 2, 1}, {1, 2, 3}, {4, 5, 6}, {5, 7, 6}, {0, 1, 4}, {1, 5, 4},
         {2, 6, 3}, {3, 6, 7}, {0, 4, 2}, {2, 4, 6}, {1, 3, 5}, {3, 7, 5}};
  return m;
}

/// Torus around the y axis (AnalyticShape's convention): major radius R, minor r, nu segments
/// around the axis, nv around the tube; vertices on the torus (outward).
inline Mesh torus_mesh(double R, double r, int nu, int nv) {
  Mesh m;
  const double two_pi = 2.0 * 3.14159265358979323846;
  for (int i = 0; i < nu; ++i)
    for (int j = 0; j < nv; ++j) {
      const double u = two_pi * i / nu, v = two_pi * j / nv;
      const double rho = R + r * std::cos(v);
      m.V.push_back({static_cast<float>(rho * std::cos(u)), static_cast<float>(r * std::sin(v)),
                     static_cast<float>(rho * std::sin(u))});
    }
  auto id = [&](int i, int j) { return static_cast<int32_t>((i % nu) * nv + (j % nv)); };
  for (int i = 0; i < nu; ++i)
    for (int j = 0; j < nv; ++j) {
      m.F.push_back({id(i, j), id(i + 1, j), id(i + 1, j + 1)});
      m.F.push_back({id(i, j), id(i + 1, j + 1), id(i, j + 1)});
    }
  return outward(std::move(m));
}

inline std::array<double, 3> d3(const Vec3f& v) { return {v[0], v[1], v[2]}; }

/// Exhaustive nearest face: the lowest face index among the nearest (as TriangleBvh promises).
inline std::pair<double, int32_t> brute_force_closest(const Mesh& m, const Vec3f& q) {
  double best = std::numeric_limits<double>::infinity();
  int32_t face = -1;
  for (size_t f = 0; f < m.F.size(); ++f) {
    std::array<double, 3> c;
    const double d2 = closest_point_on_triangle(d3(q), d3(m.V[m.F[f][0]]), d3(m.V[m.F[f][1]]),
                                                d3(m.V[m.F[f][2]]), c);
    if (d2 < best) {
      best = d2;
      face = static_cast<int32_t>(f);
    }
  }
  return {std::sqrt(best), face};
}

/// Uniform points in the box [-s, s]^3.
inline std::vector<Vec3f> uniform_points(size_t n, float s, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(-s, s);
  std::vector<Vec3f> P(n);
  for (Vec3f& p : P) p = {u(rng), u(rng), u(rng)};
  return P;
}

/// Points near the surface: random points of random faces moved by N(0, sigma) per axis.
inline std::vector<Vec3f> near_surface_points(const Mesh& m, size_t n, float sigma, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  std::normal_distribution<float> g(0.0f, sigma);
  std::uniform_int_distribution<size_t> face(0, m.F.size() - 1);
  std::vector<Vec3f> P(n);
  for (Vec3f& p : P) {
    const Tri& t = m.F[face(rng)];
    float a = u(rng), b = u(rng);
    if (a + b > 1) a = 1 - a, b = 1 - b;
    for (int k = 0; k < 3; ++k)
      p[k] = m.V[t[0]][k] + a * (m.V[t[1]][k] - m.V[t[0]][k]) + b * (m.V[t[2]][k] - m.V[t[0]][k]) +
             g(rng);
  }
  return P;
}

}  // namespace nsdf::geometry::test_meshes
