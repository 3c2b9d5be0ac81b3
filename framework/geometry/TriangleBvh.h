#pragma once
// A bounding volume hierarchy over the triangles of a mesh, for exact closest-point queries
// (unsigned distances to a surface), first ray hits (depth rendering), ray crossing counts
// (parity signs) and, through FastWindingNumber, hierarchical winding numbers.
//
// Method: a binary tree built top-down with the binned surface area heuristic (Wald 2007, "On
// fast construction of SAH-based bounding volume hierarchies": triangle centroids binned along
// each axis, the split minimising area(L) n(L) + area(R) n(R); large subtrees are built in
// parallel), stored as a flat array in depth-first order (a node's first child follows it),
// leaves of up to 4 triangles. Rays walk that binary tree. Closest points and winding numbers
// walk a 4-wide copy of it (every other level folded in, child boxes as structure of arrays, so
// a node's four box tests are one SIMD sequence), whose leaves hold their triangles in packets
// of four, also as structure of arrays. A closest-point query descends nearer children first,
// prunes with the best distance so far, and tests each leaf's four triangles at once with a
// float estimate before computing the exact distance of the few that may win. Batches run in
// parallel (TBB) in Morton order, each query starting from the bound its predecessor's nearest
// point gives, so far points and near points alike touch few leaves.
//
// Exactness: closest points use Ericson's region test ("Real-Time Collision Detection",
// Sec. 5.1.5) and rays Moller-Trumbore, both evaluated in double on the float vertices. Boxes
// are tested in float with distances rounded down by more than their rounding error, and the
// float triangle estimates only skip triangles that are farther than the best so far by more
// than their error allowance (3e-5 times the magnitude of the coordinates), so no triangle
// that could win is ever skipped: the answers equal an exhaustive loop over all triangles with
// the same primitive (ties: the lowest face index), whatever the batch, order or thread count.
// Degenerate triangles (repeated or collinear vertices) are kept and behave as the segments or
// points they are (they can be nearest, a ray never hits them); duplicate vertices and
// non-manifold soups need nothing special, the tree only sees triangles.

#include <array>
#include <cstdint>
#include <limits>
#include <vector>

#include "geometry/Mesh.h"
#include "geometry/QueryOrder.h"

namespace nsdf::geometry {

/// The nearest point of a surface to a query.
struct ClosestPoint {
  /// Euclidean distance (not squared); infinity when no triangle lies within the search radius.
  float distance = std::numeric_limits<float>::infinity();
  /// Index of the nearest face in the mesh's F; -1 when none was found.
  int32_t triangle = -1;
  /// The nearest point on that face.
  Vec3f point{0.0f, 0.0f, 0.0f};
};

/// The first intersection of a ray with a surface.
struct RayHit {
  /// Ray parameter of the hit (point = origin + t * direction); infinity when nothing was hit.
  float t = std::numeric_limits<float>::infinity();
  /// Index of the face hit in the mesh's F; -1 when nothing was hit.
  int32_t triangle = -1;
  /// Barycentric coordinates of the hit in F's vertex order (a, b, c):
  /// point = (1 - u - v) a + u b + v c.
  float u = 0.0f;
  float v = 0.0f;
};

/// Nearest point of the triangle (a, b, c) to p (Ericson's closest-point-on-triangle), exact in
/// double. Degenerate triangles are handled as the segment or point they are.
/// @param[in] p query point
/// @param[in] a, b, c triangle vertices
/// @param[out] closest the nearest point of the triangle to p
/// @return squared distance from p to the triangle
double closest_point_on_triangle(const std::array<double, 3>& p, const std::array<double, 3>& a,
                                 const std::array<double, 3>& b, const std::array<double, 3>& c,
                                 std::array<double, 3>& closest);

/// An upper bound of the squared distance from q to a surface that contains `on_surface`, a
/// point computed to lie on it (such as a nearest point returned by squared_distance()),
/// widened for that point's rounding: a sound `bound2` for a query near the one it came from.
double squared_distance_bound(const Vec3f& q, const std::array<double, 3>& on_surface);

/// Intersection of the ray origin + t * direction, t in [t_min, t_max], with the triangle
/// (a, b, c), both sides (Moller-Trumbore in double). Degenerate triangles are never hit; a ray
/// in the triangle's plane does not hit it either.
/// @param[out] t, u, v ray parameter and barycentrics (point = (1 - u - v) a + u b + v c),
///   written only on a hit
/// @return whether the ray hits the triangle
bool intersect_ray_triangle(const Vec3f& origin, const Vec3f& direction, const Vec3f& a,
                            const Vec3f& b, const Vec3f& c, float t_min, float t_max, double& t,
                            double& u, double& v);

/// One node of the flat tree (32 bytes). Inner nodes have count == 0, their first child at the
/// next index and their second child at `offset`; leaves have count >= 1 triangles starting at
/// `offset` in triangles() / triangle_ids().
struct BvhNode {
  Vec3f lo;
  int32_t offset;
  Vec3f hi;
  int32_t count;

