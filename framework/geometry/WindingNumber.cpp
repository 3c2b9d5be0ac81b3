#include "geometry/WindingNumber.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "core/Error.h"
#include "geometry/QueryOrder.h"
#include "geometry/Simd4.h"
#include "geometry/VecMath.h"

namespace nsdf::geometry {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kInv4Pi = 1.0 / (4.0 * kPi);
// The tree's depth stays below ~100 (TriangleBvh caps SAH depth); one pending node per level.
constexpr int kStackSize = 128;

// van Oosterom & Strackee with the vertices already relative to the query.
double solid_angle_rel(double ax, double ay, double az, double bx, double by, double bz, double cx,
                       double cy, double cz) {
  const double la = std::sqrt(ax * ax + ay * ay + az * az);
  const double lb = std::sqrt(bx * bx + by * by + bz * bz);
  const double lc = std::sqrt(cx * cx + cy * cy + cz * cz);
  const double det = ax * (by * cz - bz * cy) + ay * (bz * cx - bx * cz) + az * (bx * cy - by * cx);
  const double ab = ax * bx + ay * by + az * bz;
  const double bc = bx * cx + by * cy + bz * cz;
  const double ca = cx * ax + cy * ay + cz * az;
  const double den = la * lb * lc + ab * lc + bc * la + ca * lb;
  return 2.0 * std::atan2(det, den);
}

double solid_angle(const Vec3f& q, const Vec3f& a, const Vec3f& b, const Vec3f& c) {
  const double qx = q[0], qy = q[1], qz = q[2];
  return solid_angle_rel(a[0] - qx, a[1] - qy, a[2] - qz, b[0] - qx, b[1] - qy, b[2] - qz,
                         c[0] - qx, c[1] - qy, c[2] - qz);
}

void check_mesh(const Mesh& mesh, const char* what) {
  NSDF_CHECK(!mesh.F.empty(), core::DataError, "{}: the mesh has no faces ({} vertices, 0 faces)",
             what, mesh.V.size());
  const int64_t nv = static_cast<int64_t>(mesh.V.size());
  for (size_t f = 0; f < mesh.F.size(); ++f)
    for (int k = 0; k < 3; ++k) {
      const int64_t vi = mesh.F[f][k];
      NSDF_CHECK(vi >= 0 && vi < nv, core::DataError,
                 "{}: face {} has vertex index {} out of range (the mesh has {} vertices, valid "
                 "indices 0..{})",
                 what, f, vi, nv, nv - 1);
    }
}

double exact_sum(const Mesh& mesh, const Vec3f& q) {
  double sum = 0.0;
  for (const Tri& t : mesh.F) sum += solid_angle(q, mesh.V[t[0]], mesh.V[t[1]], mesh.V[t[2]]);
  return sum * kInv4Pi;
}

}  // namespace

double triangle_solid_angle(const Vec3f& q, const Vec3f& a, const Vec3f& b, const Vec3f& c) {
  return solid_angle(q, a, b, c);
}

double exact_winding_number(const Mesh& mesh, const Vec3f& q) {
  check_mesh(mesh, "exact_winding_number");
  NSDF_CHECK(finite(q), core::DataError, "exact_winding_number: query ({}, {}, {}) is not finite",
             q[0], q[1], q[2]);
  return exact_sum(mesh, q);
}

std::vector<double> exact_winding_numbers(const Mesh& mesh, const std::vector<Vec3f>& queries) {
  check_mesh(mesh, "exact_winding_numbers");
  for (size_t i = 0; i < queries.size(); ++i)
    NSDF_CHECK(finite(queries[i]), core::DataError,
               "exact_winding_numbers: query {} ({}, {}, {}) is not finite", i, queries[i][0],
               queries[i][1], queries[i][2]);
  std::vector<double> out(queries.size());
  tbb::parallel_for(tbb::blocked_range<size_t>(0, queries.size(), 16),
                    [&](const tbb::blocked_range<size_t>& r) {
                      for (size_t i = r.begin(); i != r.end(); ++i)
                        out[i] = exact_sum(mesh, queries[i]);
                    });
  return out;
}

