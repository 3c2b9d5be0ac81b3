#pragma once
// Consistent outward orientation of a triangle soup, for generalized winding numbers (which
// count a flipped face with the opposite sign) and anything else that needs outward normals.
//
// Method (libigl's bfs_orient + orient_outward, adapted to soups):
// 1. Vertices with bit-identical positions are welded for the adjacency only (V and the faces'
//    indices are not changed), so soups with duplicated vertices (STL-like) still connect.
// 2. Two faces are neighbours across an edge used by exactly two non-degenerate faces (a
//    manifold edge). A breadth-first search per connected component of this graph, in face
//    order, flips each newly reached face so that it traverses the shared edge opposite to its
//    neighbour (the seed face of each component keeps its vertex order for now).
// 3. Each component is then turned over as a whole when it is outward-inverted: when it is
//    closed-ish (at most 10% of its edges are boundary edges) and its signed volume
//    sum_t det(a - o, b - o, c - o) / 6 about its area-weighted centroid o is clearly negative.
//    Otherwise (open patches, single triangles, flat pieces) it keeps the orientation shared by
//    most of its original faces by area.
//
// Non-orientable input: on a Moebius-like component the search meets edges that no choice of
// flips can make consistent; they stay inconsistent (the faces keep the orientation the
// search's spanning tree gave them), are counted in the report, and the component is still
// turned by its volume. The winding number then jumps across the seam those edges form, so
// signs near the seam are unreliable (ray parity does not depend on orientation).
// Non-manifold edges (three or more faces) do not connect faces: pieces meeting only there are
// oriented separately. Components are oriented outward independently, so an inner shell that
// models a cavity (a separate closed component inside another) is turned outward as well and the
// cavity counts as solid; overlapping parts (common in CAD meshes) come out right.

#include <cstdint>
#include <vector>

#include "geometry/Mesh.h"

namespace nsdf::geometry {

struct OrientationReport {
  int64_t components = 0;                 ///< components joined by manifold edges
  int64_t flipped_faces = 0;              ///< faces whose vertex order was reversed
  int64_t inverted_components = 0;        ///< components turned over for negative volume/majority
  int64_t non_orientable_components = 0;  ///< components with inconsistent edges left
  int64_t inconsistent_edges = 0;         ///< manifold edges still traversed twice the same way
};

/// Faces of `mesh` reoriented consistently and outward; see the file comment.
/// A flipped face (a, b, c) becomes (a, c, b): the same vertices, face order kept.
/// @param[in] mesh V #V by 3 (finite), F #F by 3 with indices in [0, #V) (DataError otherwise)
/// @param[out] report optional statistics
/// @return #F by 3 faces
std::vector<Tri> orient_faces(const Mesh& mesh, OrientationReport* report = nullptr);

}  // namespace nsdf::geometry
