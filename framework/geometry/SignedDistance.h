#pragma once
// Signed distances from points to a triangle mesh, for SDF samples (DeepSDF-style
// preprocessing), evaluation against ground truth and anything that needs inside/outside.
// Negative inside, positive outside.
//
// Method: |d| is the exact distance to the nearest face (TriangleBvh, double-precision
// point-triangle distances). The sign comes from one of:
// - WindingNumber (default): inside when the generalized winding number w(q) >= 1/2
//   (Jacobson et al. 2013), computed hierarchically (Barill et al. 2018, FastWindingNumber)
//   over the same tree. Robust to holes, gaps, self-intersections and soups: w degrades
//   smoothly, so only points near a defect (within a few times its size) can get a wrong sign.
// - RayParity: inside when most of `parity_rays` rays in random directions cross the surface an
//   odd number of times (each ray counts every crossing). Needs no orientation, but a hole
//   on a ray's path flips that ray's vote and rays through edges may miscount, hence the vote.
// Winding numbers need consistently oriented faces; by default the faces are first reoriented
// with orient_faces (see OrientFaces.h, including what happens to non-orientable input). Points
// on the surface get distance 0 whatever their sign.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "geometry/Mesh.h"
#include "geometry/OrientFaces.h"
#include "geometry/TriangleBvh.h"
#include "geometry/WindingNumber.h"

namespace nsdf::geometry {

enum class SignMethod { WindingNumber, RayParity };

/// Names used in configs: "winding_number", "ray_parity".
const std::vector<std::string>& sign_method_names();
/// Throws ConfigError naming the valid choices for an unknown name.
SignMethod parse_sign_method(const std::string& name);
std::string to_string(SignMethod method);

struct SignedDistanceOptions {
  /// How inside is decided.
  SignMethod sign_method = SignMethod::WindingNumber;
  /// Reorient the faces consistently and outward (orient_faces) before building the tree.
  /// Turn off only for meshes known to be consistently outward-oriented (saves the O(#F log #F)
  /// pass); ray parity ignores orientation either way.
  bool orient = true;
  /// Fast winding number accuracy (order 1 or 2, beta > 0).
  FastWindingNumberOptions winding;
  /// Rays per query for RayParity, odd and >= 1 (ConfigError otherwise).
  int parity_rays = 5;
  /// Seed of the ray directions (RayParity); the directions of a query depend only on the seed
  /// and the query's coordinates, so results do not depend on batching or threads.
  uint64_t seed = 0;
  /// Tree parameters.
  BvhOptions bvh;
};

/// A mesh prepared for signed-distance queries: one TriangleBvh serves the distances and the
/// winding numbers (or ray parity).
class SignedDistance {
 public:
  /// Orients (option), builds the tree and, for WindingNumber, the expansions.
  /// @param[in] mesh V #V by 3 finite, F #F by 3, #F >= 1, indices in range: DataError
  ///   otherwise, naming the face or vertex. Options are checked (ConfigError).
  explicit SignedDistance(const Mesh& mesh, const SignedDistanceOptions& options = {});

  /// Signed distance of q (DataError when q is not finite).
  float signed_distance(const Vec3f& q) const;

  /// Whether q is inside, by the chosen sign method.
  bool inside(const Vec3f& q) const;

  /// signed_distance() of every query, in parallel (TBB, Morton-ordered batches).
  /// @param[in] queries #Q by 3 finite points (DataError naming the first bad one otherwise)
  /// @param[out] faces optional: #Q index of the nearest face in the mesh's F
  /// @return #Q signed distances
  std::vector<float> signed_distances(const std::vector<Vec3f>& queries,
                                      std::vector<int32_t>* faces = nullptr) const;

  /// The tree (over the reoriented faces when `orient` is on; face indices are the mesh's).
  const TriangleBvh& bvh() const { return *bvh_; }
  std::shared_ptr<const TriangleBvh> shared_bvh() const { return bvh_; }
  /// What orient_faces did (all zero when `orient` is off).
  const OrientationReport& orientation() const { return orientation_; }
  const SignedDistanceOptions& options() const { return options_; }

 private:
  bool inside_unchecked(const Vec3f& q) const;

  SignedDistanceOptions options_;
  OrientationReport orientation_;
  std::shared_ptr<const TriangleBvh> bvh_;
  std::unique_ptr<FastWindingNumber> winding_;
};

/// One-shot: SignedDistance(mesh, options).signed_distances(queries).
std::vector<float> signed_distances(const Mesh& mesh, const std::vector<Vec3f>& queries,
                                    const SignedDistanceOptions& options = {});

}  // namespace nsdf::geometry
