#pragma once
// `scan`: one partial scan of a shape: a raw range scan (PLY, a Stanford range_grid is
// triangulated as Stanford's zipper does) or any partial point cloud nsdf reads (.ply, .xyz,
// .npy, .npz, .obj, .off; geometry/PointInput.h), optionally moved into a common frame by a
// Stanford .conf alignment (the file's "bmesh" line), with the scanner's position when known
// (free-space samples and normal orientation need it).

#include <vector>

#include "data/ObservationSource.h"

namespace nsdf::data {

struct ScanObservationOptions : ObservationCommonOptions {
  core::Path file;
  core::Path alignment;
  std::vector<double> camera;
  int64_t mesh_samples = 100000;
  int64_t seed = 0;

  static void declare(core::OptionSet<ScanObservationOptions>& s);
};

class ScanObservation : public ObservationSource {
 public:
  using Options = ScanObservationOptions;
  static constexpr const char* kDoc =
      "One partial scan or point cloud (PLY range scans, .xyz, .npy, .npz, meshes sampled), "
      "optionally aligned by a Stanford .conf (p' = R(q)^T p + t of the file's bmesh line) and "
      "with the scanner position `camera` (the scan's own coordinates) for free-space samples "
      "and normal orientation.";
  static constexpr const char* kExample = "{file: scan.ply}";

  explicit ScanObservation(const Options& options);
  int64_t size() const override { return 1; }
  ObservedShape load(int64_t i) const override;

 private:
  Options options_;
};

}  // namespace nsdf::data
