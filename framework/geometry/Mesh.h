#pragma once
// Plain geometry data: triangle meshes and point clouds as flat arrays, the way libigl passes
// V (#V by 3) and F (#F by 3). No LibTorch here: geometry code compiles fast and stands alone.

#include <array>
#include <cstdint>
#include <vector>

namespace nsdf::geometry {

using Vec3f = std::array<float, 3>;
using Tri = std::array<int32_t, 3>;

/// A triangle mesh: V #V by 3 vertex positions, F #F by 3 vertex indices (counter-clockwise
/// seen from outside), N optional per-vertex normals (empty or #V by 3).
struct Mesh {
  std::vector<Vec3f> V;
  std::vector<Tri> F;
  std::vector<Vec3f> N;
};

/// A point cloud: P #P by 3 positions, N optional normals (empty or #P by 3).
struct PointCloud {
  std::vector<Vec3f> P;
  std::vector<Vec3f> N;
};

}  // namespace nsdf::geometry