namespace {

// Raw moments of a set of triangles, in double, about a fixed origin o (coordinates near 0 keep
// the later shift to each lane's centre free of cancellation):
//   area, sum a_t c_t, A = sum a_t n_t, M_ij = sum (a_t n_t)_i c_j,
//   P_i = sum (a_t n_t)_i T_t with T_t = Int_t x x^T dA / a_t = (sum_v v v^T + 9 c c^T) / 12.
struct Moments {
  double area = 0, ac[3] = {}, A[3] = {}, M[9] = {}, P[3][6] = {};
  int32_t first = std::numeric_limits<int32_t>::max(), last = 0;  // triangles [first, last)

  void add(const Moments& o) {
    area += o.area;
    for (int i = 0; i < 3; ++i) {
      ac[i] += o.ac[i];
      A[i] += o.A[i];
      for (int q = 0; q < 6; ++q) P[i][q] += o.P[i][q];
    }
    for (int i = 0; i < 9; ++i) M[i] += o.M[i];
    first = std::min(first, o.first);
    last = std::max(last, o.last);
  }
};

// Sum of the solid angles of a packet's triangles seen from q: van Oosterom & Strackee in float
// SIMD, four triangles at once, with simd::atan2 (1.3e-7 rad). Near q the vertices relative to q
// are exact in float (Sterbenz) or off by an ulp of their own small size, so precision holds up
// close to the surface, where near leaves are summed.
float packet_solid_angle(const TrianglePacket& t, const Vec3f& q) {
  using simd::F4;
  const F4 qx(q[0]), qy(q[1]), qz(q[2]);
  const F4 ax = F4::load(t.v[0][0]) - qx, ay = F4::load(t.v[0][1]) - qy,
           az = F4::load(t.v[0][2]) - qz;
  const F4 bx = F4::load(t.v[1][0]) - qx, by = F4::load(t.v[1][1]) - qy,
           bz = F4::load(t.v[1][2]) - qz;
  const F4 cx = F4::load(t.v[2][0]) - qx, cy = F4::load(t.v[2][1]) - qy,
           cz = F4::load(t.v[2][2]) - qz;
  const F4 la = simd::sqrt(ax * ax + ay * ay + az * az);
  const F4 lb = simd::sqrt(bx * bx + by * by + bz * bz);
  const F4 lc = simd::sqrt(cx * cx + cy * cy + cz * cz);
  const F4 det = ax * (by * cz - bz * cy) + ay * (bz * cx - bx * cz) + az * (bx * cy - by * cx);
  const F4 den = la * lb * lc + (ax * bx + ay * by + az * bz) * lc +
                 (bx * cx + by * cy + bz * cz) * la + (cx * ax + cy * ay + cz * az) * lb;
  const F4 omega = F4(2.0f) * simd::atan2(det, den);
  return simd::sum(simd::keep(omega, simd::non_negative(t.slot)));
}

constexpr int kSym[6][2] = {{0, 0}, {0, 1}, {0, 2}, {1, 1}, {1, 2}, {2, 2}};
constexpr int kSym3[10][3] = {{0, 0, 0}, {0, 0, 1}, {0, 0, 2}, {0, 1, 1}, {0, 1, 2},
                              {0, 2, 2}, {1, 1, 1}, {1, 1, 2}, {1, 2, 2}, {2, 2, 2}};

Moments triangle_moments(const std::array<Vec3f, 3>& t, const double o[3]) {
  Moments m;
  double v[3][3], c[3];
  for (int j = 0; j < 3; ++j)
    for (int k = 0; k < 3; ++k) v[j][k] = t[j][k] - o[k];
  for (int k = 0; k < 3; ++k) c[k] = (v[0][k] + v[1][k] + v[2][k]) / 3.0;
  const double e1[3] = {v[1][0] - v[0][0], v[1][1] - v[0][1], v[1][2] - v[0][2]};
  const double e2[3] = {v[2][0] - v[0][0], v[2][1] - v[0][1], v[2][2] - v[0][2]};
  const double an[3] = {0.5 * (e1[1] * e2[2] - e1[2] * e2[1]),
                        0.5 * (e1[2] * e2[0] - e1[0] * e2[2]),
                        0.5 * (e1[0] * e2[1] - e1[1] * e2[0])};
  m.area = std::sqrt(an[0] * an[0] + an[1] * an[1] + an[2] * an[2]);
  double T[6];
  for (int q = 0; q < 6; ++q) {
    const int a = kSym[q][0], b = kSym[q][1];
    T[q] = (v[0][a] * v[0][b] + v[1][a] * v[1][b] + v[2][a] * v[2][b] + 9 * c[a] * c[b]) / 12.0;
  }
  for (int i = 0; i < 3; ++i) {
    m.ac[i] = m.area * c[i];
    m.A[i] = an[i];
    for (int j = 0; j < 3; ++j) m.M[3 * i + j] = an[i] * c[j];
    for (int q = 0; q < 6; ++q) m.P[i][q] = an[i] * T[q];
  }
  return m;
}

}  // namespace

