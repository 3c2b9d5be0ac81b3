#pragma once
// What shape-space experiments (train, reconstruct, complete, interpolate) do with a trained
// code per shape: extract its mesh, map it to the shape's original units, write it, run every
// evaluator against the ground truth, and collect one metrics row per shape into
//   eval/per_shape.csv   one row per shape id: class, every metric
//   eval/metrics.json    mean and median of each metric over all shapes and per class
//   eval/summary.md      the same as tables, with the metric conventions spelled out
// Rows without a value (an evaluator that could not run on a shape) are left out of that
// metric's statistics; the count is in metrics.json.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "data/Dataset.h"
#include "eval/Evaluator.h"
#include "experiments/Experiment.h"
#include "geometry/Mesh.h"
#include "losses/Loss.h"
#include "models/Decoder.h"

namespace nsdf::experiments {

struct ShapeMeshing {
  int64_t resolution = 0;  ///< 0: no meshes
  double bound = 1.0;      ///< the grid spans [-bound, bound]^3 (normalized units)
  bool largest_component = false;
};

/// Extracts the mesh of `code` (sparse, ShapeMeshing) in normalized units; empty mesh when the
/// field has no zero level set in the grid (a warning names the shape).
geometry::Mesh extract_shape_mesh(models::Decoder& decoder, const torch::Tensor& code,
                                  const losses::Loss& loss, torch::Device device,
                                  const ShapeMeshing& meshing, const std::string& shape_id);

/// meshes/<id>.ply (folders for ids with '/'), written atomically by the writer rank.
void write_shape_mesh(const core::RunDir& dir, const std::string& shape_id,
                      const geometry::Mesh& mesh);

/// Metrics of many shapes, in order of arrival.
class EvaluationTable {
 public:
  void add(const std::string& shape_id, const std::string& shape_class,
           const eval::Metrics& metrics);
  bool empty() const { return rows_.empty(); }
  /// Writes eval/per_shape.csv, eval/metrics.json and eval/summary.md; `notes` (Markdown) go
  /// at the top of summary.md. Logs the means.
  void write(const core::RunDir& dir, const std::string& title, const std::string& notes) const;
  /// The values of one metric, in row order (NaN where a row has none).
  std::vector<double> column(const std::string& metric) const;

 private:
  struct Row {
    std::string id, shape_class;
    std::map<std::string, double> values;
  };
  std::vector<Row> rows_;
  std::vector<std::string> names_;  // metric names in order of first appearance
};

/// The retrieval baseline a reconstruction or completion must beat: the training shape whose
/// ground truth is closest (smallest chamfer_l2) to a shape's ground truth.
class NearestTraining {
 public:
  /// Samples `points` of every training shape's surface (original units) with `seed`.
  NearestTraining(std::shared_ptr<const data::ShapeDataset> training, int64_t points,
                  uint64_t seed);
  struct Match {
    std::string id;  ///< empty when there is nothing to compare
    double chamfer_l1 = 0, chamfer_l2 = 0;
  };
  /// The nearest training shape to `gt` (original units; at most `points` of it are used).
  Match nearest(const geometry::PointCloud& gt) const;
  /// At most `points` points of a surface cloud (seeded), as the comparison uses.
  geometry::PointCloud subsample(const geometry::PointCloud& cloud) const;

 private:
  std::shared_ptr<const data::ShapeDataset> training_;
  int64_t points_;
  uint64_t seed_;
  std::vector<geometry::PointCloud> surfaces_;
};

/// The conventions of the metrics nsdf reports, as Markdown (for summary.md).
std::string metric_conventions();

/// Runs `evaluators` on one shape of a shape space: field = the decoder with `code` (normalized
/// units, for sdf_error against the dataset's test samples), prediction = `mesh` (original
/// units), ground truth = dataset.surface(i) (original units).
eval::Metrics evaluate_shape(const std::vector<std::shared_ptr<eval::Evaluator>>& evaluators,
                             const data::ShapeDataset& dataset, int64_t i,
                             models::Decoder& decoder, const torch::Tensor& code,
                             const losses::Loss& loss, torch::Device device,
                             const geometry::Mesh& mesh);

}  // namespace nsdf::experiments
