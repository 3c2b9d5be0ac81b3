#include "report/RunFolder.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <set>

#include "core/ConfigLoader.h"
#include "core/ConfigNode.h"
#include "core/Error.h"
#include "core/Files.h"
#include "core/Log.h"
#include "report/Html.h"

namespace nsdf::report {

namespace fs = std::filesystem;

namespace {

void flatten(const core::ConfigNode& node, const std::string& prefix,
             std::vector<std::pair<std::string, std::string>>& out) {
  if (node.is_map() && !node.entries().empty()) {
    for (const auto& [key, value] : node.entries())
      flatten(value, prefix.empty() ? key : prefix + "." + key, out);
  } else {
    out.emplace_back(prefix, node.to_flow());
  }
}

std::vector<fs::path> files_with_extension(const fs::path& root, const fs::path& sub,
                                           const std::string& ext) {
  std::vector<fs::path> out;
  const fs::path dir = root / sub;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return out;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_regular_file() && it->path().extension() == ext)
      out.push_back(fs::relative(it->path(), root));
  }
  std::sort(out.begin(), out.end());
  return out;
}

bool is_run(const fs::path& dir) { return fs::is_regular_file(dir / "config.yaml"); }

void search(const fs::path& dir, int depth, std::vector<fs::path>& out) {
  if (is_run(dir)) {
    out.push_back(dir);
    return;
  }
  if (depth == 0) return;
  std::vector<fs::path> children;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.is_directory()) children.push_back(entry.path());
  std::sort(children.begin(), children.end());
  for (const auto& c : children) search(c, depth - 1, out);
}

}  // namespace

std::string RunFolder::config(const std::string& key) const {
  for (const auto& [k, v] : config_values)
    if (k == key) return v;
  return "";
}

RunFolder read_run_folder(const fs::path& path) {
  RunFolder run;
  run.path = path;
  const fs::path config_file = path / "config.yaml";
  run.config_text = core::read_file(config_file.string());
  const core::ConfigNode root = core::parse_yaml(run.config_text, config_file.string());
  flatten(root, "", run.config_values);
  run.experiment_type = run.config("experiment.type");
  run.experiment_name = run.config("experiment.name");

  const fs::path metrics_file = path / "metrics.jsonl";
  if (fs::exists(metrics_file)) {
    std::ifstream in(metrics_file);
    std::string line;
    int number = 0;
    std::set<std::string> seen;
    while (std::getline(in, line)) {
      ++number;
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      std::map<std::string, double> row;
      try {
        const core::ConfigNode node =
            core::parse_yaml(line, fmt::format("{}:{}", metrics_file.string(), number));
        if (!node.is_map()) throw core::DataError("not a JSON object");
        for (const auto& [key, value] : node.entries()) {
          double v = std::numeric_limits<double>::quiet_NaN();
          if (value.is_scalar() && !parse_number(value.as_scalar(), v)) continue;  // text
          if (!value.is_scalar() && !value.is_null()) continue;
          row[key] = v;
          if (seen.insert(key).second) run.metric_keys.push_back(key);
        }
      } catch (const core::Error&) {
        ++run.skipped_metric_lines;
        continue;
      }
      run.metrics.push_back(std::move(row));
    }
    if (run.skipped_metric_lines > 0)
      core::log::warn("{}: {} lines are not JSON objects and were skipped", metrics_file.string(),
                 run.skipped_metric_lines);
  }

  const fs::path summary_file = path / "eval" / "metrics.json";
  if (fs::exists(summary_file)) {
    const core::ConfigNode node = core::read_yaml_file(summary_file.string());
    NSDF_CHECK(node.is_map(), core::DataError, "{}: not a JSON object", summary_file.string());
    for (const auto& [key, value] : node.entries()) {
      double v = 0;
      if (value.is_scalar() && parse_number(value.as_scalar(), v)) run.summary.emplace_back(key, v);
      if (value.is_map())  // per-class sections: {"chairs": {"chamfer_l1": ...}}
        for (const auto& [k2, v2] : value.entries())
          if (v2.is_scalar() && parse_number(v2.as_scalar(), v))
            run.summary.emplace_back(key + "." + k2, v);
    }
  }
  const fs::path per_shape_file = path / "eval" / "per_shape.csv";
  if (fs::exists(per_shape_file)) {
    std::ifstream in(per_shape_file);
    std::string line;
    while (std::getline(in, line))
      if (!line.empty()) run.per_shape.push_back(split_csv_line(line));
  }
  run.images = files_with_extension(path, "images", ".png");
  run.meshes = files_with_extension(path, "meshes", ".ply");
  if (fs::exists(path / "latents" / "latents.pt")) run.codes_file = path / "latents" / "latents.pt";
  return run;
}

std::vector<RunFolder> find_run_folders(const std::vector<fs::path>& inputs) {
  std::vector<RunFolder> runs;
  std::set<std::string> labels;
  for (const fs::path& input : inputs) {
    std::error_code ec;
    NSDF_CHECK(fs::exists(input, ec), core::IoError, "{}: no such folder", input.string());
    NSDF_CHECK(fs::is_directory(input, ec), core::IoError,
               "{}: not a folder (give run folders or folders that hold runs)", input.string());
    std::vector<fs::path> found;
    search(input, 4, found);
    NSDF_CHECK(!found.empty(), core::DataError,
               "{}: holds no run folder (a folder with config.yaml, as `nsdf run` writes)",
               input.string());
    for (const fs::path& dir : found) {
      RunFolder run = read_run_folder(dir);
      const fs::path canonical = fs::weakly_canonical(dir);
      std::string label =
          dir == input ? canonical.parent_path().filename().string() + "/" +
                             canonical.filename().string()
                       : fs::relative(dir, input).generic_string();
      if (dir != input && found.size() == 1 && label.find('/') == std::string::npos)
        label = canonical.parent_path().filename().string() + "/" + label;
      std::string unique = label;
      for (int k = 2; !labels.insert(unique).second; ++k) unique = fmt::format("{}#{}", label, k);
      run.label = unique;
      runs.push_back(std::move(run));
    }
  }
  return runs;
}

}  // namespace nsdf::report