FastWindingNumber::FastWindingNumber(std::shared_ptr<const TriangleBvh> bvh,
                                     const FastWindingNumberOptions& options)
    : bvh_(std::move(bvh)), options_(options) {
  NSDF_CHECK(bvh_ != nullptr, core::ConfigError, "FastWindingNumber: the tree is null");
  NSDF_CHECK(options.order >= 0 && options.order <= 2, core::ConfigError,
             "FastWindingNumber: order = {} is not supported (valid: 0, 1, 2)", options.order);
  NSDF_CHECK(options.beta > 0 && std::isfinite(options.beta), core::ConfigError,
             "FastWindingNumber: beta = {} must be finite and > 0", options.beta);
  const std::vector<BvhWideNode>& wide = bvh_->wide_nodes();
  const std::vector<TrianglePacket>& packets = bvh_->packets();
  const auto& tris = bvh_->triangles();
  const size_t nw = wide.size();
  double o[3];
  {
    const BvhNode& root = bvh_->nodes()[0];
    for (int k = 0; k < 3; ++k) o[k] = 0.5 * (double(root.lo[k]) + root.hi[k]);
  }

  // Moments per lane, bottom-up: wide nodes are in pre-order, so a reverse sweep sees every
  // child node before its parent.
  std::vector<std::array<Moments, 4>> lanes(nw);
  for (size_t wi = nw; wi-- > 0;) {
    const BvhWideNode& n = wide[wi];
    for (int l = 0; l < 4; ++l) {
      Moments& m = lanes[wi][l];
      if (n.child[l] < 0) continue;
      if (n.count[l] > 0) {
        for (int32_t pi = n.child[l]; pi < n.child[l] + (n.count[l] + 3) / 4; ++pi)
          for (const int32_t s : packets[pi].slot) {
            if (s < 0) continue;
            Moments t = triangle_moments(tris[s], o);
            t.first = s;
            t.last = s + 1;
            m.add(t);
          }
      } else {
        for (const Moments& c : lanes[n.child[l]]) m.add(c);
      }
    }
  }

  expansions_.resize(nw);
  const double beta2 = options.beta * options.beta;
  tbb::parallel_for(
      tbb::blocked_range<size_t>(0, nw, 16), [&](const tbb::blocked_range<size_t>& r) {
        for (size_t wi = r.begin(); wi != r.end(); ++wi) {
          WideExpansion& e = expansions_[wi];
          e = WideExpansion{};
          for (int l = 0; l < 4; ++l) {
            const Moments& m = lanes[wi][l];
            const BvhWideNode& n = wide[wi];
            if (n.child[l] < 0) {
              e.far2[l] = std::numeric_limits<float>::infinity();
              continue;
            }
            double p[3];  // relative to o
            for (int k = 0; k < 3; ++k)
              p[k] = m.area > 0 ? m.ac[k] / m.area : 0.5 * (double(n.lo[k][l]) + n.hi[k][l]) - o[k];
            const float pf[3] = {static_cast<float>(p[0] + o[0]), static_cast<float>(p[1] + o[1]),
                                 static_cast<float>(p[2] + o[2])};
            e.cx[l] = pf[0];
            e.cy[l] = pf[1];
            e.cz[l] = pf[2];
            // R_node: the farthest vertex from the centre actually stored (rounded to float), so
            // that "far" stays a sound test of the expansion's validity.
            double r2 = 0;
            for (int32_t s = m.first; s < m.last; ++s)
              for (const Vec3f& v : tris[s]) {
                double d2 = 0;
                for (int k = 0; k < 3; ++k) d2 += (double(v[k]) - pf[k]) * (double(v[k]) - pf[k]);
                r2 = std::max(r2, d2);
              }
            e.far2[l] = static_cast<float>(beta2 * r2 * (1 + 1e-6));
            for (int k = 0; k < 3; ++k) e.A[k][l] = static_cast<float>(m.A[k]);
            // Shift to p: N = M - A p^T;  C_i = P_i - M_i p^T - p M_i^T + A_i p p^T (M_i: row i).
            if (options.order >= 1) {
              double N[3][3];
              for (int i = 0; i < 3; ++i)
                for (int j = 0; j < 3; ++j) N[i][j] = m.M[3 * i + j] - m.A[i] * p[j];
              for (int q = 0; q < 6; ++q) {
                const int a = kSym[q][0], b = kSym[q][1];
                e.N[q][l] = static_cast<float>(a == b ? N[a][a] : N[a][b] + N[b][a]);
              }
              e.trace[l] = static_cast<float>(N[0][0] + N[1][1] + N[2][2]);
            }
            if (options.order >= 2) {
              double C[3][3][3];
              for (int i = 0; i < 3; ++i)
                for (int q = 0; q < 6; ++q) {
                  const int a = kSym[q][0], b = kSym[q][1];
                  C[i][a][b] = C[i][b][a] = m.P[i][q] - m.M[3 * i + a] * p[b] -
                                            p[a] * m.M[3 * i + b] + m.A[i] * p[a] * p[b];
                }
              // sum_ijk r_i r_j r_k C_ijk over the 10 monomials: the sum of C over the index
              // permutations of each (a <= b <= c).
              for (int q = 0; q < 10; ++q) {
                const int a = kSym3[q][0], b = kSym3[q][1], c = kSym3[q][2];
                double sum = 0;
                const int perm[6][3] = {{a, b, c}, {a, c, b}, {b, a, c},
                                        {b, c, a}, {c, a, b}, {c, b, a}};
                // Distinct permutations only: 1, 3 or 6 of them.
                for (int k = 0; k < 6; ++k) {
                  bool repeat = false;
                  for (int j = 0; j < k; ++j)
                    repeat |= perm[j][0] == perm[k][0] && perm[j][1] == perm[k][1] &&
                              perm[j][2] == perm[k][2];
                  if (!repeat) sum += C[perm[k][0]][perm[k][1]][perm[k][2]];
                }
                e.C[q][l] = static_cast<float>(sum);
              }
              for (int k = 0; k < 3; ++k) {
                double sk = C[k][0][0] + C[k][1][1] + C[k][2][2];
                for (int i = 0; i < 3; ++i) sk += 2 * C[i][i][k];
                e.s[k][l] = static_cast<float>(sk);
              }
            }
          }
        }
      });
}

