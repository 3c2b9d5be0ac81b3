#include "experiments/FitExperiment.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <random>

#include "core/Files.h"
#include "core/Json.h"
#include "core/Log.h"
#include "core/Progress.h"
#include "experiments/ExperimentSupport.h"
#include "experiments/Trainer.h"
#include "core/Strings.h"
#include "geometry/AnalyticShapes.h"
#include "geometry/DeepSdfFiles.h"
#include "geometry/KdTree.h"
#include "geometry/MeshIo.h"
#include "geometry/MeshTopology.h"
#include "geometry/Normals.h"
#include "geometry/PointInput.h"
#include "geometry/Render.h"
#include "geometry/SparseExtraction.h"
#include "geometry/SurfaceDistance.h"
#include "models/DecoderField.h"

namespace nsdf::experiments {

namespace fs = std::filesystem;

void FitOptions::declare(core::OptionSet<FitOptions>& s) {
  using O = FitOptions;
  declare_run_name(s);
  s.add("input", &O::input,
        "point cloud (.ply .xyz .npy .npz: x y z [nx ny nz]) or mesh (.ply .obj .off) to sample");
  s.add("shape", &O::shape,
        "instead of input: points on an analytic shape (sphere, box, torus, superquadric) with "
        "exact normals; its exact surface is the ground truth");
  s.validate([](const O& o) {
    if (o.input.empty() == o.shape.empty())
      return std::string("set exactly one of input (a file) and shape (an analytic shape)");
    if (!o.shape.empty()) {
      const auto& kinds = geometry::analytic_kind_names();
      if (std::find(kinds.begin(), kinds.end(), o.shape) == kinds.end())
        return fmt::format("shape: unknown analytic shape '{}' (valid: {})", o.shape,
                           core::join(kinds, ", "));
    }
    return std::string();
  });
  s.add("ground_truth", &O::ground_truth,
        "mesh or points to evaluate against (default: the input itself when it is a mesh)");
  s.add("mesh_samples", &O::mesh_samples, "points sampled from a mesh input (with face normals)")
      .positive();
  s.add("normals", &O::normals,
        "auto: the input's normals, estimated when the loss needs them and there are none; "
        "estimate: always estimate; ignore: fit without normals")
      .one_of({"auto", "estimate", "ignore"});
  s.add("normal_neighbors", &O::normal_neighbors, "neighbours for normal estimation (PCA)")
      .range(3, 1000);
  s.add("normalize", &O::normalize,
        "unit_sphere (DeepSDF: bounding-box centre, farthest point at 1/1.03), bbox (longest "
        "side to [-1, 1]) or none; results are mapped back to original units")
      .one_of({"unit_sphere", "bbox", "none"});
  s.add("sigma_neighbors", &O::sigma_neighbors,
        "per-point sigma of off-surface samples = distance to this neighbour (IGR: 50); 0: the "
        "loss's constant sigma")
      .non_negative();
  s.add("iterations", &O::iterations, "optimizer steps").positive();
  s.add("points_per_step", &O::points_per_step,
        "input points per step, drawn without replacement (all when fewer)")
      .positive();
  s.add("checkpoint_every", &O::checkpoint_every, "steps between checkpoints").positive();
  s.add("log_every", &O::log_every, "steps between metrics.jsonl lines").positive();
  s.add("mesh_resolution", &O::mesh_resolution,
        "grid resolution of the final mesh (0: none; a power of two >= 16; sparse extraction)")
      .check(check_mesh_resolution, "0 or a power of two");
  s.add("mesh_bound", &O::mesh_bound, "the mesh grid spans [-mesh_bound, mesh_bound]^3 "
        "(normalized units)")
      .positive();
  s.add("largest_component", &O::largest_component, "keep only the mesh's largest component");
  s.add("eval_points", &O::eval_points,
        "points sampled on meshes for distances (IGR/DiGS: 1M)")
      .positive();
  s.add("image_size", &O::image_size,
        "pixels per panel of images/<shape>.png: input points | mesh (0: none)")
      .non_negative();
}

FitExperiment::FitExperiment(const Options& options, const ExperimentInputs& in)
    : options_(options) {
  const Registries& r = in.registries;
  model_ = parse_section(in, r.models, "model");
  loss_ = parse_section(in, r.losses, "loss");
  optimizer_ = parse_section(in, r.optimizers, "optimizer");
  schedule_ = parse_section(in, r.schedules, "schedule");
  evaluators_ = parse_evaluators(in);
}

namespace {

/// A canonical analytic shape of each kind, inside the unit sphere.
geometry::AnalyticShape canonical_shape(const std::string& kind) {
  geometry::AnalyticShape s;
  s.kind = geometry::parse_analytic_kind(kind);
  if (s.kind == geometry::AnalyticShape::Kind::Torus) s.size = {0.35, 0.15, 0};
  if (s.kind == geometry::AnalyticShape::Kind::Box) s.size = {0.45, 0.3, 0.25}, s.round = 0.05;
  if (s.kind == geometry::AnalyticShape::Kind::Superquadric) s.size = {0.5, 0.4, 0.3}, s.e1 = 0.5;
  return s;
}

/// n points on an analytic shape with unit normals (central differences of its SDF).
geometry::PointCloud analytic_points(const geometry::AnalyticShape& shape, int64_t n,
                                     uint64_t seed) {
  std::mt19937_64 rng(seed);
  const std::vector<float> p = geometry::sample_surface(shape, n, rng);
  geometry::PointCloud cloud;
  const double h = 1e-5;
  for (int64_t i = 0; i < n; ++i) {
    const geometry::Vec3 x{p[3 * i], p[3 * i + 1], p[3 * i + 2]};
    const geometry::Vec3 g = shape.central_differences(x, h);
    const double len = std::sqrt(g[0] * g[0] + g[1] * g[1] + g[2] * g[2]);
    cloud.P.push_back({float(x[0]), float(x[1]), float(x[2])});
    cloud.N.push_back({float(g[0] / len), float(g[1] / len), float(g[2] / len)});
  }
  return cloud;
}

}  // namespace

std::string FitExperiment::shape_id() const {
  return options_.shape.empty() ? fs::path(options_.input.str()).stem().string() : options_.shape;
}

FitPoints FitExperiment::load_points(const losses::Loss& loss, uint64_t seed) const {
  const std::string path = options_.shape.empty() ? options_.input.str() : options_.shape;
  geometry::InputPoints in;
  if (options_.shape.empty()) {
    in = geometry::read_input_points(path, options_.mesh_samples, seed);
  } else {
    const geometry::AnalyticShape shape = canonical_shape(options_.shape);
    in.cloud = analytic_points(shape, options_.mesh_samples, seed);
    const geometry::PointCloud truth = analytic_points(shape, options_.eval_points, seed + 1);
    in.mesh = geometry::Mesh{truth.P, {}, truth.N};  // exact surface points as ground truth
  }
  if (in.dropped_rows > 0) {
    core::log::warn("{}: dropped {} of {} rows with a non-finite coordinate or normal", path,
              in.dropped_rows, in.dropped_rows + static_cast<int64_t>(in.cloud.P.size()));
  }
  if (in.from_mesh) {
    core::log::info("{}: a mesh ({} faces): sampled {} surface points with normals", path,
              in.mesh.F.size(), in.cloud.P.size());
  }
  FitPoints out;
  out.original = std::move(in.cloud);
  if (options_.normalize == "unit_sphere") {
    out.normalization = geometry::unit_sphere_normalization(out.original.P);
  } else if (options_.normalize == "bbox") {
    out.normalization = geometry::bounding_box_normalization(out.original.P);
  }
  out.normalized.P = geometry::normalize_points(out.normalization, out.original.P);

  // Normals: a uniform scaling and a translation leave them as they are.
  const bool has = !out.original.N.empty();
  const std::string& mode = options_.normals;
  const auto k = static_cast<int>(options_.normal_neighbors);
  if (mode == "estimate" || (mode == "auto" && !has && loss.needs_normals())) {
    core::log::info("estimating normals from {} neighbours (PCA, oriented along a spanning tree){}",
              k, mode == "auto" ? ": the loss needs normals and the input has none" : "");
    out.normalized.N = geometry::estimate_normals(out.normalized.P, k);
  } else if (mode == "auto" && has) {
    out.normalized.N = out.original.N;
  } else if (loss.needs_normals()) {
    throw core::ConfigError(fmt::format(
        "experiment.normals: the loss needs normals but normals is '{}' (use auto or estimate)",
        mode));
  }
  if (!out.normalized.N.empty()) {
    for (auto& n : out.normalized.N) {  // unit length: the normal terms compare with grad f
      const float len = std::sqrt(n[0] * n[0] + n[1] * n[1] + n[2] * n[2]);
      NSDF_CHECK(len > 0, core::DataError, "{}: a normal has zero length", path);
      for (float& c : n) c /= len;
    }
  }

  const int64_t n = static_cast<int64_t>(out.normalized.P.size());
  if (options_.sigma_neighbors > 0) {
    NSDF_CHECK(n > options_.sigma_neighbors, core::DataError,
               "{}: {} points, but the per-point sigma needs more than sigma_neighbors = {} "
               "(lower experiment.sigma_neighbors, or 0 for a constant sigma)",
               path, n, options_.sigma_neighbors);
    out.sigma =
        geometry::local_sigmas(out.normalized.P, static_cast<int>(options_.sigma_neighbors));
  }

  std::string gt_path = options_.ground_truth.str();
  if (!gt_path.empty()) {
    geometry::InputPoints gt = geometry::read_input_points(gt_path, 1, seed);
    out.ground_truth = std::make_shared<const geometry::Mesh>(
        gt.from_mesh ? std::move(gt.mesh)
                     : geometry::Mesh{std::move(gt.cloud.P), {}, std::move(gt.cloud.N)});
  } else if (in.from_mesh || !options_.shape.empty()) {
    out.ground_truth = std::make_shared<const geometry::Mesh>(std::move(in.mesh));
  }
  return out;
}

namespace {

torch::Tensor to_tensor(const std::vector<geometry::Vec3f>& rows, torch::Device device) {
  return torch::from_blob(const_cast<geometry::Vec3f*>(rows.data()),
                          {static_cast<int64_t>(rows.size()), 3}, torch::kFloat32)
      .to(device, /*non_blocking=*/false, /*copy=*/true);
}

}  // namespace

void FitExperiment::run(RunContext& ctx) {
  const auto loss = loss_.build();
  const FitPoints points = load_points(*loss, ctx.seed);
  const int64_t n = static_cast<int64_t>(points.normalized.P.size());
  if (ctx.dir.is_writer()) {
    geometry::write_deepsdf_normalization((ctx.dir.path() / "normalization.npz").string(),
                                          points.normalization);
  }

  const auto decoder = model_.build(models::ModelContext{0});
  decoder->to(ctx.device);
  const auto optimizer = optimizer_.build({optim::ParamGroup{"decoder", decoder->parameters()}});
  const auto schedule = schedule_.build(options_.iterations);
  TrainerPlan tp;
  tp.label = "fit";
  tp.unit = "iter";
  tp.units = options_.iterations;
  tp.log_every = options_.log_every;
  tp.checkpoint_every = options_.checkpoint_every;
  Trainer trainer(ctx, TrainingState{*decoder, *optimizer, {}}, *schedule, nullptr, tp);
  const int64_t start = trainer.resume();

  const torch::Tensor xyz = to_tensor(points.normalized.P, ctx.device);
  const torch::Tensor normals =
      points.normalized.N.empty() ? torch::Tensor() : to_tensor(points.normalized.N, ctx.device);
  const torch::Tensor sigma =
      points.sigma.empty()
          ? torch::Tensor()
          : torch::from_blob(const_cast<float*>(points.sigma.data()), {n, 1}, torch::kFloat32)
                .to(ctx.device, false, true);
  const int64_t batch_size = std::min(options_.points_per_step, n);
  core::log::info("fit: {} points{}, {} per step, {} iterations", n,
            normals.defined() ? " with normals" : " without normals", batch_size,
            options_.iterations);

  decoder->train();
  const auto t0 = std::chrono::steady_clock::now();
  trainer.run(start, [&](int64_t it, int64_t) {
    losses::LossBatch batch;
    if (batch_size < n) {
      const torch::Tensor idx =
          torch::randperm(n, torch::kLong).slice(0, 0, batch_size).to(ctx.device);
      batch.xyz = xyz.index_select(0, idx);
      if (normals.defined()) batch.normals = normals.index_select(0, idx);
      if (sigma.defined()) batch.sigma = sigma.index_select(0, idx);
    } else {
      batch.xyz = xyz;
      batch.normals = normals;
      batch.sigma = sigma;
    }
    batch.epoch = it;
    return loss->compute(*decoder, batch);
  });
  const double fit_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  decoder->eval();
  if (options_.mesh_resolution == 0) return;
  geometry::ExtractionOptions eo =
      mesh_extraction_options(options_.mesh_resolution, options_.mesh_bound);
  eo.largest_component_only = options_.largest_component;
  const auto tm = std::chrono::steady_clock::now();
  const geometry::ExtractionResult extracted =
      geometry::extract_sparse(models::decoder_field(*decoder, {}, ctx.device, sdf_of(*loss)), eo);
  core::log::info(
      "mesh at {}^3: {} faces, {} field queries ({:.1f}x fewer than a dense grid), {:.1f} s",
      eo.resolution, extracted.mesh.F.size(), extracted.queries,
      static_cast<double>(extracted.dense_queries) / std::max<int64_t>(1, extracted.queries),
      std::chrono::duration<double>(std::chrono::steady_clock::now() - tm).count());
  NSDF_CHECK(!extracted.mesh.F.empty(), core::DataError,
             "the fitted field has no zero level set in [-{}, {}]^3: nothing to mesh",
             options_.mesh_bound, options_.mesh_bound);
  const geometry::Mesh mesh = geometry::denormalize_mesh(points.normalization, extracted.mesh);
  if (ctx.dir.is_writer()) {
    const std::string stem = shape_id();
    geometry::write_mesh(mesh, (ctx.dir.subdir("meshes") / (stem + ".ply")).string());
    if (options_.image_size > 0) {
      geometry::RenderOptions ro;
      ro.width = ro.height = static_cast<int>(options_.image_size);
      geometry::write_png(geometry::render_panels({{points.original}, {mesh}}, ro),
                          (ctx.dir.subdir("images") / (stem + ".png")).string());
    }
  }
  evaluate(ctx, points, *decoder, *loss, mesh, fit_seconds);
}

void FitExperiment::evaluate(RunContext& ctx, const FitPoints& points, models::Decoder& decoder,
                             const losses::Loss& loss, const geometry::Mesh& mesh,
                             double fit_seconds) const {
  core::JsonObject summary;
  const uint64_t seed = ctx.seed;
  const geometry::PointsToSurface d =
      geometry::points_to_surface(mesh, points.original.P, options_.eval_points, seed);
  const double mean = d.mean, worst = d.max;
  const double diagonal = geometry::bounding_box_diagonal(points.original.P);
  const geometry::TopologyReport topo = geometry::analyze_topology(mesh);
  summary.add("points", static_cast<int64_t>(points.original.P.size()))
      .add("input_to_mesh_mean", mean)
      .add("input_to_mesh_max", worst)
      .add("input_bbox_diagonal", diagonal)
      .add("input_to_mesh_mean_relative", mean / diagonal)
      .add("mesh_vertices", static_cast<int64_t>(mesh.V.size()))
      .add("mesh_faces", static_cast<int64_t>(mesh.F.size()))
      .add("mesh_components", topo.components)
      .add("mesh_watertight", static_cast<int64_t>(topo.watertight))
      .add("fit_seconds", fit_seconds);
  std::string report = fmt::format("input->mesh mean {:.5g} ({:.4f}% of the diagonal), max {:.5g}",
                                   mean, 100 * mean / diagonal, worst);

  if (!evaluators_.empty()) {
    if (!points.ground_truth) {
      core::log::warn(
          "no ground_truth: the eval evaluators are skipped (set experiment.ground_truth)");
    } else {
      std::vector<std::shared_ptr<eval::Evaluator>> evaluators;
      for (const auto& spec : evaluators_) evaluators.push_back(spec.build());
      eval::EvalInput input;
      input.shape_id = shape_id();
      // The field in original units: normalize the query, scale the distance back.
      const geometry::FieldFn normalized =
          models::decoder_field(decoder, {}, ctx.device, sdf_of(loss));
      const geometry::Normalization norm = points.normalization;
      input.field = [normalized, norm](const float* xyz, int64_t count, float* out) {
        std::vector<float> q(xyz, xyz + 3 * count);
        for (int64_t i = 0; i < count; ++i)
          for (int c = 0; c < 3; ++c)
            q[3 * i + c] = static_cast<float>((q[3 * i + c] + norm.offset[c]) * norm.scale);
        normalized(q.data(), count, out);
        for (int64_t i = 0; i < count; ++i) out[i] = static_cast<float>(out[i] / norm.scale);
      };
      input.prediction = std::make_shared<const geometry::Mesh>(mesh);
      input.ground_truth = points.ground_truth;
      for (const auto& [name, value] : run_evaluators(evaluators, input)) {
        summary.add(name, value);
        report += fmt::format("  {} {:.5g}", name, value);
      }
    }
  }
  if (ctx.dir.is_writer())
    core::write_file_atomic((ctx.dir.subdir("eval") / "metrics.json").string(), summary.pretty());
  core::log::info("eval: {}; mesh {} components, {}", report, topo.components,
            topo.watertight ? "watertight" : "not watertight");
}

}  // namespace nsdf::experiments
