#pragma once
// Tiny on-disk datasets for the tests of file-backed datasets: each writer puts a few shapes
// into a folder and returns what it wrote together with the dataset's config. A registered
// dataset whose kExample needs files (a real data folder cannot ship with the code) has its
// fixture in dataset_fixtures(), from which the conformance test builds it.

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "geometry/DeepSdfFiles.h"
#include "geometry/DepthViews.h"
#include "geometry/MeshIo.h"
#include "preprocessing/SampleFile.h"
#include "preprocessing/Split.h"
#include "support/PointCloudFixtures.h"

namespace nsdf::test {

/// `n` rows (x, y, z, sdf), distinct for each `seed`, with sdf >= 0 (`positive`) or < 0.
inline std::vector<float> fixture_rows(int64_t n, bool positive, int seed) {
  std::vector<float> rows;
  for (int64_t r = 0; r < n; ++r) {
    const float t = 0.37f * static_cast<float>(seed) + 0.05f * static_cast<float>(r);
    const float sdf = 0.001f * static_cast<float>(r + seed);
    rows.insert(rows.end(),
                {std::sin(t), std::cos(t), 0.5f * std::sin(3 * t), positive ? sdf : -sdf - 0.001f});
  }
  return rows;
}

/// `n` surface points (original units) with unit normals, distinct for each `seed`.
inline geometry::PointCloud fixture_surface(int n, int seed, bool normals) {
  geometry::PointCloud cloud;
  for (int k = 0; k < n; ++k) {
    const float t = 0.11f * static_cast<float>(seed) + 0.3f * static_cast<float>(k);
    cloud.P.push_back({10 * std::cos(t), 10 * std::sin(t), 2.5f + static_cast<float>(seed)});
    if (normals) cloud.N.push_back({std::cos(t), std::sin(t), 0});
  }
  return cloud;
}

/// What write_deepsdf_fixture wrote: DeepSDF's layout under `root` and a split of two classes.
struct DeepSdfFixture {
  std::string root;
  std::string split;
  std::vector<std::string> ids;               ///< in split order
  std::vector<geometry::SdfSamples> samples;  ///< as written, rows whose sdf is NaN included
  std::vector<int64_t> nan_rows;              ///< of those, rows whose sdf is NaN
  std::vector<geometry::Normalization> normalization;  ///< identity: no file written
  std::vector<geometry::PointCloud> surface;           ///< empty: no file written
  std::string config;                                  ///< `{root: ..., split: ...}`
};

/// Writes three shapes in DeepSDF's layout under dir/deepsdf: ShapeNetV2/02691156/plane_b
/// (surface without normals), ShapeNetV2/02691156/plane_a (3 neg rows whose sdf is NaN, surface
/// with normals) and ShapeNetV2/03001627/chair_a (no surface, no normalization file), listed
/// in that order by dir/deepsdf/split.json.
inline DeepSdfFixture write_deepsdf_fixture(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  DeepSdfFixture f;
  const fs::path root = dir / "deepsdf";
  f.root = root.string();
  f.split = (root / "split.json").string();
  const std::vector<std::vector<std::string>> entries = {{"ShapeNetV2", "02691156", "plane_b"},
                                                         {"ShapeNetV2", "02691156", "plane_a"},
                                                         {"ShapeNetV2", "03001627", "chair_a"}};
  const int64_t pos_rows[] = {25, 40, 30};
  const int64_t neg_rows[] = {35, 30, 20};
  for (size_t i = 0; i < entries.size(); ++i) {
    const std::string id = entries[i][0] + "/" + entries[i][1] + "/" + entries[i][2];
    const int seed = static_cast<int>(i) + 1;
    f.ids.push_back(id);
    geometry::SdfSamples s;
    s.pos = fixture_rows(pos_rows[i], true, seed);
    s.neg = fixture_rows(neg_rows[i], false, seed);
    f.nan_rows.push_back(i == 1 ? 3 : 0);
    for (int64_t k = 0; k < f.nan_rows.back(); ++k)
      s.neg[static_cast<size_t>(4 * (5 * k + 2) + 3)] = std::numeric_limits<float>::quiet_NaN();
    const fs::path samples = root / "SdfSamples" / (id + ".npz");
    fs::create_directories(samples.parent_path());
    geometry::write_deepsdf_samples(samples.string(), s);
    f.samples.push_back(s);

    geometry::Normalization n;
    geometry::PointCloud surface;
    if (i < 2) {
      n.offset = {0.25 * seed, -0.5, 0.125};
      n.scale = 0.5 / seed;
      const fs::path norm = root / "NormalizationParameters" / (id + ".npz");
      fs::create_directories(norm.parent_path());
      geometry::write_deepsdf_normalization(norm.string(), n);
      surface = fixture_surface(12, seed, i == 1);
      const fs::path ply = root / "SurfaceSamples" / (id + ".ply");
      fs::create_directories(ply.parent_path());
      geometry::write_point_cloud(surface, ply.string());
    }
    f.normalization.push_back(n);
    f.surface.push_back(surface);
  }
  preprocessing::write_split(f.split, entries);
  f.config = "{root: \"" + f.root + "\", split: \"" + f.split + "\"}";
  return f;
}

/// What write_sample_file_fixture wrote: an nsdf sample file of three shapes and one failure.
struct SampleFileFixture {
  std::string file;
  std::vector<preprocessing::ShapeRecord> shapes;
  std::vector<std::pair<std::string, std::string>> failures;
  std::string config;  ///< `{file: ...}`
};

/// One 8 x 8 depth view from (0, 0, 2.5) towards the origin: a 6 x 6 block of pixels at depth 2
/// (a square facing the camera), the border without a return.
inline preprocessing::ViewRecord fixture_view() {
  const geometry::PinholeCamera camera = geometry::look_at_origin({0, 0, 2.5}, 8, 8, 50);
  preprocessing::ViewRecord v;
  v.width = v.height = 8;
  v.depth.assign(64, 0.0f);
  for (int y = 1; y < 7; ++y)
    for (int x = 1; x < 7; ++x) v.depth[static_cast<size_t>(8 * y + x)] = 2.0f;
  v.intrinsics = camera.intrinsics();
  v.camera_to_world = camera.camera_to_world;
  v.points = geometry::back_project_depth(v.depth, camera);
  v.normals.assign(v.points.size(), geometry::Vec3f{0, 0, 1});
  return v;
}

/// Writes dir/samples.h5 with shapes chairs/c1, chairs/c2 (no surface normals) and tables/t1,
/// and the failure chairs/broken.
inline SampleFileFixture write_sample_file_fixture(const std::filesystem::path& dir) {
  SampleFileFixture f;
  std::filesystem::create_directories(dir);
  f.file = (dir / "samples.h5").string();
  const char* ids[] = {"chairs/c1", "chairs/c2", "tables/t1"};
  for (int i = 0; i < 3; ++i) {
    preprocessing::ShapeRecord s;
    s.id = ids[i];
    s.source_path = std::string("/meshes/") + ids[i] + ".obj";
    s.normalization.offset = {0.5 * i, -0.25, 1.0};
    s.normalization.scale = 0.25 * (i + 1);
    s.pos = fixture_rows(20 + 5 * i, true, i + 10);
    s.neg = fixture_rows(30 - 5 * i, false, i + 10);
    const geometry::PointCloud surface = fixture_surface(10, i, i != 1);
    s.surface_points = surface.P;
    s.surface_normals = surface.N;
    s.views.push_back(fixture_view());
    f.shapes.push_back(s);
  }
  f.failures = {{"chairs/broken", "/meshes/chairs/broken.obj: no faces"}};
  preprocessing::write_sample_file(f.file, {"deepsdf", "samples: 50\n", ""}, f.shapes, f.failures);
  f.config = "{file: \"" + f.file + "\"}";
  return f;
}

/// Writes a tiny dataset into a folder and returns its config (a YAML flow map without `type`).
using DatasetFixture = std::function<std::string(const std::filesystem::path& dir)>;

/// The fixture of each registered dataset whose kExample needs files, by registered name. A
/// new file-backed dataset adds its line here; the conformance test fails for a dataset that
/// has neither a working kExample nor a fixture.
inline const std::map<std::string, DatasetFixture>& dataset_fixtures() {
  static const std::map<std::string, DatasetFixture> fixtures = {
      {"deepsdf",
       [](const std::filesystem::path& dir) { return write_deepsdf_fixture(dir).config; }},
      {"sdf_samples",
       [](const std::filesystem::path& dir) { return write_sample_file_fixture(dir).config; }},
      {"point_clouds",
       [](const std::filesystem::path& dir) { return write_point_clouds_fixture(dir); }},
  };
  return fixtures;
}

}  // namespace nsdf::test
