#pragma once
// `point_clouds`: oriented point clouds, one per shape, the data of IGR's shape spaces (Gropp et
// al. 2020, Sec. 5: a shape space of D-Faust humans learned from surface points and normals with
// the igr loss). load(i) gives the shape's points [M, 3] and unit normals [M, 3] in its
// normalized frame; surface(i) a subset of them in original units, for evaluation.
//
// Three sources, one option set (kDoc names the formats): IGR's D-Faust frames (.npy, N x 6),
// a folder of meshes (sampled) or point files (read as they are), listed by a split or found by
// a scan (data/PointCloudListing.h), or the surface points of an nsdf sample file.
//
// Reading is deterministic: a mesh is sampled with a seed made from `seed` and the shape's id,
// so load(i) gives the same points every time (BatchLoader streams shapes when they exceed the
// RAM budget and reads each shape once when they fit). Each shape's normalization is computed
// when the shape is first read and kept.

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/Options.h"
#include "data/Dataset.h"
#include "data/PointCloudListing.h"

namespace nsdf::preprocessing {
class SampleFile;
}  // namespace nsdf::preprocessing

namespace nsdf::data {

struct PointCloudDatasetOptions : LoadingOptions {
  std::string layout = "auto";
  core::Path root;
  core::Path split;
  core::Path file;
  std::vector<std::string> extensions{"obj", "ply", "off", "xyz", "npy", "npz"};
  int64_t points_per_shape = 250000;  // IGR's D-Faust frames hold 250k points
  std::string normalize = "center";
  double scale = 1.0;
  int64_t eval_points = 30000;  // DeepSDF's and IGR's evaluation point count
  int64_t seed = 0;

  static void declare(core::OptionSet<PointCloudDatasetOptions>& s);
};

class PointCloudDataset : public ShapeDataset {
 public:
  using Options = PointCloudDatasetOptions;
  static constexpr const char* kDoc =
      "Oriented point clouds, one per shape, for IGR's shape spaces (Gropp et al. 2020, Sec. 5; "
      "the igr loss): each shape's surface points and unit normals in its normalized frame. "
      "Sources: (1) IGR's D-Faust layout <root>/<subject>/<sequence>/<shape>.npy (N x 6 float64 "
      "or float32: x y z nx ny nz) listed by IGR's split {\"scans\": {\"<subject>\": "
      "{\"<sequence>\": [\"<shape>\", ...]}}} (id scans/<subject>/<sequence>/<shape>); (2) a "
      "folder of meshes (.obj .ply .off: points_per_shape area-weighted surface points with face "
      "normals, seeded by seed and the shape id) and point files (.ply .xyz, .npy/.npz N x 3 or "
      "N x 6: read as they are, normals when present), listed by a DeepSDF split "
      "{\"<dataset>\": {\"<class>\": [\"<instance>\", ...]}} (<root>/<class>/<instance>.<ext>), "
      "a two-level split {\"<name>\": [\"<instance>\", ...]} (<root>/<instance>.<ext>; ids are "
      "the split entries joined with '/'), or every such file under root (id: the relative path "
      "without extension); (3) `file`, an nsdf sample file (HDF5, nsdf preprocess): its "
      "surface_points and surface_normals, mapped by each shape's stored normalization into the "
      "frame of its SDF samples (`normalize` does not apply; `scale` does). layout auto picks "
      "the sample file when `file` is set, dfaust for a 4-level split or a tree of "
      "<subject>/<sequence>/*.npy, else folder. Each shape is normalized by `normalize` (center: "
      "IGR's D-Faust data, the mean point to the origin and no scaling, so bodies keep their "
      "relative sizes; unit_sphere: DeepSDF, bounding-box centre, farthest point at 1/1.03; bbox: "
      "longest side to [-1, 1]; none), then multiplied by `scale`. Rows with non-finite values "
      "or zero normals are dropped with a warning; normals are scaled to unit length; a shape "
      "needs at least 100 points.";
  static constexpr const char* kExample = "{root: meshes, points_per_shape: 2000}";

  /// Lists the shapes and checks that their files exist (reads none of them, except the
  /// sample file's index). Throws IoError / DataError naming the folder, split or file.
  explicit PointCloudDataset(const Options& options);
  ~PointCloudDataset() override;

  int64_t size() const override { return static_cast<int64_t>(shapes_.size()); }
  std::string shape_id(int64_t i) const override { return shapes_.at(i).id; }
  SampleKind kind() const override { return SampleKind::OrientedPoints; }
  ShapeData load(int64_t i) const override;
  /// An upper bound without reading the file: a mesh gives points_per_shape x 24 bytes, a point
  /// file its file size (float32 N x 6 rows: exact; float64 and text: more), a sample file 24
  /// bytes per stored surface point.
  int64_t bytes(int64_t i) const override;
  /// The shape's `normalize` transform times `scale` (reads the shape when it was not read yet).
  geometry::Normalization normalization(int64_t i) const override;
  /// At most eval_points of the shape's points (evenly spaced in file order), original units.
  geometry::PointCloud surface(int64_t i) const override;
  LoadingOptions loading() const override { return options_; }

  /// "dfaust", "folder" or "sample_file".
  const std::string& layout() const { return layout_; }
  /// Where shape i is read from: a file, or "<file>: /shapes/<id>" in a sample file.
  const std::string& source(int64_t i) const { return shapes_.at(i).path; }

 private:
  struct Cloud {
    geometry::PointCloud points;  // original units
    geometry::Normalization normalization;
  };
  Cloud read(int64_t i) const;

  Options options_;
  std::string layout_;
  std::vector<ListedCloud> shapes_;
  std::shared_ptr<const preprocessing::SampleFile> sample_file_;
  std::vector<int64_t> sample_file_bytes_;
  mutable std::mutex mutex_;  // guards the two vectors below
  mutable std::vector<std::optional<geometry::Normalization>> normalizations_;
  mutable std::vector<char> warned_;  // a shape's dropped rows are reported once
};

}  // namespace nsdf::data
