#include "ReportCli.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "core/Checkpoint.h"
#include "core/Error.h"
#include "core/Strings.h"
#include "report/Report.h"
#include "report/RunFolder.h"

namespace nsdf::tools {

namespace {

namespace fs = std::filesystem;

constexpr const char* kReportUsage = R"(usage: nsdf report RUN_OR_SWEEP_DIR [...] -o DIR [options]

Writes DIR/report.html over the given runs (a folder with config.yaml) and folders holding runs
(a sweep, runs/<name>/, runs/): a table of the runs with what differs between their configs,
their final loss and evaluation means (also DIR/runs.csv and DIR/runs.md; with seed repeats,
mean and std over seeds in DIR/runs_by_seed.*), curves from metrics.jsonl per run and overlaid
across runs, evaluation tables, the runs' pictures, interactive 3D viewers of their meshes and,
for shape spaces, a map of the latent codes (PCA) with thumbnails. The report works offline and
from file:// (three.js is copied into DIR/assets).

options:
  -o, --output DIR         where to write (created)
  --title TEXT             the page title (default: nsdf report)
  --max-viewers N          3D viewers in all (default 24; each loads when scrolled to)
  --max-faces N            triangles per viewer mesh; larger meshes are simplified (200000)
  --max-images N           pictures per run (default 24)
  --max-thumbnails N       meshes drawn on each latent map (default 200; the rest are dots)
)";

int parse_count(const std::string& option, const std::string& value, int lo) {
  char* end = nullptr;
  const long v = std::strtol(value.c_str(), &end, 10);
  NSDF_CHECK(end == value.c_str() + value.size() && !value.empty() && v >= lo && v <= 1000000000,
             core::UsageError, "report: {} expects a whole number >= {}, got '{}'", option, lo,
             value);
  return static_cast<int>(v);
}

report::CodeTable load_codes(const fs::path& file) {
  report::CodeTable out;
  const core::Checkpoint codes = core::Checkpoint::load(file.string());
  for (const auto& [id, tensor] : codes.tensors()) {
    const torch::Tensor t = tensor.detach().to(torch::kCPU, torch::kFloat).contiguous().flatten();
    if (t.numel() == 0) continue;
    const float* p = t.data_ptr<float>();
    out.emplace_back(id, std::vector<float>(p, p + t.numel()));
  }
  return out;
}

}  // namespace

int cmd_report(const std::vector<std::string>& args) {
  for (const auto& a : args)
    if (a == "-h" || a == "--help") return fmt::print("{}", kReportUsage), 0;
  static const std::vector<std::string> kOptions{"-o",           "--output",    "--title",
                                                 "--max-viewers", "--max-faces", "--max-images",
                                                 "--max-thumbnails"};
  std::vector<fs::path> inputs;
  report::ReportOptions options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.size() < 2 || a[0] != '-') {
      inputs.emplace_back(a);
      continue;
    }
    if (std::find(kOptions.begin(), kOptions.end(), a) == kOptions.end())
      throw core::UsageError(fmt::format("report: unknown option '{}'{}\n{}", a,
                                         core::did_you_mean(a, kOptions), kReportUsage));
    NSDF_CHECK(i + 1 < args.size(), core::UsageError, "report: {} needs a value\n{}", a,
               kReportUsage);
    const std::string& value = args[++i];
    if (a == "-o" || a == "--output") options.output = value;
    else if (a == "--title") options.title = value;
    else if (a == "--max-viewers") options.max_viewers = parse_count(a, value, 0);
    else if (a == "--max-faces") options.max_viewer_faces = parse_count(a, value, 1);
    else if (a == "--max-images") options.max_images_per_run = parse_count(a, value, 0);
    else options.max_thumbnails = parse_count(a, value, 0);
  }
  NSDF_CHECK(!inputs.empty(), core::UsageError,
             "report: expected at least one RUN_OR_SWEEP_DIR\n{}", kReportUsage);
  NSDF_CHECK(!options.output.empty(), core::UsageError, "report: -o DIR is required\n{}",
             kReportUsage);
  const char* assets = std::getenv("NSDF_REPORT_ASSETS");
  options.assets = assets && *assets ? assets : NSDF_REPORT_ASSETS;
  options.load_codes = load_codes;

  const std::vector<report::RunFolder> runs = report::find_run_folders(inputs);
  const report::ReportSummary s = report::write_report(runs, options);
  fmt::print("{}: {} run{}, {} charts, {} pictures, {} 3D viewers, {} latent map{}\n",
             s.html.string(), s.runs, s.runs == 1 ? "" : "s", s.charts, s.images, s.viewers,
             s.latent_maps, s.latent_maps == 1 ? "" : "s");
  return 0;
}

}  // namespace nsdf::tools