  bool is_leaf() const { return count > 0; }
};

/// A node of the 4-wide tree that closest-point queries and FastWindingNumber traverse: the
/// binary tree with every other level folded in (up to four children per node, the binary node
/// with the largest box split first), child boxes stored as structure of arrays so that the four
/// box tests of a node compile to one SIMD sequence. Nodes are in pre-order (children after
/// their parent). A lane is a leaf of count > 0 triangles, held by the packets
/// packets()[child, child + (count + 3) / 4); an inner node when count == 0 and child >= 0
/// (child indexes wide_nodes()); empty when child == -1 (its box is empty: lo = +inf,
/// hi = -inf).
struct BvhWideNode {
  float lo[3][4];  ///< lo[axis][lane]
  float hi[3][4];  ///< hi[axis][lane]
  int32_t child[4];
  int32_t count[4];
};

/// Up to four triangles of a leaf as structure of arrays, so that a leaf's distances are
/// estimated in one SIMD pass before the exact test: v[vertex][axis][lane]. slot[lane] indexes
/// triangles() / triangle_ids(); padding lanes have slot -1 and repeat lane 0's vertices.
struct TrianglePacket {
  float v[3][3][4];
  int32_t slot[4];
};

/// Build parameters.
struct BvhOptions {
  /// Leaves hold at most this many triangles (>= 1).
  int max_leaf_size = 4;
  /// SAH bins per axis, in [2, 64].
  int bins = 16;
};

class TriangleBvh {
 public:
  /// Builds the tree over the faces of `mesh` (vertex positions are copied: the tree does not
  /// refer to the mesh afterwards). Faces keep their index in F and their vertex order.
  /// @param[in] mesh V #V by 3, F #F by 3 with #F >= 1 and every index in [0, #V); the vertices
  ///   referenced by faces must be finite. Throws DataError naming the face, index or vertex
  ///   otherwise, ConfigError for bad options.
  explicit TriangleBvh(const Mesh& mesh, const BvhOptions& options = {});

  /// Number of triangles (#F).
  int64_t size() const { return static_cast<int64_t>(triangles_.size()); }
  /// The nodes of the binary tree, root first, depth-first (rays traverse it).
  const std::vector<BvhNode>& nodes() const { return nodes_; }
  /// The 4-wide tree over the same leaves, root first (closest points, winding numbers).
  const std::vector<BvhWideNode>& wide_nodes() const { return wide_; }
  /// The leaves' triangles in packets of four, in leaf order (see BvhWideNode).
  const std::vector<TrianglePacket>& packets() const { return packets_; }
  /// The triangles' vertices (a, b, c in F's order) in leaf order: leaf triangles are
  /// triangles()[offset, offset + count).
  const std::vector<std::array<Vec3f, 3>>& triangles() const { return triangles_; }
  /// For each entry of triangles(), its face index in the mesh's F.
  const std::vector<int32_t>& triangle_ids() const { return triangle_ids_; }
  /// Depth of the deepest leaf (the root has depth 0).
  int depth() const { return depth_; }

  /// The nearest point of the surface to q within max_distance (inclusive); triangle = -1 and
  /// distance = infinity when no face is that near. Ties go to the lowest face index.
  /// @param[in] q finite query point (DataError otherwise)
  /// @param[in] max_distance search radius, >= 0 or infinity (ConfigError otherwise); a small
  ///   radius makes the query cheaper (a narrow band)
  ClosestPoint closest_point(const Vec3f& q,
                             float max_distance = std::numeric_limits<float>::infinity()) const;

  /// closest_point() of every query, in parallel (TBB); equal to calling it one by one.
  /// @param[in] queries #Q by 3
  /// @return #Q results
  std::vector<ClosestPoint> closest_points(
      const std::vector<Vec3f>& queries,
      float max_distance = std::numeric_limits<float>::infinity()) const;

