#pragma once
// The per-cell case table of marching cubes, built procedurally at first use rather than typed
// in, so that every entry follows one stated rule and the topology is right by construction.
//
// Method. A cube corner is "inside" when its value is below the iso value (a value equal to the
// iso value is outside). On each of the six cube faces the sign changes along the face's edges
// give 0, 2 or 4 crossings; the crossings are joined in pairs by segments. With 2 crossings the
// pairing is forced; with 4 (an ambiguous face, signs alternating around it) it follows the
// asymptotic decider of Nielson and Hamann (1991): the inside corners are connected across the
// face when the bilinear interpolant's saddle is inside, i.e. when the product of the two inside
// values exceeds the product of the two outside values (values taken relative to iso). The
// decision depends only on the face's four values, so the two cells sharing a face draw the same
// segments on it and the surface is watertight. The segments of a cell close into disjoint loops;
// each loop becomes a disk, triangulated without tunnels (the interior ambiguity is always
// resolved the same way: loops are never joined, which is consistent because the interior is not
// shared with any neighbour). A loop is triangulated by dynamic programming over its chords,
// minimising total chord length at edge midpoints, and never using a chord between two crossings
// on the same cube face: such a chord could also appear in the neighbouring cell and make an edge
// shared by four triangles. Some loops of 8 or more crossings have no such triangulation (116
// of the 656 entries, in 24 masks; e.g. classic case 10, inside diagonals on two opposite faces,
// when only one of the two faces connects them); they are fanned around a vertex of their own
// inside the cell, like the extra vertex of MC33 (Chernyaev 1995). Segments are directed so
// that the outside lies to their left seen from outside the cube, which makes triangles
// counter-clockwise seen from the outside (values above iso), i.e. normals point outward for an
// SDF.
//
// Numbering. Corner c sits at offset (c & 1, (c >> 1) & 1, (c >> 2) & 1). Edge e joins corners
// kEdgeCorners[e][0] < kEdgeCorners[e][1] along axis kEdgeAxis[e]; its lower corner is
// kEdgeCorners[e][0]. A case is indexed by the 8-bit inside mask of the corners plus 6 bits, one
// per face, saying whether the inside corners of that face are connected (only read for
// ambiguous faces; 0 for the others).

#include <array>
#include <cstdint>

namespace nsdf::geometry::mc {

inline constexpr int kMaxCaseTriangles = 16;
/// Local vertex ids 0-11 are cube edges; kFirstCenterVertex + n is the n-th vertex a case puts
/// inside the cell.
inline constexpr int kFirstCenterVertex = 12;
inline constexpr int kMaxCenterVertices = 4;
inline constexpr int kNumCases = 256 * 64;

/// Corners joined by each of the 12 cube edges (lower corner first) and the edge's axis.
// clang-format off
inline constexpr std::array<std::array<int, 2>, 12> kEdgeCorners{{
    {0, 1}, {2, 3}, {4, 5}, {6, 7},    // along x
    {0, 2}, {1, 3}, {4, 6}, {5, 7},    // along y
    {0, 4}, {1, 5}, {2, 6}, {3, 7}}};  // along z
// clang-format on
inline constexpr std::array<int, 12> kEdgeAxis{0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2};

/// Triangles of one case as local vertex ids (cube edges, then center vertices),
/// counter-clockwise seen from outside.
struct CaseTriangles {
  int count = 0;
  std::array<std::array<uint8_t, 3>, kMaxCaseTriangles> tris{};
};

struct CubeTables {
  /// Face f (axis f / 2, side f % 2) corners, counter-clockwise seen from outside the cube.
  std::array<std::array<int, 4>, 6> face_corners{};
  /// Per inside mask: bit f set when face f is ambiguous (4 crossings).
  std::array<uint8_t, 256> ambiguous_faces{};
  /// Indexed by inside mask | (connected face bits << 8).
  std::array<CaseTriangles, kNumCases> cases{};
};

/// The tables, built once (thread-safe) on first call.
const CubeTables& cube_tables();

}  // namespace nsdf::geometry::mc
