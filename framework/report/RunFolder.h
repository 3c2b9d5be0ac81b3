#pragma once
// What a report reads from a run folder (core/RunDir.h writes it): the resolved config, the
// training curves (metrics.jsonl), the evaluation (eval/metrics.json, eval/per_shape.csv), the
// pictures (images/**.png), the meshes (meshes/**.ply) and whether it has latent codes
// (latents/latents.pt). Every part but config.yaml is optional: a run still going, or killed,
// is reported with what it has.

#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace nsdf::report {

struct RunFolder {
  std::filesystem::path path;
  /// How the report names the run: "<experiment name>/<run id>" or the path below a sweep
  /// folder; unique within one report.
  std::string label;
  std::string experiment_type, experiment_name;
  std::string config_text;
  /// Every scalar of the config by dotted key ("loss.delta" -> "0.1"; lists as "[1, 2]").
  std::vector<std::pair<std::string, std::string>> config_values;
  /// metrics.jsonl: each line's numbers by key (null -> NaN); keys in order of appearance.
  std::vector<std::map<std::string, double>> metrics;
  std::vector<std::string> metric_keys;
  /// Lines of metrics.jsonl that could not be read (a run killed mid-write), skipped.
  int skipped_metric_lines = 0;
  /// eval/metrics.json: its numbers, in file order.
  std::vector<std::pair<std::string, double>> summary;
  /// eval/per_shape.csv as rows of cells (header first); empty when absent.
  std::vector<std::vector<std::string>> per_shape;
  /// Relative to `path`, sorted.
  std::vector<std::filesystem::path> images, meshes;
  /// latents/latents.pt, when present.
  std::filesystem::path codes_file;

  /// The value of a dotted config key, "" when absent.
  std::string config(const std::string& key) const;
};

/// Reads one run folder (it must hold config.yaml). Throws IoError / ConfigError naming the file
/// when config.yaml or eval/metrics.json cannot be read or parsed.
RunFolder read_run_folder(const std::filesystem::path& path);

/// The run folders named by `inputs`: a folder with config.yaml is a run; any other folder is
/// searched (4 levels deep, not below a run) for runs, in path order. Labels are made unique.
/// Throws IoError for an input that does not exist or is not a folder, DataError for one that
/// holds no run.
std::vector<RunFolder> find_run_folders(const std::vector<std::filesystem::path>& inputs);

}  // namespace nsdf::report
