#pragma once
// `nsdf preprocess CONFIG`: a source's shapes -> one HDF5 sample file (SampleFile.h), in
// parallel over meshes and inside each (TBB), with progress and ETA, resumable, and going on when
// a mesh is bad.
//
// Config (every key but output and source has DeepSDF's default):
//   preprocess:
//     output: data/chairs_train.h5        # the sample file (relative to this config file)
//     source: {type: shapenet, root: ..., split: ../splits/sv2_chairs_train.json}
//     preset: train                       # train | test (DeepSDF's test variances and count)
//     samples: 500000
//     variances: [0.005, 0.0005]
//     uniform_fraction: 0.06
//     buffer: 1.03
//     surface_points: 30000
//     sign_method: winding_number         # | ray_parity
//     views: {count: 4, width: 256, height: 256, fov_degrees: 50, distance: 2.5}
//   seed: 0
//   num_threads: 0
//
// Resuming and atomicity: each finished shape is written to its own file under
// "<output>.parts/" (temporary name + rename), and the output is assembled from those, in
// split order, under a temporary name and renamed into place at the end; then the parts are
// removed. Running the same command again after a crash or kill skips finished shapes and gives
// the same file, byte for byte, as an uninterrupted run. When the output exists and was made
// with the same parameters, its shapes are reused (a split that grew only processes the new
// shapes); with different parameters the run stops with an error rather than mix two protocols.
// Failed shapes (unreadable, empty or degenerate meshes) are logged with their path and reason,
// recorded in the file (failed_ids, failed_reasons) and retried by the next run.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/ConfigNode.h"
#include "core/Options.h"
#include "preprocessing/ShapeSampling.h"
#include "preprocessing/Source.h"

namespace nsdf::preprocessing {

/// The `preprocess.views:` options.
struct ViewOptions {
  int64_t count = 4;
  int64_t width = 256;
  int64_t height = 256;
  double fov_degrees = 50.0;
  double distance = 2.5;
  std::string placement = "fibonacci";

  static void declare(core::OptionSet<ViewOptions>& s);
};

/// The `preprocess:` section's options: its own keys and the `views:` section (the `source:`
/// component is read by prepare_preprocess).
struct PreprocessOptions {
  core::Path output;
  std::string preset = "train";
  int64_t samples = 500000;
  std::vector<double> variances = {0.005, 0.0005};
  double uniform_fraction = 0.06;
  double buffer = 1.03;
  int64_t surface_points = 30000;
  std::string sign_method = "winding_number";
  bool orient = true;
  int64_t parity_rays = 5;
  double winding_beta = 2.0;
  ViewOptions views;

  static void declare(core::OptionSet<PreprocessOptions>& s);
};

/// A validated preprocessing run.
struct PreparedPreprocess {
  std::string output;
  std::shared_ptr<Source> source;
  std::string source_type;
  SamplingOptions sampling;
  uint64_t seed = 0;
  int64_t num_threads = 0;
  /// The resolved config (every option explicit).
  core::ConfigNode resolved;
  /// What the file records as its parameters: the resolved `preprocess` section as YAML,
  /// without `output` (where a file lives does not change its content).
  std::string parameters;
};

/// Loads CONFIG with overrides and validates every key (all errors at once, ConfigError).
PreparedPreprocess prepare_preprocess(const SourceRegistry& sources, const std::string& config,
                                      const std::vector<std::string>& overrides);

struct PreprocessSummary {
  std::string output;
  int64_t shapes = 0;     ///< listed by the source
  int64_t processed = 0;  ///< sampled in this run
  int64_t resumed = 0;    ///< finished by an earlier, interrupted run (parts)
  int64_t reused = 0;     ///< taken from an existing output with the same parameters
  double seconds = 0;     ///< wall time of this run
  std::vector<std::pair<std::string, std::string>> failures;  ///< id, reason
  bool up_to_date = false;  ///< the output already held every shape: nothing was written
};

/// Runs it (see the file comment); failures are reported in the summary, not thrown. Throws for
/// problems that stop the whole run (unreadable split, output folder not writable, an existing
/// output made with other parameters).
PreprocessSummary run_preprocess(const PreparedPreprocess& run);

}  // namespace nsdf::preprocessing