double FastWindingNumber::evaluate(const Vec3f& q) const {
  const BvhWideNode* wide = bvh_->wide_nodes().data();
  const TrianglePacket* packets = bvh_->packets().data();
  const WideExpansion* exps = expansions_.data();
  const int order = options_.order;
  // Both sums are solid angles (steradians); w is their total over 4 pi. The far terms are
  // accumulated lane-wise in float (a few dozen terms: ~1e-6 in w) and added up at the end.
  simd::F4 far_sum(0.0f);  // expansions of far lanes
  double near_sum = 0.0;   // closed-form solid angles of near leaves' triangles
  int32_t stack[4 * kStackSize];
  int sp = 0;
  stack[sp++] = 0;
  const float qx = q[0], qy = q[1], qz = q[2];
  while (sp > 0) {
    const int32_t wi = stack[--sp];
    const WideExpansion& e = exps[wi];
    // The four lanes at once (SIMD); lanes that are near or empty are computed too and then
    // dropped by the mask, which also drops any inf or NaN they produce.
    using simd::F4;
    const F4 rx = F4::load(e.cx) - F4(qx), ry = F4::load(e.cy) - F4(qy),
             rz = F4::load(e.cz) - F4(qz);
    const F4 d2 = rx * rx + ry * ry + rz * rz;
    const simd::M4 far_mask = simd::greater(d2, F4::load(e.far2));
    const int far = simd::bits(far_mask);
    if (far) {
      const F4 inv = F4(1.0f) / simd::sqrt(d2);
      const F4 inv2 = inv * inv;
      const F4 inv3 = inv2 * inv;
      F4 w = (F4::load(e.A[0]) * rx + F4::load(e.A[1]) * ry + F4::load(e.A[2]) * rz) * inv3;
      if (order >= 1) {
        const F4 x = rx, y = ry, z = rz;
        const F4 xx = x * x, xy = x * y, xz = x * z, yy = y * y, yz = y * z, zz = z * z;
        auto N = [&](int k) { return F4::load(e.N[k]); };
        const F4 rNr = N(0) * xx + N(1) * xy + N(2) * xz + N(3) * yy + N(4) * yz + N(5) * zz;
        w = w + (F4::load(e.trace) - F4(3.0f) * rNr * inv2) * inv3;
        if (order >= 2) {
          auto C = [&](int k) { return F4::load(e.C[k]); };
          const F4 rCr =
              (C(0) * xx + C(1) * xy + C(2) * xz + C(3) * yy + C(4) * yz + C(5) * zz) * x +
              (C(6) * yy + C(7) * yz + C(8) * zz) * y + C(9) * zz * z;
          const F4 rs = x * F4::load(e.s[0]) + y * F4::load(e.s[1]) + z * F4::load(e.s[2]);
          w = w + F4(0.5f) * (F4(15.0f) * rCr * inv2 - F4(3.0f) * rs) * inv2 * inv3;
        }
      }
      far_sum = far_sum + simd::keep(w, far_mask);
    }
    const BvhWideNode& n = wide[wi];
    for (int l = 0; l < 4; ++l) {
      if ((far >> l & 1) || n.child[l] < 0) continue;
      if (n.count[l] == 0) {
        stack[sp++] = n.child[l];
        continue;
      }
      for (int32_t pi = n.child[l], end = n.child[l] + (n.count[l] + 3) / 4; pi < end; ++pi)
        near_sum += packet_solid_angle(packets[pi], q);
    }
  }
  return (simd::sum(far_sum) + near_sum) * kInv4Pi;
}

double FastWindingNumber::winding_number(const Vec3f& q) const {
  NSDF_CHECK(finite(q), core::DataError, "FastWindingNumber: query ({}, {}, {}) is not finite",
             q[0], q[1], q[2]);
  return evaluate(q);
}

std::vector<float> FastWindingNumber::winding_numbers(const std::vector<Vec3f>& queries) const {
  for (size_t i = 0; i < queries.size(); ++i)
    NSDF_CHECK(finite(queries[i]), core::DataError,
               "FastWindingNumber: query {} ({}, {}, {}) is not finite", i, queries[i][0],
               queries[i][1], queries[i][2]);
  std::vector<float> out(queries.size());
  for_each_query(queries, [&](size_t i) { out[i] = static_cast<float>(evaluate(queries[i])); });
  return out;
}

}  // namespace nsdf::geometry
