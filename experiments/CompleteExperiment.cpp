#include "experiments/CompleteExperiment.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>

#include "core/Checkpoint.h"
#include "core/Files.h"
#include "core/Log.h"
#include "core/Progress.h"
#include "experiments/ExperimentSupport.h"
#include "experiments/ShapeEvaluation.h"
#include "experiments/Trainer.h"
#include "geometry/MeshIo.h"
#include "geometry/Normalization.h"
#include "geometry/Render.h"
#include "geometry/SurfaceDistance.h"

namespace nsdf::experiments {

namespace fs = std::filesystem;

void CompleteOptions::declare(core::OptionSet<CompleteOptions>& s) {
  using O = CompleteOptions;
  declare_run_name(s);
  s.add("model", &O::model,
        "the folder of a finished `train` run: its decoder, latent size, training shapes and "
        "codes")
      .required();
  s.add("views", &O::views,
        "with a data section: the stored depth views (views/<k> of the sample file) that make "
        "each shape's observation; several views are one observation")
      .check([](const std::vector<int64_t>& v) {
        return !v.empty() && std::all_of(v.begin(), v.end(), [](int64_t k) { return k >= 0; })
                   ? std::string()
                   : "must list at least one view index >= 0";
      }, "view indices");
  s.add("shapes", &O::shapes, "complete only these shape ids of data (default: all)");
  s.add("inits", &O::inits,
        "codes optimized per observation: one from N(0, init_std^2), the others from the "
        "training codes that explain the observation best; the lowest observation loss wins")
      .positive();
  s.add("init_std", &O::init_std, "std of the first initial code (DeepSDF: 0.01)").non_negative();
  s.add("iterations", &O::iterations, "optimizer steps").positive();
  s.add("samples_per_iteration", &O::samples_per_iteration,
        "SDF samples per code and step: half at +eta, half at -eta along the normals of "
        "random observed points")
      .positive();
  s.add("free_space_samples", &O::free_space_samples,
        "free-space samples per code and step: half on the rays in front of observed points, "
        "half on the rays of depth pixels without a return (the silhouette), when the views "
        "have them (0: none)")
      .non_negative();
  s.add("eta", &O::eta,
        "offset of the SDF samples along the normal (shape-space units); below half the "
        "thickness of thin parts (chairs: 0.01 gives chamfer_l1 0.057 against 0.072 with "
        "0.025)")
      .positive();
  s.add("free_space_depth", &O::free_space_depth,
        "free-space samples lie up to this far before the observed surface along the ray "
        "(shape-space units)")
      .positive();
  s.add("free_space_weight", &O::free_space_weight,
        "weight of the one-sided free-space term mean(relu(-sdf)) (0: off)")
      .non_negative();
  s.add("frame", &O::frame,
        "the observation's map into the shape space's frame: auto (the known one, else own), "
        "known (error without one), own (the points' own unit-sphere normalization), centroid "
        "(the points' mean to the origin, no scaling), identity")
      .one_of({"auto", "known", "own", "centroid", "identity"});
  s.add("similarity", &O::similarity,
        "optimize a scale and translation per code jointly with it, starting from `frame`");
  s.add("similarity_scale", &O::similarity_scale,
        "with similarity: optimize the scale too (false: the translation only, for "
        "observations in the shape space's units, e.g. metres for IGR's humans)");
  s.add("normal_neighbors", &O::normal_neighbors, "k of the normal estimation (>= 3)")
      .range(3, 1000);
  s.add("observations_per_batch", &O::observations_per_batch,
        "observations optimized together (each with `inits` codes)")
      .positive();
  declare_inference(s);
  s.add("image_size", &O::image_size,
        "pixels per panel of images/<id>.png: input | completion | ground truth (0: none)")
      .non_negative();
}

CompleteExperiment::CompleteExperiment(const Options& options, const ExperimentInputs& in)
    : options_(options) {
  const Registries& r = in.registries;
  if (!options_.model.empty())
    model_ = TrainedModel::parse(in, options_.model.str(), "experiment.model");
  // `data: {}` and `observation: {}` (as configs/deepsdf/complete.yaml has, so that data.type=...
  // or experiment.observation.type=... can be given on the command line) are no sections.
  in.root.expect_keys({"data"});
  const core::ConfigNode data = in.root.get("data");
  const bool has_data = data && !(data.is_map() && data.entries().empty());
  if (has_data) data_ = parse_section(in, r.datasets, "data");
  const core::ConfigNode experiment = in.root.get("experiment");
  experiment.expect_keys({"observation"});
  const core::ConfigNode observation = experiment.get("observation");
  if (observation && !(observation.is_map() && observation.entries().empty())) {
    observation_ = core::parse_component(experiment, "observation", r.observations, in.diag);
    if (observation_) in.resolved.get("experiment").set("observation", observation_.resolved);
  } else if (!has_data) {
    in.diag.error(experiment.mark(), "experiment.observation",
                  "complete needs observations: a data section (a sample file with depth "
                  "views; experiment.views picks them) or experiment.observation (type depth "
                  "or scan)",
                  "");
  }
  loss_ = parse_section(in, r.losses, "loss");
  optimizer_ = parse_section(in, r.optimizers, "optimizer");
  schedule_ = parse_section(in, r.schedules, "schedule");
  evaluators_ = parse_evaluators(in);
}

namespace {

/// One observation, ready to optimize on.
struct Target {
  std::string id;
  std::string shape_class;
  int64_t dataset_index = -1;              // ground truth from the dataset when >= 0
  geometry::PointCloud observed;           // observed points and normals, observation frame
  geometry::PointCloud ground_truth;       // observation frame; may be empty
  geometry::Normalization frame;           // observation frame -> shape space (initial)
  torch::Tensor points, normals, to_camera;  // [P, 3] shape-space frame (initial map)
  torch::Tensor camera_rows;               // int64 rows of points seen by a camera
  torch::Tensor background;                // [F, 3] free points off the silhouette, or empty
  torch::Tensor eval_points, eval_free;    // fixed subsets for the observation loss
  torch::Tensor eval_background;
};

/// The observation's initial map into the shape space's frame.
geometry::Normalization initial_frame(const std::string& mode,
                                      const std::optional<geometry::Normalization>& known,
                                      const std::vector<geometry::Vec3f>& points,
                                      const std::string& id, bool similarity) {
  if (mode == "known" || (mode == "auto" && known)) {
    NSDF_CHECK(known, core::DataError,
               "{}: experiment.frame is 'known' but the observation has no known frame (set "
               "observation.offset and scale, or use frame own / centroid / identity)",
               id);
    return *known;
  }
  if (mode == "identity") return {};
  if (mode == "centroid") return geometry::mean_centering_normalization(points, false);
  if (!similarity)
    core::log::warn(
        "{}: no known frame: the observation is normalized by its own extent, which is wrong "
        "for a partial view (smaller, off-centre); give observation.offset / scale, or set "
        "experiment.similarity=true to optimize the frame with the code",
        id);
  return geometry::unit_sphere_normalization(points);
}

torch::Tensor to_tensor(const std::vector<geometry::Vec3f>& v) {
  return torch::from_blob(const_cast<geometry::Vec3f*>(v.data()),
                          {static_cast<int64_t>(v.size()), 3}, torch::kFloat32)
      .clone();
}

/// `n` row indices in [0, count), a seeded random subset when count > n, else all.
torch::Tensor subset(int64_t count, int64_t n, uint64_t seed) {
  if (count <= n) return torch::arange(count, torch::kInt64);
  torch::Generator gen = at::detail::createCPUGenerator(seed);
  return torch::randperm(count, gen, torch::kInt64).slice(0, 0, n);
}

}  // namespace

void CompleteExperiment::run(RunContext& ctx) {
  const auto loss = loss_.build();
  NSDF_CHECK(loss->regresses_sdf(), core::ConfigError,
             "complete optimizes codes on SDF samples made from the observation (DeepSDF Sec. "
             "6.3): loss '{}' does not regress SDF values; use clamped_l1 (it works for IGR "
             "shape spaces too)",
             loss_.type);
  const auto decoder = model_.load_decoder(ctx.device);
  const int64_t latent = model_.latent_size();
  const torch::Device dev = ctx.device;

  // The observations.
  std::shared_ptr<const data::ShapeDataset> dataset;
  if (data_) dataset = data_.build();
  std::vector<data::ObservedShape> observed;
  std::vector<int64_t> dataset_index;
  if (observation_) {
    const auto source = observation_.build();
    for (int64_t i = 0; i < source->size(); ++i) {
      observed.push_back(source->load(i));
      dataset_index.push_back(dataset ? dataset->index_of(observed.back().id) : -1);
    }
  } else {
    for (const int64_t i : selected_shapes(*dataset, options_.shapes)) {
      const std::vector<geometry::ObservedView> views = dataset->depth_views(i);
      data::ObservedShape s;
      s.id = dataset->shape_id(i);
      const geometry::Normalization n = dataset->normalization(i);
      for (const int64_t k : options_.views) {
        NSDF_CHECK(k < static_cast<int64_t>(views.size()), core::DataError,
                   "shape '{}' has {} stored depth view{} (dataset '{}'), experiment.views asks "
                   "for view {}{}",
                   s.id, views.size(), views.size() == 1 ? "" : "s", data_.type, k,
                   views.empty() ? "; preprocess the shapes with views.count > 0" : "");
        geometry::ObservedView v = views[static_cast<size_t>(k)];
        geometry::denormalize_points_in_place(n, v.points);  // stored in normalized units
        geometry::denormalize_points_in_place(n, v.free_points);
        if (v.camera) {
          const auto c = geometry::denormalize_point(n, *v.camera);
          v.camera = c;
        }
        s.observation.views.push_back(std::move(v));
      }
      s.frame = n;
      s.ground_truth = dataset->surface(i);
      observed.push_back(std::move(s));
      dataset_index.push_back(i);
    }
  }
  NSDF_CHECK(!observed.empty(), core::DataError, "no observation to complete");

  std::vector<Target> targets;
  for (size_t o = 0; o < observed.size(); ++o) {
    data::ObservedShape& s = observed[o];
    const geometry::PreparedObservation prepared = geometry::prepare_observation(
        s.observation, static_cast<int>(options_.normal_neighbors), "observation '" + s.id + "'");
    Target t;
    t.id = s.id;
    t.dataset_index = dataset_index[o];
    t.shape_class = t.dataset_index >= 0 ? dataset->shape_class(t.dataset_index) : "";
    t.observed = geometry::PointCloud{prepared.points, prepared.normals};
    t.ground_truth = std::move(s.ground_truth);
    t.frame = initial_frame(options_.frame, s.frame, prepared.points, s.id, options_.similarity);
    t.points = to_tensor(geometry::normalize_points(t.frame, prepared.points)).to(dev);
    t.normals = to_tensor(prepared.normals).to(dev);
    t.to_camera = to_tensor(prepared.to_camera).to(dev);
    std::vector<int64_t> rows;
    for (size_t i = 0; i < prepared.to_camera.size(); ++i)
      if (prepared.to_camera[i] != geometry::Vec3f{0, 0, 0}) rows.push_back(static_cast<int64_t>(i));
    t.camera_rows = torch::tensor(rows, torch::kInt64).to(dev);
    t.background =
        to_tensor(geometry::normalize_points(t.frame, prepared.free_points)).to(dev);
    t.eval_background = t.background.index_select(
        0, subset(t.background.size(0), 4000, ctx.seed + 104729 * (o + 1)).to(dev));
    const auto count = static_cast<int64_t>(prepared.points.size());
    t.eval_points = subset(count, 4000, ctx.seed + o).to(dev);
    t.eval_free = rows.empty() ? torch::Tensor()
                               : t.camera_rows.index_select(
                                     0, subset(static_cast<int64_t>(rows.size()), 4000,
                                               ctx.seed + 7919 * (o + 1))
                                            .to(dev));
    targets.push_back(std::move(t));
  }
  const int64_t with_camera = std::count_if(targets.begin(), targets.end(), [](const Target& t) {
    return t.camera_rows.numel() > 0;
  });
  if (with_camera < static_cast<int64_t>(targets.size()) && options_.free_space_samples > 0)
    core::log::warn("{} of {} observations have no camera: no free-space samples for them",
                    targets.size() - with_camera, targets.size());

  // The observation loss of codes z [C, L] (with scales s [C, 1] and translations t [C, 3]) on
  // target `tg`, per code: mean |sdf| at the observed points and the free-space violation, both
  // divided by the scale (observation units).
  const double free_depth = options_.free_space_depth;
  auto observation_loss = [&](const Target& tg, const torch::Tensor& z, const torch::Tensor& s,
                              const torch::Tensor& t) {
    torch::NoGradGuard no_grad;
    const int64_t c = z.size(0);
    const torch::Tensor p = tg.points.index_select(0, tg.eval_points);
    const int64_t e = p.size(0);
    torch::Tensor xyz = p.unsqueeze(0) * s.view({c, 1, 1}) + t.view({c, 1, 3});
    torch::Tensor sdf =
        loss->to_sdf(decoder->forward_shapes(z, e, xyz.reshape({c * e, 3}))).view({c, e});
    torch::Tensor total = sdf.abs().mean(1) / s.view({c});
    if (tg.eval_free.defined() && options_.free_space_weight > 0) {
      const int64_t m = tg.eval_free.size(0);
      const torch::Tensor base = tg.points.index_select(0, tg.eval_free);
      const torch::Tensor dir = tg.to_camera.index_select(0, tg.eval_free);
      const torch::Tensor delta =
          torch::linspace(0, free_depth, m, torch::TensorOptions().device(dev)).view({m, 1});
      torch::Tensor q = base.unsqueeze(0) * s.view({c, 1, 1}) + t.view({c, 1, 3}) +
                        (delta * dir).unsqueeze(0);
      torch::Tensor f =
          loss->to_sdf(decoder->forward_shapes(z, m, q.reshape({c * m, 3}))).view({c, m});
      total = total + options_.free_space_weight * torch::relu(-f).mean(1) / s.view({c});
    }
    if (tg.eval_background.size(0) > 0 && options_.free_space_weight > 0) {
      const int64_t m = tg.eval_background.size(0);
      torch::Tensor q = tg.eval_background.unsqueeze(0) * s.view({c, 1, 1}) + t.view({c, 1, 3});
      torch::Tensor f =
          loss->to_sdf(decoder->forward_shapes(z, m, q.reshape({c * m, 3}))).view({c, m});
      total = total + options_.free_space_weight * torch::relu(-f).mean(1) / s.view({c});
    }
    return total;
  };

  // Candidate initial codes: the training codes (up to 256, seeded subset).
  torch::Tensor candidates;
  if (options_.inits > 1) {
    std::map<std::string, torch::Tensor> codes;
    try {
      codes = model_.codes();
    } catch (const core::Error& e) {
      core::log::warn("no training codes for the extra initializations ({}): all from N(0, "
                      "init_std^2)",
                      e.what());
    }
    std::vector<torch::Tensor> list;
    for (const auto& [id, code] : codes) list.push_back(code.to(torch::kFloat32));
    if (!list.empty()) {
      candidates = torch::stack(list);
      candidates = candidates.index_select(
          0, subset(candidates.size(0), 256, ctx.seed ^ 0x5eedULL)).to(dev);
    }
  }

  // Codes and frames of batches finished before a kill.
  std::map<std::string, torch::Tensor> codes, frames;
  const fs::path latents_file = ctx.dir.path() / "latents" / "latents.pt";
  const fs::path frames_file = ctx.dir.path() / "latents" / "frames.pt";
  if (ctx.resume && fs::exists(latents_file) && fs::exists(frames_file)) {
    codes = core::Checkpoint::load(latents_file.string()).tensors();
    frames = core::Checkpoint::load(frames_file.string()).tensors();
  }
  auto save = [&]() {
    if (!ctx.dir.is_writer()) return;
    core::Checkpoint a, b;
    for (const auto& [id, z] : codes) a.put(id, z);
    for (const auto& [id, f] : frames) b.put(id, f);
    const fs::path folder = ctx.dir.subdir("latents");
    b.save((folder / "frames.pt").string());  // frames first: a code without its frame is not done
    a.save((folder / "latents.pt").string());
  };

  const int64_t per_batch = options_.observations_per_batch;
  const int64_t inits = options_.inits;
  const auto n_targets = static_cast<int64_t>(targets.size());
  const int64_t num_batches = (n_targets + per_batch - 1) / per_batch;
  core::log::info(
      "complete: {} observation{} in {} batch{} of up to {} x {} inits, {} iterations x ({} "
      "SDF + {} free-space samples) per code, frame {}{}, decoder of {} (frozen)",
      n_targets, n_targets == 1 ? "" : "s", num_batches, num_batches == 1 ? "" : "es",
      per_batch, inits, options_.iterations, options_.samples_per_iteration,
      options_.free_space_samples, options_.frame,
      options_.similarity ? " + optimized similarity" : "", model_.train_dir());
  std::map<std::string, double> seconds_of, loss_of;
  const int64_t half = std::max<int64_t>(1, options_.samples_per_iteration / 2);
  const int64_t rows_per_code = 2 * half;
  for (int64_t c = 0; c < num_batches; ++c) {
    const int64_t first = c * per_batch;
    const int64_t count = std::min(per_batch, n_targets - first);
    bool done = true;
    for (int64_t o = first; o < first + count; ++o)
      done = done && codes.count(targets[static_cast<size_t>(o)].id) &&
             frames.count(targets[static_cast<size_t>(o)].id);
    if (done) continue;
    const int64_t b_codes = count * inits;

    // Initial codes: N(0, init_std^2), then the best-explaining training codes.
    std::vector<torch::Tensor> init;
    for (int64_t o = first; o < first + count; ++o) {
      const Target& tg = targets[static_cast<size_t>(o)];
      init.push_back(initial_code(ctx.seed, o * inits, latent, options_.init_std).to(dev));
      std::vector<int64_t> order;
      if (candidates.defined()) {
        const int64_t k = candidates.size(0);
        const torch::Tensor ones = torch::ones({k, 1}, torch::TensorOptions().device(dev));
        const torch::Tensor scores =
            observation_loss(tg, candidates, ones, torch::zeros({k, 3}, ones.options()));
        const torch::Tensor sorted = std::get<1>(scores.sort()).cpu();
        for (int64_t j = 0; j < k; ++j) order.push_back(sorted[j].item<int64_t>());
      }
      for (int64_t k = 1; k < inits; ++k) {
        if (static_cast<size_t>(k - 1) < order.size())
          init.push_back(candidates[order[static_cast<size_t>(k - 1)]].clone());
        else
          init.push_back(initial_code(ctx.seed, o * inits + k, latent, 0.1).to(dev));
      }
    }
    torch::Tensor z = torch::stack(init).detach().requires_grad_(true);
    torch::Tensor log_s = torch::zeros({b_codes, 1}, torch::TensorOptions().device(dev));
    torch::Tensor shift = torch::zeros({b_codes, 3}, torch::TensorOptions().device(dev));
    std::vector<torch::Tensor> params{z};
    std::vector<std::pair<std::string, torch::Tensor>> extra;
    if (options_.similarity) {
      shift.requires_grad_(true);
      params.push_back(shift);
      extra = {{"frame.translation", shift}};
      if (options_.similarity_scale) {
        log_s.requires_grad_(true);
        params.push_back(log_s);
        extra.emplace_back("frame.log_scale", log_s);
      }
    }
    const auto optimizer = optimizer_.build({optim::ParamGroup{"latent", params}});
    const auto schedule = schedule_.build(options_.iterations);

    TrainerPlan tp;
    tp.label = num_batches == 1 ? "complete" : fmt::format("complete {}/{}", c + 1, num_batches);
    tp.unit = "iter";
    tp.units = options_.iterations;
    tp.step_offset = c * options_.iterations;
    tp.log_every = options_.log_every;
    tp.checkpoint_every = options_.checkpoint_every;
    tp.keep_checkpoints = false;
    tp.loss_scale = static_cast<double>(b_codes);
    TrainingState state{*decoder, *optimizer, z, /*save_decoder=*/false, extra};
    Trainer trainer(ctx, state, *schedule, nullptr, tp);
    const int64_t start = trainer.resume();
    const auto t0 = std::chrono::steady_clock::now();
    const auto fopts = torch::TensorOptions().device(dev);
    trainer.run(start, [&](int64_t it, int64_t) {
      std::vector<torch::Tensor> base, dir, delta, fbase, fdir, fdelta, fcode;
      for (int64_t b = 0; b < b_codes; ++b) {
        const Target& tg = targets[static_cast<size_t>(first + b / inits)];
        const torch::Tensor idx =
            torch::randint(tg.points.size(0), {half}, torch::TensorOptions().dtype(torch::kInt64).device(dev));
        const torch::Tensor p = tg.points.index_select(0, idx);
        const torch::Tensor n = tg.normals.index_select(0, idx);
        base.push_back(torch::cat({p, p}));
        dir.push_back(torch::cat({n, n}));
        delta.push_back(torch::cat({torch::full({half, 1}, options_.eta, fopts),
                                    torch::full({half, 1}, -options_.eta, fopts)}));
        const bool ray = tg.camera_rows.numel() > 0, silhouette = tg.background.size(0) > 0;
        const int64_t free_rows = options_.free_space_weight > 0 ? options_.free_space_samples : 0;
        if (free_rows > 0 && silhouette) {  // half off the silhouette when there are such points
          const int64_t m = ray ? free_rows / 2 : free_rows;
          fbase.push_back(tg.background.index_select(
              0, torch::randint(tg.background.size(0), {m},
                                torch::TensorOptions().dtype(torch::kInt64).device(dev))));
          fdir.push_back(torch::zeros({m, 3}, fopts));
          fdelta.push_back(torch::zeros({m, 1}, fopts));
          fcode.push_back(torch::full({m}, b, torch::TensorOptions().dtype(torch::kInt64).device(dev)));
        }
        if (free_rows > 0 && ray) {
          const int64_t m = silhouette ? free_rows - free_rows / 2 : free_rows;
          const torch::Tensor rows = tg.camera_rows.index_select(
              0, torch::randint(tg.camera_rows.size(0), {m},
                                torch::TensorOptions().dtype(torch::kInt64).device(dev)));
          fbase.push_back(tg.points.index_select(0, rows));
          fdir.push_back(tg.to_camera.index_select(0, rows));
          fdelta.push_back(torch::rand({m, 1}, fopts) * free_depth);
          fcode.push_back(torch::full({m}, b, torch::TensorOptions().dtype(torch::kInt64).device(dev)));
        }
      }
      const torch::Tensor scale = log_s.exp();
      losses::LossBatch batch;
      const torch::Tensor d = torch::cat(delta);
      batch.xyz = torch::cat(base) * scale.repeat_interleave(rows_per_code, 0) +
                  shift.repeat_interleave(rows_per_code, 0) + d * torch::cat(dir);
      batch.sdf = d;
      batch.codes = z;
      batch.latent = z.repeat_interleave(rows_per_code, 0);
      batch.rows_per_code = rows_per_code;
      batch.epoch = it;
      losses::LossResult result = loss->compute(*decoder, batch);
      if (!fbase.empty()) {
        const torch::Tensor code_of = torch::cat(fcode);
        const torch::Tensor q = torch::cat(fbase) * scale.index_select(0, code_of) +
                                shift.index_select(0, code_of) +
                                torch::cat(fdelta) * torch::cat(fdir);
        const torch::Tensor f = loss->to_sdf(decoder->forward(z.index_select(0, code_of), q));
        const torch::Tensor free_term = torch::relu(-f).mean();
        result.total = result.total + options_.free_space_weight * free_term;
        result.terms.emplace_back("free_space", free_term);
      }
      return result;
    });
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    // The best initialization of each observation.
    for (int64_t o = 0; o < count; ++o) {
      const Target& tg = targets[static_cast<size_t>(first + o)];
      const torch::Tensor zs = z.detach().slice(0, o * inits, (o + 1) * inits);
      const torch::Tensor ss = log_s.detach().slice(0, o * inits, (o + 1) * inits).exp();
      const torch::Tensor ts = shift.detach().slice(0, o * inits, (o + 1) * inits);
      const torch::Tensor scores = observation_loss(tg, zs, ss, ts).cpu();
      const int64_t best = scores.argmin().item<int64_t>();
      codes[tg.id] = zs[best].cpu().clone();
      frames[tg.id] = torch::cat({ss[best], ts[best]}).cpu().clone();
      loss_of[tg.id] = scores[best].item<double>();
      if (start == 0) seconds_of[tg.id] = seconds / static_cast<double>(count);
      if (inits > 1)
        core::log::info("{}: init {} of {} wins (observation loss {:.5g}, first init {:.5g})",
                        tg.id, best, inits, scores[best].item<double>(), scores[0].item<double>());
    }
    save();
  }

  // Meshes in the observation's units, evaluation, pictures.
  std::vector<std::shared_ptr<eval::Evaluator>> evaluators;
  for (const auto& spec : evaluators_) evaluators.push_back(spec.build());
  const ShapeMeshing meshing{options_.mesh_resolution, options_.mesh_bound,
                             options_.largest_component};
  std::unique_ptr<NearestTraining> nearest;
  if (options_.compare_training &&
      std::any_of(targets.begin(), targets.end(),
                  [](const Target& t) { return !t.ground_truth.P.empty(); }))
    nearest = std::make_unique<NearestTraining>(model_.training_data(), options_.compare_points,
                                                ctx.seed);
  EvaluationTable table;
  std::string frames_csv = "shape,offset_x,offset_y,offset_z,scale\n";
  core::Progress progress("meshes", n_targets, 0, "shapes");
  int64_t n_done = 0;
  for (const Target& tg : targets) {
    const torch::Tensor f = frames.at(tg.id);
    const double s = f[0].item<double>();
    // x_model = s ((x + offset) scale) + t = (x + offset + t / (s scale)) (s scale)
    geometry::Normalization map = tg.frame;
    map.scale = tg.frame.scale * s;
    for (int k = 0; k < 3; ++k) map.offset[k] += f[1 + k].item<double>() / map.scale;
    frames_csv += fmt::format("{},{},{},{},{}\n", tg.id, map.offset[0], map.offset[1],
                              map.offset[2], map.scale);
    geometry::Mesh mesh;
    const fs::path mesh_file = ctx.dir.path() / "meshes" / (tg.id + ".ply");
    if (options_.mesh_resolution > 0) {
      if (ctx.resume && fs::exists(mesh_file)) {
        mesh = geometry::read_mesh(mesh_file.string());
      } else {
        mesh = geometry::denormalize_mesh(
            map, extract_shape_mesh(*decoder, codes.at(tg.id).to(dev), *loss, dev, meshing,
                                    tg.id));
        write_shape_mesh(ctx.dir, tg.id, mesh);
      }
    }
    eval::Metrics metrics;
    if (!tg.ground_truth.P.empty() && !mesh.F.empty()) {
      eval::EvalInput input;
      input.shape_id = tg.id;
      input.prediction = std::make_shared<const geometry::Mesh>(mesh);
      input.ground_truth = std::make_shared<const geometry::Mesh>(
          geometry::Mesh{tg.ground_truth.P, {}, tg.ground_truth.N});
      metrics = run_evaluators(evaluators, input);
    }
    if (!mesh.F.empty()) {
      const geometry::PointsToSurface d =
          geometry::points_to_surface(mesh, tg.observed.P, 100000, ctx.seed);
      metrics.emplace_back("observed_to_completion_mean", d.mean);
      metrics.emplace_back("observed_to_completion_max", d.max);
    }
    if (loss_of.count(tg.id)) metrics.emplace_back("observation_loss", loss_of[tg.id]);
    metrics.emplace_back("observed_points", static_cast<double>(tg.observed.P.size()));
    if (seconds_of.count(tg.id)) metrics.emplace_back("seconds", seconds_of[tg.id]);
    if (nearest && !tg.ground_truth.P.empty()) {
      const NearestTraining::Match m = nearest->nearest(tg.ground_truth);
      if (!m.id.empty()) {
        metrics.emplace_back("nearest_training_chamfer_l1", m.chamfer_l1);
        metrics.emplace_back("nearest_training_chamfer_l2", m.chamfer_l2);
      }
    }
    table.add(tg.id, tg.shape_class, metrics);
    if (options_.image_size > 0 && ctx.dir.is_writer()) {
      std::vector<geometry::RenderPanel> panels{{tg.observed}};
      if (!mesh.F.empty()) panels.push_back({mesh});
      if (!tg.ground_truth.P.empty()) panels.push_back({tg.ground_truth});
      geometry::RenderOptions ro;
      ro.width = ro.height = static_cast<int>(options_.image_size);
      const fs::path image = ctx.dir.subdir("images") / (tg.id + ".png");
      fs::create_directories(image.parent_path());
      geometry::write_png(geometry::render_panels(panels, ro), image.string());
    }
    progress.update(++n_done);
  }
  progress.finish();
  if (ctx.dir.is_writer())
    core::write_file_atomic((ctx.dir.subdir("latents") / "frames.csv").string(), frames_csv);
  table.write(
      ctx.dir, "Completion: " + name(),
      fmt::format(
          "{} observations completed with the decoder of `{}`: {} iterations x ({} SDF samples "
          "at +-{} along the normals + {} free-space samples up to {} before the surface, "
          "weight {}) per code, {} initializations per observation, frame {}{}; meshes at {}^3 "
          "in the observation's units. `observed_to_completion_*`: distance from the observed "
          "points to the completed surface (observation units). `observation_loss`: mean "
          "|sdf| at the observed points + the free-space term, per unit of the observation. "
          "`nearest_training_*`: Chamfer between the ground truth and the closest training "
          "shape's ground truth ({} points each).",
          n_targets, model_.train_dir(), options_.iterations, rows_per_code, options_.eta,
          options_.free_space_samples, options_.free_space_depth, options_.free_space_weight,
          inits, options_.frame, options_.similarity ? " + optimized similarity" : "",
          options_.mesh_resolution, options_.compare_points));
}

}  // namespace nsdf::experiments
