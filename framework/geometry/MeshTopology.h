#pragma once
// Combinatorial checks of triangle meshes (is it closed, manifold, consistently oriented, how
// many pieces) and connected components, for validating extracted surfaces and cleaning them.
//
// Method: edges are counted by sorting each face's three directed half-edges by their undirected
// key; an edge with one face is a boundary edge, with more than two non-manifold, and the
// orientation is consistent when no directed half-edge occurs twice (two faces sharing an edge
// traverse it in opposite directions). A vertex is manifold when the faces around it form one
// fan: the edges opposite the vertex in its faces make a connected link. Components join faces
// that share a vertex (union-find), numbered in order of their first face.

#include <cstdint>
#include <vector>

#include "geometry/Mesh.h"

namespace nsdf::geometry {

struct TopologyReport {
  int64_t boundary_edges = 0;          ///< edges used by exactly one face
  int64_t non_manifold_edges = 0;      ///< edges used by more than two faces
  int64_t components = 0;              ///< connected components of faces (shared vertices join)
  int64_t euler = 0;                   ///< V - E + F, V counting referenced vertices only
  bool watertight = false;             ///< no boundary and no non-manifold edge
  bool consistently_oriented = false;  ///< no directed half-edge used twice
  int64_t non_manifold_vertices = 0;   ///< vertices whose faces form more than one fan
  int64_t degenerate_faces = 0;        ///< faces with a repeated vertex index
};

/// Edge, vertex, orientation and component statistics of a mesh.
/// @param[in] mesh V #V by 3, F #F by 3 (indices must be in range)
TopologyReport analyze_topology(const Mesh& mesh);

/// Component id of each face (#F), 0-based in order of first face; faces sharing a vertex are in
/// the same component.
std::vector<int> connected_components(const Mesh& mesh);

/// The component with the most faces (ties: the lowest id), its vertices kept in their order and
/// unreferenced vertices dropped (N, when present, follows V).
Mesh largest_component(const Mesh& mesh);

}  // namespace nsdf::geometry
