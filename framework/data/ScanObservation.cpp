#include "data/ScanObservation.h"

#include <filesystem>

#include "core/Error.h"
#include "core/Log.h"
#include "geometry/PointInput.h"
#include "preprocessing/StanfordSource.h"

namespace nsdf::data {

namespace fs = std::filesystem;

void ScanObservationOptions::declare(core::OptionSet<ScanObservationOptions>& s) {
  using O = ScanObservationOptions;
  s.add("file", &O::file, "the scan or partial point cloud").required();
  s.add("alignment", &O::alignment,
        "a Stanford .conf: the file's 'bmesh' line moves the scan into the common frame");
  s.add("camera", &O::camera,
        "the scanner's position in the scan's own coordinates (before alignment); empty: "
        "unknown (no free-space samples; normals as the file gives them, else estimated and "
        "oriented outward)")
      .check([](const std::vector<double>& v) {
        return v.empty() || v.size() == 3 ? std::string() : "must be empty or 3 numbers";
      }, "empty or 3 numbers");
  s.add("mesh_samples", &O::mesh_samples,
        "points drawn from a file with faces (a triangulated range grid, a mesh)")
      .positive();
  s.add("seed", &O::seed, "seed of those samples").non_negative();
  declare_observation_common(s);
}

ScanObservation::ScanObservation(const Options& options) : options_(options) {
  (void)given_frame(options_);
}

ObservedShape ScanObservation::load(int64_t) const {
  const std::string path = options_.file.str();
  geometry::InputPoints in =
      geometry::read_input_points(path, options_.mesh_samples, static_cast<uint64_t>(options_.seed));
  if (in.dropped_rows > 0)
    core::log::warn("{}: {} rows with a non-finite value dropped", path, in.dropped_rows);
  geometry::ObservedView view;
  view.points = std::move(in.cloud.P);
  view.normals = std::move(in.cloud.N);
  if (!options_.camera.empty())
    view.camera = std::array<double, 3>{options_.camera[0], options_.camera[1], options_.camera[2]};
  if (!options_.alignment.empty()) {
    const std::string name = fs::path(path).filename().string();
    const auto lines = preprocessing::read_stanford_conf(options_.alignment.str());
    const preprocessing::StanfordAlignment* found = preprocessing::find_alignment(lines, name);
    NSDF_CHECK(found, core::DataError, "{}: no 'bmesh {} ...' line aligns the scan {}",
               options_.alignment.str(), name, path);
    preprocessing::align_points(*found, view.points, view.normals);
    if (view.camera) view.camera = preprocessing::align_point(*found, *view.camera);
  }
  ObservedShape out;
  out.id = options_.id.empty() ? fs::path(path).stem().string() : options_.id;
  out.observation.views.push_back(std::move(view));
  out.frame = given_frame(options_);
  out.ground_truth = read_ground_truth(options_, static_cast<uint64_t>(options_.seed));
  return out;
}

}  // namespace nsdf::data