  /// Unsigned distances of every query, in parallel: closest_points() without the points.
  /// @param[in] queries #Q by 3
  /// @param[out] faces optional: #Q nearest face indices
  /// @return #Q distances
  std::vector<float> distances(const std::vector<Vec3f>& queries,
                               std::vector<int32_t>* faces = nullptr) const;

  /// The unchecked core of closest_point(), for callers that validated q: the squared distance
  /// from q to the nearest face within sqrt(bound2) (inclusive), that face's index and, when
  /// `point` is given, the nearest point (in double); or bound2 and face = -1 when no face is
  /// that near. A good upper bound (the distance to any point known to lie on the surface, such
  /// as a nearby query's nearest point) makes the search cheaper without changing its result;
  /// it must not be below the true value when a face is wanted.
  double squared_distance(const Vec3f& q, int32_t& face,
                          double bound2 = std::numeric_limits<double>::infinity(),
                          std::array<double, 3>* point = nullptr) const;

  /// squared_distance() of every query, in parallel: calls visit(i, d2, face) once for each i
  /// in [0, #Q), concurrently for different i. The queries run in Morton order, each search
  /// bounded from the start by the nearest point of the query before it (squared_distance_bound),
  /// which prunes most of the tree and does not change the results. The queries must be finite
  /// (unchecked, so that callers check them with their own messages).
  /// @param[in] queries #Q by 3
  template <class Visit>
  void for_each_squared_distance(const std::vector<Vec3f>& queries, Visit&& visit) const;

  /// The first hit of the ray origin + t * direction with t in [t_min, t_max]; the direction
  /// need not be unit (t is then in its units) but must not be zero. Ties in t go to the lowest
  /// face index. Throws DataError for a non-finite origin or a zero / non-finite direction.
  RayHit intersect(const Vec3f& origin, const Vec3f& direction, float t_min = 0.0f,
                   float t_max = std::numeric_limits<float>::infinity()) const;

  /// intersect() of every ray, in parallel.
  /// @param[in] origins #R by 3
  /// @param[in] directions #R by 3 (DataError when the sizes differ)
  /// @return #R hits
  std::vector<RayHit> intersect_all(const std::vector<Vec3f>& origins,
                                    const std::vector<Vec3f>& directions, float t_min = 0.0f,
                                    float t_max = std::numeric_limits<float>::infinity()) const;

  /// Number of faces the ray origin + t * direction, t > t_min, crosses (every hit, not only the
  /// first): odd means origin is inside a closed surface. A ray through an edge or vertex may
  /// count a crossing twice or not at all; vote over several directions for robustness.
  int count_crossings(const Vec3f& origin, const Vec3f& direction, float t_min = 0.0f) const;

 private:
  void closest_impl(const Vec3f& q, double& best_d2, int32_t& best_slot,
                    std::array<double, 3>* best_point) const;

  std::vector<BvhNode> nodes_;
  std::vector<BvhWideNode> wide_;
  std::vector<TrianglePacket> packets_;
  // Absolute error allowance of the float distance estimates: 3e-5 times the largest vertex
  // coordinate (queries add their own magnitude); see packet_candidates.
  float filter_scale_ = 0.0f;
  std::vector<std::array<Vec3f, 3>> triangles_;
  std::vector<int32_t> triangle_ids_;
  int depth_ = 0;
};

template <class Visit>
void TriangleBvh::for_each_squared_distance(const std::vector<Vec3f>& queries,
                                            Visit&& visit) const {
  for_each_query_block(queries, [&](const uint32_t* order, size_t n) {
    // Consecutive queries are near each other (Morton order): the previous query's nearest
    // point bounds this one's distance from the start, which prunes most of the tree at once.
    std::array<double, 3> last{0, 0, 0};
    for (size_t j = 0; j < n; ++j) {
      const uint32_t i = order[j];
      if (j + 1 < n) prefetch(&queries[order[j + 1]]);
      int32_t face;
      const double bound = j > 0 ? squared_distance_bound(queries[i], last)
                                 : std::numeric_limits<double>::infinity();
      const double d2 = squared_distance(queries[i], face, bound, &last);
      visit(static_cast<size_t>(i), d2, face);
    }
  });
}

}  // namespace nsdf::geometry
