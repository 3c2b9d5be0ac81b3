#include "experiments/ShapeEvaluation.h"

#include "geometry/SurfaceDistance.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>

#include "core/Files.h"
#include "core/Json.h"
#include "core/Log.h"
#include "experiments/ExperimentSupport.h"
#include "geometry/MeshIo.h"
#include "geometry/SparseExtraction.h"
#include "models/DecoderField.h"

namespace nsdf::experiments {

namespace fs = std::filesystem;

geometry::Mesh extract_shape_mesh(models::Decoder& decoder, const torch::Tensor& code,
                                  const losses::Loss& loss, torch::Device device,
                                  const ShapeMeshing& meshing, const std::string& shape_id) {
  geometry::ExtractionOptions eo = mesh_extraction_options(meshing.resolution, meshing.bound);
  eo.largest_component_only = meshing.largest_component;
  const auto result =
      geometry::extract_sparse(models::decoder_field(decoder, code, device, sdf_of(loss)), eo);
  if (result.mesh.F.empty())
    core::log::warn("shape {}: the field has no zero level set in [-{}, {}]^3", shape_id,
                    meshing.bound, meshing.bound);
  return result.mesh;
}

void write_shape_mesh(const core::RunDir& dir, const std::string& shape_id,
                      const geometry::Mesh& mesh) {
  if (!dir.is_writer() || mesh.F.empty()) return;
  const fs::path path = dir.subdir("meshes") / (shape_id + ".ply");
  fs::create_directories(path.parent_path());
  geometry::write_mesh(mesh, path.string());
}

void EvaluationTable::add(const std::string& shape_id, const std::string& shape_class,
                          const eval::Metrics& metrics) {
  Row row{shape_id, shape_class, {}};
  for (const auto& [name, value] : metrics) {
    if (std::find(names_.begin(), names_.end(), name) == names_.end()) names_.push_back(name);
    row.values[name] = value;
  }
  rows_.push_back(std::move(row));
}

std::vector<double> EvaluationTable::column(const std::string& metric) const {
  std::vector<double> out;
  for (const auto& r : rows_) {
    const auto it = r.values.find(metric);
    out.push_back(it == r.values.end() ? std::numeric_limits<double>::quiet_NaN() : it->second);
  }
  return out;
}

namespace {

struct Stats {
  int64_t count = 0;
  double mean = std::numeric_limits<double>::quiet_NaN();
  double median = std::numeric_limits<double>::quiet_NaN();
};

Stats stats_of(std::vector<double> v) {
  v.erase(std::remove_if(v.begin(), v.end(), [](double x) { return std::isnan(x); }), v.end());
  Stats s;
  s.count = static_cast<int64_t>(v.size());
  if (v.empty()) return s;
  double sum = 0;
  for (const double x : v) sum += x;
  s.mean = sum / static_cast<double>(v.size());
  std::sort(v.begin(), v.end());
  const size_t h = v.size() / 2;
  s.median = v.size() % 2 ? v[h] : 0.5 * (v[h - 1] + v[h]);
  return s;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (const char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

}  // namespace

void EvaluationTable::write(const core::RunDir& dir, const std::string& title,
                            const std::string& notes) const {
  if (rows_.empty()) return;
  std::vector<std::string> classes;
  for (const auto& r : rows_)
    if (std::find(classes.begin(), classes.end(), r.shape_class) == classes.end())
      classes.push_back(r.shape_class);

  // per_shape.csv
  std::string csv = "shape,class";
  for (const auto& n : names_) csv += "," + n;
  csv += "\n";
  for (const auto& r : rows_) {
    csv += csv_field(r.id) + "," + csv_field(r.shape_class);
    for (const auto& n : names_) {
      const auto it = r.values.find(n);
      csv += it == r.values.end() ? "," : fmt::format(",{}", it->second);
    }
    csv += "\n";
  }

  // metrics.json: {"shapes": N, "<metric>": mean, "<metric>_median": ..., "<metric>_count": ...,
  // "classes": {"<class>": {...}}}
  auto summary_of = [&](const std::vector<const Row*>& rows) {
    core::JsonObject o;
    o.add("shapes", static_cast<int64_t>(rows.size()));
    for (const auto& n : names_) {
      std::vector<double> v;
      for (const Row* r : rows) {
        const auto it = r->values.find(n);
        v.push_back(it == r->values.end() ? std::numeric_limits<double>::quiet_NaN()
                                          : it->second);
      }
      const Stats s = stats_of(v);
      o.add(n, s.mean).add(n + "_median", s.median);
      if (s.count != static_cast<int64_t>(rows.size())) o.add(n + "_count", s.count);
    }
    return o;
  };
  std::vector<const Row*> all;
  for (const auto& r : rows_) all.push_back(&r);
  core::JsonObject json = summary_of(all);
  std::string md = "# " + title + "\n\n" + notes + (notes.empty() ? "" : "\n\n");
  auto table = [&](const std::string& heading, const std::vector<const Row*>& rows) {
    std::string t = "## " + heading + fmt::format(" ({} shapes)\n\n", rows.size());
    t += "| metric | mean | median |\n|---|---:|---:|\n";
    for (const auto& n : names_) {
      std::vector<double> v;
      for (const Row* r : rows) {
        const auto it = r->values.find(n);
        if (it != r->values.end()) v.push_back(it->second);
      }
      const Stats s = stats_of(v);
      t += fmt::format("| {} | {:.6g} | {:.6g} |\n", n, s.mean, s.median);
    }
    return t + "\n";
  };
  md += table("All shapes", all);
  if (classes.size() > 1 || (classes.size() == 1 && !classes[0].empty())) {
    core::JsonObject per_class;
    for (const auto& c : classes) {
      std::vector<const Row*> rows;
      for (const auto& r : rows_)
        if (r.shape_class == c) rows.push_back(&r);
      per_class.add_raw(c, summary_of(rows).str());
      md += table("Class " + (c.empty() ? std::string("(none)") : c), rows);
    }
    json.add_raw("classes", per_class.str());
  }
  md += "## Per shape\n\n| shape |";
  for (const auto& n : names_) md += " " + n + " |";
  md += "\n|---|";
  for (size_t i = 0; i < names_.size(); ++i) md += "---:|";
  md += "\n";
  for (const auto& r : rows_) {
    md += "| " + r.id + " |";
    for (const auto& n : names_) {
      const auto it = r.values.find(n);
      md += it == r.values.end() ? " |" : fmt::format(" {:.6g} |", it->second);
    }
    md += "\n";
  }
  md += "\n" + metric_conventions();

  if (dir.is_writer()) {
    const fs::path folder = dir.subdir("eval");
    core::write_file_atomic((folder / "per_shape.csv").string(), csv);
    core::write_file_atomic((folder / "metrics.json").string(), json.pretty());
    core::write_file_atomic((folder / "summary.md").string(), md);
  }
  std::string report;
  for (const auto& n : names_) report += fmt::format("{} {:.5g}  ", n, stats_of(column(n)).mean);
  core::log::info("eval (mean over {} shapes): {}", rows_.size(), report);
}

std::string metric_conventions() {
  return R"(## Conventions

Surface metrics compare points sampled on the reconstructed mesh with the ground truth's
surface points (both in the shape's ORIGINAL units; `points` of each, 30k by default as
DeepSDF), matched by exact nearest neighbours:

- `chamfer_l2` (DeepSDF's evaluate.py): mean d(pred->gt)^2 + mean d(gt->pred)^2, the SUM of the
  two mean SQUARED distances. DeepSDF's paper tables report it x 1e3 on ShapeNet meshes
  normalized by DeepSDF's preprocessing (compare like with like).
- `chamfer_l1` (IGR, DiGS): (mean d(pred->gt) + mean d(gt->pred)) / 2, the AVERAGE of the two
  mean (not squared) distances.
- `pred_to_gt`, `gt_to_pred`: the one-sided mean distances.
- `hausdorff`: the larger of the two one-sided maxima.
- `normal_consistency`: mean |cos| between each point's normal and its nearest neighbour's on
  the other surface, averaged over both directions.
- `fscore` at `tau` (default 1% of the ground truth's bounding-box diagonal): harmonic mean of
  precision (predicted points within tau of the ground truth) and recall.
- `sdf_error`: mean |f(x) - sdf(x)| over held-out SDF samples, in normalized units.
)";
}

NearestTraining::NearestTraining(std::shared_ptr<const data::ShapeDataset> training,
                                 int64_t points, uint64_t seed)
    : training_(std::move(training)), points_(points), seed_(seed) {
  for (int64_t j = 0; j < training_->size(); ++j) surfaces_.push_back(subsample(training_->surface(j)));
}

geometry::PointCloud NearestTraining::subsample(const geometry::PointCloud& cloud) const {
  if (cloud.P.empty()) return {};
  return geometry::evaluation_points(geometry::Mesh{cloud.P, {}, {}}, points_, seed_);
}

NearestTraining::Match NearestTraining::nearest(const geometry::PointCloud& gt_cloud) const {
  Match best;
  const geometry::PointCloud gt = subsample(gt_cloud);
  if (gt.P.empty()) return best;
  for (size_t j = 0; j < surfaces_.size(); ++j) {
    if (surfaces_[j].P.empty()) continue;
    const auto m = geometry::surface_metrics(
        surfaces_[j], gt, geometry::match_surfaces(surfaces_[j].P, gt.P), 0);
    if (best.id.empty() || m.chamfer_l2 < best.chamfer_l2) {
      best.id = training_->shape_id(static_cast<int64_t>(j));
      best.chamfer_l1 = m.chamfer_l1;
      best.chamfer_l2 = m.chamfer_l2;
    }
  }
  return best;
}

eval::Metrics evaluate_shape(const std::vector<std::shared_ptr<eval::Evaluator>>& evaluators,
                             const data::ShapeDataset& dataset, int64_t i,
                             models::Decoder& decoder, const torch::Tensor& code,
                             const losses::Loss& loss, torch::Device device,
                             const geometry::Mesh& mesh) {
  eval::EvalInput input;
  input.shape_id = dataset.shape_id(i);
  input.field = models::decoder_field(decoder, code, device, sdf_of(loss));
  const torch::Tensor test = dataset.test_samples(i);
  if (test.defined()) {
    const torch::Tensor t = test.contiguous();
    input.samples.assign(t.data_ptr<float>(), t.data_ptr<float>() + t.numel());
  }
  if (!mesh.F.empty()) input.prediction = std::make_shared<const geometry::Mesh>(mesh);
  geometry::PointCloud surface = dataset.surface(i);
  if (!surface.P.empty())
    input.ground_truth = std::make_shared<const geometry::Mesh>(
        geometry::Mesh{std::move(surface.P), {}, std::move(surface.N)});
  return run_evaluators(evaluators, input);
}

}  // namespace nsdf::experiments
