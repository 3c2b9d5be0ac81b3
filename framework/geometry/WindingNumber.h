#pragma once
// Generalized winding numbers of triangle meshes (Jacobson, Kavan and Sorkine-Hornung 2013,
// "Robust inside-outside segmentation using generalized winding numbers"): for a query q,
//   w(q) = (1 / 4 pi) sum_t Omega_t(q),
// the signed solid angles of the faces seen from q. w is 1 inside and 0 outside a closed,
// consistently outward-oriented surface, -1 inside an inward-oriented one, and varies smoothly
// (near 1/2 at the surface) across holes and through soups, which makes w >= 1/2 a robust
// inside test for imperfect meshes. It assumes consistent face orientation: see OrientFaces.h.
//
// Exact: Omega_t by van Oosterom and Strackee (1983, "The solid angle of a plane triangle"):
//   tan(Omega / 2) = a . (b x c) / (|a||b||c| + (a . b)|c| + (b . c)|a| + (c . a)|b|),
// with a, b, c the vertices relative to q, evaluated in double with atan2 (all quadrants).
// Summing it over all faces costs O(#F) per query: the reference.
//
// Fast (Barill, Dickson, Schmidt, Levin and Jacobson 2018, "Fast winding numbers for soups and
// clouds"): over the nodes of a TriangleBvh, each node stores a Taylor expansion of the
// integrand  n(x) . g(x - q),  g(r) = r / (4 pi |r|^3),  about its area-weighted centroid p.
// With r = p - q, R = |r|, d = x - p and a_t n_t the area-weighted normal of triangle t:
//   order 0 (dipoles):  w ~ g(r) . A,                                A = sum_t a_t n_t
//   order 1:            + (tr N / R^3 - 3 r.N r / R^5) / 4 pi,        N = sum_t a_t n_t (c_t - p)^T
//   order 2:            + (15 sum_i r_i (r.C_i r) / R^7 - 3 r.s / R^5) / 8 pi,
//                         C_i = sum_t (a_t n_t)_i Int_t d d^T dA / a_t,  s_k = 2 sum_i (C_i)_ik
//                         + tr C_k
// (the terms with grad g, grad^2 g and grad^3 g; c_t the centroid; the triangle moments are
// exact: Int_t d d^T dA = a_t / 12 (sum_v d_v d_v^T + 9 d_c d_c^T)). A node is used through its
// expansion when |p - q| > beta * R_node, R_node the largest distance from p to a vertex in the
// node; otherwise its children are visited, and the triangles of near leaves are summed in
// closed form. Order 2 with beta = 2 (Barill et al.'s choice) keeps the error in w around 1e-3
// (our tests assert 1e-2 on adversarial soups) and the cost per query logarithmic in #F away
// from the surface.
//
// Speed: the tree is TriangleBvh's 4-wide one; a node's four expansions are stored as structure
// of arrays (only the symmetric parts of N and C, which are all the terms use) and evaluated
// together in SIMD; near leaves' triangles go through van Oosterom & Strackee four at a time in
// float SIMD with a polynomial atan2 (1.3e-7 rad), so the fast path carries float rounding
// (~1e-6 in w) on top of the expansion error. Batches run in parallel in Morton order.

#include <cstdint>
#include <memory>
#include <vector>

#include "geometry/Mesh.h"
#include "geometry/TriangleBvh.h"

namespace nsdf::geometry {

/// Signed solid angle (steradians, in [-2 pi, 2 pi]) of the triangle (a, b, c) seen from q;
/// positive when q sees the triangle's back (q is on the side opposite to the right-handed
/// normal (b - a) x (c - a)); 0 for degenerate triangles and for q on the triangle's plane
/// outside it.
double triangle_solid_angle(const Vec3f& q, const Vec3f& a, const Vec3f& b, const Vec3f& c);

/// Exact generalized winding number of q with respect to the mesh: the sum of
/// triangle_solid_angle over all faces / (4 pi). O(#F).
/// @param[in] mesh V #V by 3, F #F by 3, #F >= 1, indices in range (DataError otherwise)
double exact_winding_number(const Mesh& mesh, const Vec3f& q);

/// exact_winding_number() of every query, in parallel. O(#Q #F): for reference and tests.
/// @param[in] queries #Q by 3
/// @return #Q winding numbers
std::vector<double> exact_winding_numbers(const Mesh& mesh, const std::vector<Vec3f>& queries);

struct FastWindingNumberOptions {
  /// Taylor order of the expansions, 0 (dipoles), 1 or 2 (Barill et al.'s default): higher is
  /// more accurate at the same beta. ConfigError otherwise.
  int order = 2;
  /// Accuracy: a node is expanded when it is farther than beta times its radius; larger is more
  /// accurate and slower. Finite and > 0 (ConfigError otherwise). Barill et al. use 2.
  double beta = 2.0;
};

/// Hierarchical winding numbers over a TriangleBvh (Barill et al. 2018); see the file comment.
/// The faces' orientation is read from the tree's triangles (their vertex order in F), so orient
/// the mesh consistently before building the tree when it may be flipped (orient_faces).
class FastWindingNumber {
 public:
  /// Precomputes each node's expansion (O(#F log #F)). Shares ownership of the tree, which the
  /// caller may go on using (one tree per mesh serves distances, rays and winding numbers).
  /// @param[in] bvh a built tree, not null (ConfigError otherwise)
  explicit FastWindingNumber(std::shared_ptr<const TriangleBvh> bvh,
                             const FastWindingNumberOptions& options = {});

  /// Approximate winding number of q (DataError when q is not finite).
  double winding_number(const Vec3f& q) const;

  /// winding_number() of every query, in parallel (TBB).
  /// @param[in] queries #Q by 3
  /// @return #Q winding numbers
  std::vector<float> winding_numbers(const std::vector<Vec3f>& queries) const;

  const TriangleBvh& bvh() const { return *bvh_; }
  const FastWindingNumberOptions& options() const { return options_; }

  /// The unchecked query behind winding_number(), for callers that validated q already.
  double evaluate(const Vec3f& q) const;

 private:
  std::shared_ptr<const TriangleBvh> bvh_;
  FastWindingNumberOptions options_;
  // The expansions of the four lanes of each wide node (bvh().wide_nodes()) as structure of
  // arrays, so that one node's lanes are tested and evaluated together in SIMD.
  // Only the symmetric parts of N and C enter the terms (r.N r, sum_ijk r_i r_j r_k C_ijk), so
  // those are stored, each component premultiplied by its multiplicity: 23 floats per lane.
  struct WideExpansion {
    float cx[4], cy[4], cz[4];  ///< centres p
    float far2[4];              ///< (beta R_node)^2; +inf for empty lanes (never far)
    float A[3][4];
    float trace[4];  ///< tr N
    float N[6][4];   ///< sym N: xx, 2xy, 2xz, yy, 2yz, zz
    float s[3][4];
    float C[10][4];  ///< sym C: xxx, 3xxy, 3xxz, 3xyy, 6xyz, 3xzz, yyy, 3yyz, 3yzz, zzz
  };
  std::vector<WideExpansion> expansions_;
};

}  // namespace nsdf::geometry
