#include "experiments/ReconstructExperiment.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <set>

#include "core/Checkpoint.h"
#include "core/Files.h"
#include "core/Log.h"
#include "core/Progress.h"
#include "data/BatchLoader.h"
#include "experiments/ExperimentSupport.h"
#include "experiments/ShapeBatch.h"
#include "experiments/ShapeEvaluation.h"
#include "experiments/ShapePictures.h"
#include "experiments/Trainer.h"
#include "geometry/MeshIo.h"

namespace nsdf::experiments {

namespace fs = std::filesystem;

void ReconstructOptions::declare(core::OptionSet<ReconstructOptions>& s) {
  using O = ReconstructOptions;
  declare_run_name(s);
  s.add("model", &O::model,
        "the folder of a finished `train` run: its decoder, latent size and training shapes")
      .required();
  s.add("shapes", &O::shapes, "reconstruct only these shape ids (default: every shape of data)");
  s.add("iterations", &O::iterations, "optimizer steps per shape (DeepSDF: 800)").positive();
  s.add("samples_per_shape", &O::samples_per_shape,
        "rows per shape and step: SDF samples (half sdf >= 0, half < 0) or surface points "
        "(DeepSDF: 8000)")
      .positive();
  s.add("shapes_per_batch", &O::shapes_per_batch,
        "shapes optimized together (each code sees only its own shape's rows)")
      .positive();
  s.add("init_std", &O::init_std, "std of the initial codes (DeepSDF: 0.01)").non_negative();
  declare_inference(s);
  declare_gallery(s);
}

ReconstructExperiment::ReconstructExperiment(const Options& options, const ExperimentInputs& in)
    : options_(options) {
  const Registries& r = in.registries;
  if (!options_.model.empty()) model_ = TrainedModel::parse(in, options_.model.str(), "experiment.model");
  data_ = parse_section(in, r.datasets, "data");
  loss_ = parse_section(in, r.losses, "loss");
  optimizer_ = parse_section(in, r.optimizers, "optimizer");
  schedule_ = parse_section(in, r.schedules, "schedule");
  evaluators_ = parse_evaluators(in);
}

namespace {

void save_codes(const core::RunDir& dir, const std::map<std::string, torch::Tensor>& codes) {
  if (!dir.is_writer()) return;
  core::Checkpoint ck;
  for (const auto& [id, code] : codes) ck.put(id, code);
  ck.save((dir.subdir("latents") / "latents.pt").string());
}

}  // namespace

void ReconstructExperiment::run(RunContext& ctx) {
  const std::shared_ptr<const data::ShapeDataset> dataset = data_.build();
  const auto loss = loss_.build();
  check_loss_fits_data(*loss, loss_.type, dataset->kind(), data_.type);
  const auto decoder = model_.load_decoder(ctx.device);
  const int64_t latent = model_.latent_size();

  // The shapes, in dataset order (or the order of `shapes`).
  const std::vector<int64_t> indices = selected_shapes(*dataset, options_.shapes);
  NSDF_CHECK(!indices.empty(), core::DataError, "the dataset has no shapes to reconstruct");

  // Codes of batches finished before a kill.
  std::map<std::string, torch::Tensor> codes;
  const fs::path latents_file = ctx.dir.path() / "latents" / "latents.pt";
  if (ctx.resume && fs::exists(latents_file))
    codes = core::Checkpoint::load(latents_file.string()).tensors();

  const int64_t per_batch = options_.shapes_per_batch;
  const auto num_batches = static_cast<int64_t>((indices.size() + per_batch - 1) / per_batch);
  core::log::info(
      "reconstruct: {} shapes ({}) in {} batch{} of up to {}, {} iterations x {} {} each, "
      "decoder of {} (frozen), codes of size {}",
      indices.size(), data_.type, num_batches, num_batches == 1 ? "" : "es", per_batch,
      options_.iterations, options_.samples_per_shape,
      dataset->kind() == data::SampleKind::Sdf ? "SDF samples" : "surface points",
      model_.train_dir(), latent);
  std::map<std::string, double> seconds_per_shape;
  for (int64_t c = 0; c < num_batches; ++c) {
    const auto begin = indices.begin() + c * per_batch;
    const std::vector<int64_t> chunk(begin, begin + std::min<int64_t>(
                                                       per_batch, indices.end() - begin));
    const bool done = std::all_of(chunk.begin(), chunk.end(), [&](int64_t i) {
      return codes.count(dataset->shape_id(i)) > 0;
    });
    if (done) continue;
    const auto k = static_cast<int64_t>(chunk.size());
    std::vector<torch::Tensor> init;
    for (const int64_t i : chunk)
      init.push_back(initial_code(ctx.seed, i, latent, options_.init_std));
    torch::Tensor z = torch::stack(init).to(ctx.device).requires_grad_(true);
    const auto optimizer = optimizer_.build({optim::ParamGroup{"latent", {z}}});
    const auto schedule = schedule_.build(options_.iterations);

    data::BatchPlan plan;
    plan.shapes = chunk;
    plan.shapes_per_batch = k;
    plan.samples_per_shape = options_.samples_per_shape;
    plan.shuffle = false;
    plan.seed = ctx.seed;
    data::BatchLoader loader(dataset, plan);

    TrainerPlan tp;
    tp.label = num_batches == 1 ? "reconstruct" : fmt::format("reconstruct {}/{}", c + 1,
                                                              num_batches);
    tp.unit = "iter";
    tp.units = options_.iterations;
    tp.step_offset = c * options_.iterations;
    tp.log_every = options_.log_every;
    tp.checkpoint_every = options_.checkpoint_every;
    tp.keep_checkpoints = false;
    tp.loss_scale = static_cast<double>(k);
    TrainingState state{*decoder, *optimizer, z, /*save_decoder=*/false};
    Trainer trainer(ctx, state, *schedule, nullptr, tp);
    const int64_t start = trainer.resume();
    const auto t0 = std::chrono::steady_clock::now();
    trainer.run(start, [&](int64_t t, int64_t) {
      return loss->compute(*decoder, shape_space_batch(loader.get(t, 0), z, ctx.device, t));
    });
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    for (int64_t s = 0; s < k; ++s) {
      const std::string id = dataset->shape_id(chunk[static_cast<size_t>(s)]);
      codes[id] = z[s].detach().cpu().clone();
      if (start == 0) seconds_per_shape[id] = seconds / static_cast<double>(k);
    }
    save_codes(ctx.dir, codes);
  }

  // Meshes in original units, evaluation, and the nearest training shape.
  std::vector<std::shared_ptr<eval::Evaluator>> evaluators;
  for (const auto& spec : evaluators_) evaluators.push_back(spec.build());
  const ShapeMeshing meshing{options_.mesh_resolution, options_.mesh_bound,
                             options_.largest_component};
  std::unique_ptr<NearestTraining> nearest;
  if (options_.compare_training)
    nearest = std::make_unique<NearestTraining>(model_.training_data(), options_.compare_points,
                                                ctx.seed);
  EvaluationTable table;
  ShapeGallery gallery(options_.mesh_resolution > 0 ? options_.image_size : 0,
                       options_.image_shapes);
  std::string nearest_csv = "shape,nearest_training_shape,chamfer_l1,chamfer_l2\n";
  core::Progress progress(options_.mesh_resolution > 0 ? "meshes" : "eval",
                          static_cast<int64_t>(indices.size()), 0, "shapes");
  int64_t n_done = 0;
  for (const int64_t i : indices) {
    const std::string id = dataset->shape_id(i);
    const torch::Tensor code = codes.at(id).to(ctx.device);
    geometry::Mesh mesh;
    const fs::path mesh_file = ctx.dir.path() / "meshes" / (id + ".ply");
    if (options_.mesh_resolution > 0) {
      if (ctx.resume && fs::exists(mesh_file)) {
        mesh = geometry::read_mesh(mesh_file.string());
      } else {
        mesh = geometry::denormalize_mesh(
            dataset->normalization(i),
            extract_shape_mesh(*decoder, code, *loss, ctx.device, meshing, id));
        write_shape_mesh(ctx.dir, id, mesh);
      }
      if (gallery.wants_more()) gallery.add(dataset->surface(i), mesh);
    }
    eval::Metrics metrics =
        evaluate_shape(evaluators, *dataset, i, *decoder, code, *loss, ctx.device, mesh);
    if (seconds_per_shape.count(id)) metrics.emplace_back("seconds", seconds_per_shape[id]);
    if (nearest) {
      const NearestTraining::Match m = nearest->nearest(dataset->surface(i));
      if (!m.id.empty()) {
        metrics.emplace_back("nearest_training_chamfer_l1", m.chamfer_l1);
        metrics.emplace_back("nearest_training_chamfer_l2", m.chamfer_l2);
        nearest_csv += fmt::format("{},{},{},{}\n", id, m.id, m.chamfer_l1, m.chamfer_l2);
      }
    }
    table.add(id, dataset->shape_class(i), metrics);
    progress.update(++n_done);
  }
  progress.finish();
  gallery.write(ctx.dir, "shapes");
  if (ctx.dir.is_writer() && options_.compare_training)
    core::write_file_atomic((ctx.dir.subdir("eval") / "nearest_training.csv").string(),
                            nearest_csv);
  table.write(
      ctx.dir, "Reconstruction: " + name(),
      fmt::format("{} shapes reconstructed with the decoder of `{}`: {} iterations x {} rows, "
                  "meshes at {}^3 in original units. `seconds`: optimization time per shape "
                  "({} shapes per batch). `nearest_training_*`: the Chamfer distances between "
                  "the shape's ground truth and the closest training shape's ground truth ({} "
                  "points each), the retrieval baseline.",
                  indices.size(), model_.train_dir(), options_.iterations,
                  options_.samples_per_shape, options_.mesh_resolution, per_batch,
                  options_.compare_points));
}

}  // namespace nsdf::experiments
