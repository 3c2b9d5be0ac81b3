#pragma once
// `nsdf report`: one HTML page (plus CSV and Markdown tables) over any number of run folders,
// that opens offline and from file://.
//
//   DIR/report.html     runs table (what differs between the configs, final loss, evaluation
//                       means), curves per run and overlaid across runs, evaluation tables,
//                       pictures, interactive 3D viewers, latent maps, each run's config
//   DIR/runs.csv        the runs table: run, experiment, differing config keys, final metrics
//   DIR/runs.md         the same in Markdown; with seed repeats also runs_by_seed.{csv,md}:
//                       mean and std over runs that differ only in `seed`
//   DIR/curves/         every chart as .svg
//   DIR/images/         the runs' pictures (copied)
//   DIR/meshes/         viewer meshes (report/MeshPack.h), simplified to max_viewer_faces
//   DIR/thumbs/         latent map thumbnails
//   DIR/assets/         three.js (from npm, wrapped as a classic script), viewer.js, report.css
//
// Large runs stay fast to open: viewers are capped (max_viewers in all, loaded lazily when
// scrolled to), pictures per run are capped, per-shape tables show 500 rows, the latent map
// draws thumbnails for at most max_thumbnails shapes and dots for the rest.

#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "report/RunFolder.h"

namespace nsdf::report {

/// Latent codes by shape id, as a run saved them.
using CodeTable = std::vector<std::pair<std::string, std::vector<float>>>;

struct ReportOptions {
  std::filesystem::path output;
  std::string title = "nsdf report";
  /// tools/report: viewer.js, report.css and node_modules/three/build/three.cjs.
  std::filesystem::path assets;
  int max_viewers = 24;
  int max_viewer_faces = 200000;
  int max_images_per_run = 24;
  int max_thumbnails = 200;
  int thumbnail_size = 96;
  int max_charts_per_run = 12;
  /// Reads latents/latents.pt (LibTorch lives in the caller); unset: no latent maps.
  std::function<CodeTable(const std::filesystem::path&)> load_codes;
};

struct ReportSummary {
  std::filesystem::path html;
  int runs = 0, charts = 0, images = 0, viewers = 0, latent_maps = 0;
};

/// Writes the report of `runs` into options.output (created; files of an earlier report there
/// are replaced). Throws IoError naming a missing asset (and how to install it), DataError for
/// unreadable run content (a mesh, codes).
ReportSummary write_report(const std::vector<RunFolder>& runs, const ReportOptions& options);

/// Config keys whose values differ between runs (absent counts as a value), in the order of
/// first appearance; "experiment.name" and "experiment.id" excluded unless nothing else
/// differs.
std::vector<std::string> differing_keys(const std::vector<RunFolder>& runs);

/// The last finite value of metric `key` in a run's metrics.jsonl (NaN when none).
double final_metric(const RunFolder& run, const std::string& key);

}  // namespace nsdf::report
