#pragma once
// A tiny `point_clouds` dataset written to disk, for tests that build every registered dataset
// from a config (tests/experiments/ConformanceTest.cpp): a folder of three meshes, two
// icospheres and a torus, in three formats.

#include <filesystem>
#include <string>

#include "geometry/Mesh.h"
#include "geometry/MeshIo.h"
#include "geometry/TestMeshes.h"

namespace nsdf::test {

/// Writes the meshes under dir/point_clouds and returns the dataset's config (a YAML flow map).
inline std::string write_point_clouds_fixture(const std::filesystem::path& dir) {
  namespace tm = geometry::test_meshes;
  const std::filesystem::path root = dir / "point_clouds";
  std::filesystem::create_directories(root / "rings");
  geometry::write_mesh(tm::icosphere(0.5, 2), (root / "small_sphere.ply").string());
  geometry::write_mesh(tm::icosphere(0.8, 2), (root / "large_sphere.off").string());
  geometry::write_mesh(tm::torus_mesh(0.5, 0.2, 24, 12), (root / "rings" / "torus.obj").string());
  return "{type: point_clouds, root: '" + root.generic_string() + "', points_per_shape: 500}";
}

}  // namespace nsdf::test
