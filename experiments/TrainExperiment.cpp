#include "experiments/TrainExperiment.h"

#include <filesystem>

#include "core/Checkpoint.h"
#include "core/Log.h"
#include "core/Progress.h"
#include "data/BatchLoader.h"
#include "experiments/ExperimentSupport.h"
#include "experiments/ShapeBatch.h"
#include "experiments/ShapeEvaluation.h"
#include "experiments/ShapePictures.h"
#include "experiments/Trainer.h"
#include "geometry/Normalization.h"

namespace nsdf::experiments {

namespace fs = std::filesystem;

void TrainOptions::declare(core::OptionSet<TrainOptions>& s) {
  using O = TrainOptions;
  declare_run_name(s);
  s.add("epochs", &O::epochs, "passes over all shapes").positive();
  s.add("shapes_per_batch", &O::shapes_per_batch, "shapes in one optimizer step").positive();
  s.add("samples_per_shape", &O::samples_per_shape,
        "rows per shape and step: SDF samples (half sdf >= 0, half < 0) or surface points")
      .positive();
  s.add("checkpoint_every", &O::checkpoint_every, "epochs between checkpoints").positive();
  s.add("log_every", &O::log_every, "epochs between metrics.jsonl lines").positive();
  s.add("grad_clip", &O::grad_clip,
        "clip the decoder's gradient to this L2 norm (0: off; DeepSDF's GradientClipNorm)")
      .non_negative();
  s.add("mesh_resolution", &O::mesh_resolution,
        "extract meshes/<shape>.ply at this grid resolution after training (0: none; a power "
        "of two >= 16; sparse coarse-to-fine extraction)")
      .check(check_mesh_resolution, "0 or a power of two");
  s.add("mesh_bound", &O::mesh_bound,
        "the mesh grid spans [-mesh_bound, mesh_bound]^3 (normalized units)")
      .positive();
  s.add("mesh_shapes", &O::mesh_shapes,
        "mesh and evaluate only the first this many shapes (0: all)")
      .non_negative();
  declare_gallery(s);
}

TrainExperiment::TrainExperiment(const Options& options, const ExperimentInputs& in)
    : options_(options) {
  const Registries& r = in.registries;
  data_ = parse_section(in, r.datasets, "data");
  model_ = parse_section(in, r.models, "model");
  latent_ = parse_section(in, r.latents, "latent");
  loss_ = parse_section(in, r.losses, "loss");
  optimizer_ = parse_section(in, r.optimizers, "optimizer");
  schedule_ = parse_section(in, r.schedules, "schedule");
  latent_schedule_ = parse_optional_section(in, r.schedules, "latent_schedule");
  evaluators_ = parse_evaluators(in);
}

void TrainExperiment::run(RunContext& ctx) {
  const std::shared_ptr<const data::ShapeDataset> dataset = data_.build();
  const int64_t num_shapes = dataset->size();
  NSDF_CHECK(num_shapes > 0, core::DataError, "the dataset has no shapes");
  const auto loss = loss_.build();
  check_loss_fits_data(*loss, loss_.type, dataset->kind(), data_.type);
  const auto latents = latent_.build(num_shapes);
  const auto decoder = model_.build(models::ModelContext{latents->code_size()});
  decoder->to(ctx.device);
  latents->to(ctx.device);
  const auto optimizer = optimizer_.build({optim::ParamGroup{"decoder", decoder->parameters()},
                                           optim::ParamGroup{"latent", {latents->codes}}});
  const auto schedule = schedule_.build(options_.epochs);
  const auto latent_schedule =
      latent_schedule_ ? latent_schedule_.build(options_.epochs) : nullptr;

  data::BatchPlan plan;
  plan.shapes_per_batch = options_.shapes_per_batch;
  plan.samples_per_shape = options_.samples_per_shape;
  plan.seed = ctx.seed;
  std::unique_ptr<distributed::DataParallel> parallel;
  if (ctx.group) {
    plan.part = ctx.group->rank();
    plan.parts = ctx.group->size();
    if (options_.shapes_per_batch < plan.parts)
      core::log::warn("shapes_per_batch = {} is below the {} ranks: some ranks compute nothing",
                      options_.shapes_per_batch, plan.parts);
    parallel = std::make_unique<distributed::DataParallel>(ctx.group, decoder->parameters(),
                                                           latents->codes, ctx.parallel);
  }
  data::BatchLoader loader(dataset, plan);

  TrainerPlan tp;
  tp.label = "train";
  tp.unit = "epoch";
  tp.units = options_.epochs;
  tp.steps_per_unit = loader.batches_per_epoch();
  tp.log_every = options_.log_every;
  tp.checkpoint_every = options_.checkpoint_every;
  tp.grad_clip = options_.grad_clip;
  tp.progress = ctx.dir.is_writer();
  TrainingState state{*decoder, *optimizer, latents->codes};
  state.parallel = parallel.get();
  Trainer trainer(ctx, state, *schedule, latent_schedule.get(), tp);
  const int64_t start = trainer.resume();

  int64_t params = 0;
  for (const auto& p : decoder->parameters()) params += p.numel();
  core::log::info(
      "training: {} shapes ({}), decoder with {} parameters, codes {} x {}, {} epochs of {} "
      "batches x {} shapes x {} {}",
      num_shapes, data_.type, params, num_shapes, latents->code_size(), options_.epochs,
      loader.batches_per_epoch(), options_.shapes_per_batch, options_.samples_per_shape,
      dataset->kind() == data::SampleKind::Sdf ? "SDF samples" : "surface points");

  decoder->train();
  trainer.run(start, [&](int64_t epoch, int64_t b) {
    const data::Batch batch = loader.get(epoch, b);
    if (parallel) {  // every rank renormalizes, and shares the gradients of, the whole batch
      const std::vector<int64_t> all = loader.batch_shapes(epoch, b);
      latents->renormalize(torch::tensor(all, torch::kLong).to(ctx.device));
      parallel->set_code_rows(all);
    }
    // One lookup (one max_norm renormalization) per step; each code repeated for its rows.
    const torch::Tensor codes = latents->forward(batch.shape_tensor().to(ctx.device));
    losses::LossResult result =
        loss->compute(*decoder, shape_space_batch(batch, codes, ctx.device, epoch));
    if (batch.weight != 1) result.scale(batch.weight);
    return result;
  });
  if (loader.streaming())
    core::log::info("data: the training loop waited {:.1f} s for shapes to be read",
                    loader.wait_seconds());

  if (!ctx.dir.is_writer()) return;  // rank 0 writes the outputs

  // Latent codes by shape id (a dict of tensors, readable with torch.load).
  decoder->eval();
  {
    torch::NoGradGuard no_grad;  // apply max_norm to every code, as a lookup of each would
    latents->forward(torch::arange(num_shapes, torch::kLong).to(ctx.device));
  }
  {
    core::Checkpoint codes;
    for (int64_t i = 0; i < num_shapes; ++i)
      codes.put(dataset->shape_id(i), latents->codes[i].detach());
    codes.save((ctx.dir.subdir("latents") / "latents.pt").string());
  }

  // Meshes (original units) and evaluation.
  const int64_t count = options_.mesh_shapes > 0 ? std::min(options_.mesh_shapes, num_shapes)
                                                 : num_shapes;
  const bool meshes = options_.mesh_resolution > 0;
  if (!meshes && evaluators_.empty()) return;
  std::vector<std::shared_ptr<eval::Evaluator>> evaluators;
  for (const auto& spec : evaluators_) evaluators.push_back(spec.build());
  const ShapeMeshing meshing{options_.mesh_resolution, options_.mesh_bound, false};
  EvaluationTable table;
  ShapeGallery gallery(meshes ? options_.image_size : 0, options_.image_shapes);
  core::Progress progress(meshes ? "meshes" : "eval", count, 0, "shapes");
  for (int64_t i = 0; i < count; ++i) {
    const torch::Tensor code = latents->codes[i].detach();
    const std::string id = dataset->shape_id(i);
    geometry::Mesh mesh;
    if (meshes) {
      mesh = geometry::denormalize_mesh(
          dataset->normalization(i),
          extract_shape_mesh(*decoder, code, *loss, ctx.device, meshing, id));
      write_shape_mesh(ctx.dir, id, mesh);
      if (gallery.wants_more()) gallery.add(dataset->surface(i), mesh);
    }
    if (!evaluators.empty())
      table.add(id, dataset->shape_class(i),
                evaluate_shape(evaluators, *dataset, i, *decoder, code, *loss, ctx.device, mesh));
    progress.update(i + 1);
  }
  progress.finish();
  gallery.write(ctx.dir, "shapes");
  table.write(ctx.dir, "Training shapes: " + name(),
              fmt::format("The {} training shapes meshed from their learned codes at {}^3.",
                          count, options_.mesh_resolution));
}

}  // namespace nsdf::experiments
