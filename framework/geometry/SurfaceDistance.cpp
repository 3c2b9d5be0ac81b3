#include "geometry/SurfaceDistance.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

#include "core/Error.h"
#include "geometry/KdTree.h"
#include "geometry/Sampling.h"

namespace nsdf::geometry {

SurfaceMatch match_surfaces(const std::vector<Vec3f>& pred, const std::vector<Vec3f>& gt) {
  NSDF_CHECK(!pred.empty(), core::DataError, "surface distance: the prediction has no points");
  NSDF_CHECK(!gt.empty(), core::DataError, "surface distance: the ground truth has no points");
  SurfaceMatch m;
  auto one_way = [](const std::vector<Vec3f>& from, const std::vector<Vec3f>& to,
                    std::vector<float>& dist, std::vector<int32_t>& nn) {
    const KdTree tree(to);
    const std::vector<Neighbor> hits = tree.nearest_all(from);
    dist.resize(hits.size());
    nn.resize(hits.size());
    for (size_t i = 0; i < hits.size(); ++i) {
      dist[i] = std::sqrt(hits[i].squared_distance);
      nn[i] = hits[i].index;
    }
  };
  one_way(pred, gt, m.pred_to_gt, m.pred_nn);
  one_way(gt, pred, m.gt_to_pred, m.gt_nn);
  return m;
}

namespace {

double mean(const std::vector<float>& v, bool squared) {
  double s = 0;
  for (float x : v) s += squared ? double(x) * x : x;
  return s / static_cast<double>(v.size());
}

double max_of(const std::vector<float>& v) { return *std::max_element(v.begin(), v.end()); }

double fraction_below(const std::vector<float>& v, double tau) {
  return static_cast<double>(std::count_if(v.begin(), v.end(), [&](float d) { return d < tau; })) /
         static_cast<double>(v.size());
}

double abs_dot_mean(const std::vector<Vec3f>& na, const std::vector<Vec3f>& nb,
                    const std::vector<int32_t>& nn) {
  double s = 0;
  for (size_t i = 0; i < nn.size(); ++i) {
    const Vec3f& a = na[i];
    const Vec3f& b = nb[nn[i]];
    const double la = std::sqrt(double(a[0]) * a[0] + double(a[1]) * a[1] + double(a[2]) * a[2]);
    const double lb = std::sqrt(double(b[0]) * b[0] + double(b[1]) * b[1] + double(b[2]) * b[2]);
    if (la > 0 && lb > 0) s += std::abs(a[0] * b[0] + a[1] * b[1] + a[2] * b[2]) / (la * lb);
  }
  return s / static_cast<double>(nn.size());
}

}  // namespace

SurfaceMetrics surface_metrics(const PointCloud& pred, const PointCloud& gt,
                               const SurfaceMatch& match, double tau) {
  NSDF_ASSERT(match.pred_to_gt.size() == pred.P.size() && match.gt_to_pred.size() == gt.P.size(),
              "surface match does not belong to these point sets");
  SurfaceMetrics m;
  m.pred_to_gt = mean(match.pred_to_gt, false);
  m.gt_to_pred = mean(match.gt_to_pred, false);
  m.chamfer_l1 = 0.5 * (m.pred_to_gt + m.gt_to_pred);
  m.chamfer_l2 = mean(match.pred_to_gt, true) + mean(match.gt_to_pred, true);
  m.hausdorff_pred_to_gt = max_of(match.pred_to_gt);
  m.hausdorff_gt_to_pred = max_of(match.gt_to_pred);
  m.hausdorff = std::max(m.hausdorff_pred_to_gt, m.hausdorff_gt_to_pred);
  if (!pred.N.empty() && !gt.N.empty()) {
    m.normal_consistency = 0.5 * (abs_dot_mean(pred.N, gt.N, match.pred_nn) +
                                  abs_dot_mean(gt.N, pred.N, match.gt_nn));
  }
  m.tau = tau;
  m.precision = fraction_below(match.pred_to_gt, tau);
  m.recall = fraction_below(match.gt_to_pred, tau);
  m.fscore = m.precision + m.recall > 0 ? 2 * m.precision * m.recall / (m.precision + m.recall) : 0;
  return m;
}

PointCloud evaluation_points(const Mesh& mesh, int64_t n, uint64_t seed) {
  if (!mesh.F.empty()) return sample_surface(mesh, n, seed);
  NSDF_CHECK(!mesh.V.empty(), core::DataError, "evaluation: the point set is empty");
  PointCloud cloud{mesh.V, mesh.N};
  if (n <= 0 || static_cast<int64_t>(cloud.P.size()) <= n) return cloud;
  // A deterministic subset of n points (a partial Fisher-Yates shuffle of the indices).
  std::vector<int32_t> idx(cloud.P.size());
  std::iota(idx.begin(), idx.end(), 0);
  std::mt19937_64 rng(seed);
  for (int64_t i = 0; i < n; ++i) {
    std::uniform_int_distribution<int64_t> pick(i, static_cast<int64_t>(idx.size()) - 1);
    std::swap(idx[i], idx[pick(rng)]);
  }
  idx.resize(n);
  std::sort(idx.begin(), idx.end());
  PointCloud out;
  for (int32_t i : idx) {
    out.P.push_back(cloud.P[i]);
    if (!cloud.N.empty()) out.N.push_back(cloud.N[i]);
  }
  return out;
}

double bounding_box_diagonal(const std::vector<Vec3f>& P) {
  NSDF_CHECK(!P.empty(), core::DataError, "bounding box of an empty point set");
  Vec3f lo = P[0], hi = P[0];
  for (const auto& p : P)
    for (int k = 0; k < 3; ++k) {
      lo[k] = std::min(lo[k], p[k]);
      hi[k] = std::max(hi[k], p[k]);
    }
  const double dx = hi[0] - lo[0], dy = hi[1] - lo[1], dz = hi[2] - lo[2];
  return std::sqrt(dx * dx + dy * dy + dz * dz);
}

PointsToSurface points_to_surface(const Mesh& mesh, const std::vector<Vec3f>& points,
                                  int64_t mesh_points, uint64_t seed) {
  const PointCloud on_mesh = evaluation_points(mesh, mesh_points, seed);
  const SurfaceMatch match = match_surfaces(on_mesh.P, points);
  PointsToSurface out;
  double sum = 0;
  for (const float d : match.gt_to_pred) {
    sum += d;
    out.max = std::max(out.max, static_cast<double>(d));
  }
  out.mean = sum / static_cast<double>(match.gt_to_pred.size());
  return out;
}

}  // namespace nsdf::geometry
