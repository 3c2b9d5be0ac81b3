#pragma once
// Observations for shape completion (registry family "observation"): what a sensor saw of each
// shape to complete, read from files. `complete` also takes the depth views a sample file holds
// (its data section with experiment.views); these sources cover everything else: depth images
// with their intrinsics and pose (`depth`) and raw range scans or partial point clouds (`scan`).
// Plain C++, no LibTorch.
//
// The frame problem (DeepSDF issues #9, #16, #67, #83, #105): a shape space only knows shapes in
// its own normalized frame, so an observation must be mapped there: normalized = (x + offset) *
// scale. Views of a preprocessed test shape come with the shape's normalization; a file-based
// observation may give it (`offset`, `scale`); otherwise it is unknown, and normalizing the
// partial cloud by its own extent puts it in a wrong frame (a half-seen chair is smaller and
// off-centre). `complete` then starts from that guess and optimizes a scale and translation
// jointly with the code (experiment.similarity).

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/Options.h"
#include "core/Registry.h"
#include "geometry/Mesh.h"
#include "geometry/Normalization.h"
#include "geometry/Observation.h"

namespace nsdf::data {

/// One shape to complete.
struct ObservedShape {
  /// Names the code, the mesh and the metrics row.
  std::string id;
  /// The views, in the observation's own frame ("original units").
  geometry::Observation observation;
  /// observation frame -> the shape space's normalized frame, when known.
  std::optional<geometry::Normalization> frame;
  /// The complete shape's surface points (normals when known), in the observation's frame;
  /// empty when there is none.
  geometry::PointCloud ground_truth;
};

class ObservationSource {
 public:
  virtual ~ObservationSource() = default;
  virtual int64_t size() const = 0;
  /// Reads observation i. Throws IoError / DataError naming the file and the problem.
  virtual ObservedShape load(int64_t i) const = 0;
};

using ObservationRegistry = core::Registry<ObservationSource>;

/// Registers the built-in observation sources (depth, scan).
void register_builtin_observations(ObservationRegistry& registry);

/// The options every file-based observation has: its id, a known frame, a ground truth.
struct ObservationCommonOptions {
  std::string id;
  std::vector<double> offset;
  double scale = 0;
  core::Path ground_truth;
  int64_t ground_truth_points = 30000;
};
template <class O>
void declare_observation_common(core::OptionSet<O>& s) {
  using C = ObservationCommonOptions;
  s.add("id", &C::id, "the shape id naming its code, mesh and metrics row (default: file stem)");
  s.add("offset", &C::offset,
        "known frame: normalized = (x + offset) * scale maps the observation into the shape "
        "space's frame (e.g. the normalization_offset of the shape's sample file); empty: "
        "unknown")
      .check([](const std::vector<double>& v) {
        return v.empty() || v.size() == 3 ? std::string() : "must be empty or 3 numbers";
      }, "empty or 3 numbers");
  s.add("scale", &C::scale, "known frame: the scale of that map (0: unknown)").non_negative();
  s.add("ground_truth", &C::ground_truth,
        "the complete shape in the observation's frame (a mesh, sampled, or points) for the "
        "evaluators (optional)");
  s.add("ground_truth_points", &C::ground_truth_points,
        "points sampled on a ground-truth mesh")
      .positive();
}

/// The known frame of `o`, if it gives one (ConfigError when only one of offset and scale is).
std::optional<geometry::Normalization> given_frame(const ObservationCommonOptions& o);
/// The ground truth of `o` (empty without one).
geometry::PointCloud read_ground_truth(const ObservationCommonOptions& o, uint64_t seed);

/// A rows x cols matrix from a .npy file or a text file of whitespace-separated numbers (row
/// major); `what` names it in errors (DataError for the wrong shape or a non-finite value).
std::vector<double> read_matrix(const std::string& path, int rows, int cols,
                                const std::string& what);

}  // namespace nsdf::data
