#include "experiments/TrainExperiment.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>

#include "core/Checkpoint.h"
#include "experiments/ExperimentSupport.h"
#include "core/Files.h"
#include "core/Json.h"
#include "core/Log.h"
#include "core/Progress.h"
#include "geometry/MeshIo.h"
#include "geometry/SparseExtraction.h"
#include "models/DecoderField.h"

namespace nsdf::experiments {

namespace fs = std::filesystem;

void TrainOptions::declare(core::OptionSet<TrainOptions>& s) {
  using O = TrainOptions;
  s.add("name", &O::name, "run name: runs/<name>/<id> (default: the config file's name)")
      .check(check_run_name, "a folder name");
  s.add("epochs", &O::epochs, "passes over all shapes").positive();
  s.add("shapes_per_batch", &O::shapes_per_batch, "shapes in one optimizer step").positive();
  s.add("samples_per_shape", &O::samples_per_shape, "SDF samples per shape and step (balanced)")
      .positive();
  s.add("checkpoint_every", &O::checkpoint_every, "epochs between checkpoints").positive();
  s.add("log_every", &O::log_every, "epochs between metrics.jsonl lines").positive();
  s.add("mesh_resolution", &O::mesh_resolution,
        "extract meshes/<shape>.ply at this grid resolution after training (0: none; a power "
        "of two >= 16; sparse coarse-to-fine extraction)")
      .check(check_mesh_resolution, "0 or a power of two");
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
  evaluators_ = parse_evaluators(in);
}

void TrainExperiment::run(RunContext& ctx) {
  const auto dataset = data_.build();
  const int64_t num_shapes = dataset->size();
  const auto latents = latent_.build(num_shapes);
  const auto decoder = model_.build(models::ModelContext{latents->code_size()});
  const auto loss = loss_.build();
  decoder->to(ctx.device);
  latents->to(ctx.device);
  const auto optimizer = optimizer_.build({optim::ParamGroup{"decoder", decoder->parameters()},
                                           optim::ParamGroup{"latent", {latents->codes}}});
  const auto schedule = schedule_.build(options_.epochs);

  TrainingState state{*decoder, *optimizer, latents->codes};
  const int64_t start = resume_from_checkpoint(ctx, state);

  const int64_t params = [&] {
    int64_t n = 0;
    for (const auto& p : decoder->parameters()) n += p.numel();
    return n;
  }();
  core::log::info("training: {} shapes, decoder with {} parameters, codes {} x {}, {} epochs",
            num_shapes, params, num_shapes, latents->code_size(), options_.epochs);

  decoder->train();
  core::Progress progress("train", options_.epochs, start, "epochs");
  const auto t0 = std::chrono::steady_clock::now();
  double last_loss = 0;
  for (int64_t epoch = start; epoch < options_.epochs; ++epoch) {
    optimizer->set_lr_factor(schedule->factor(epoch));
    const torch::Tensor order = torch::randperm(num_shapes, torch::kLong);
    std::map<std::string, double> sums;
    int64_t batches = 0;
    for (int64_t b = 0; b < num_shapes; b += options_.shapes_per_batch) {
      const int64_t k = std::min(options_.shapes_per_batch, num_shapes - b);
      const torch::Tensor shapes = order.slice(0, b, b + k);
      std::vector<torch::Tensor> rows;
      for (int64_t j = 0; j < k; ++j)
        rows.push_back(dataset->sample(shapes[j].item<int64_t>(), options_.samples_per_shape));
      const torch::Tensor samples = torch::cat(rows, 0).to(ctx.device);

      losses::LossBatch batch;
      batch.xyz = samples.slice(1, 0, 3);
      batch.sdf = samples.slice(1, 3, 4);
      // One lookup (one max_norm renormalization) per step; each code repeated for its rows.
      batch.codes = latents->forward(shapes.to(ctx.device));
      batch.latent = batch.codes.repeat_interleave(options_.samples_per_shape, 0);
      batch.epoch = epoch;
      optimizer->zero_grad();
      const losses::LossResult result = loss->compute(*decoder, batch);
      result.total.backward();
      optimizer->step();
      sums["loss"] += result.total.item<double>();
      for (const auto& [name, value] : result.terms) sums[name] += value.item<double>();
      ++batches;
    }
    const int64_t done = epoch + 1;
    last_loss = sums["loss"] / batches;
    if (done % options_.log_every == 0 || done == options_.epochs) {
      core::JsonObject line;
      line.add("step", done).add("epoch", done).add("loss", last_loss);
      for (const auto& [name, sum] : sums)
        if (name != "loss") line.add(name, sum / batches);
      line.add("lr", optimizer->lr(0));
      line.add("time",
               std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      ctx.dir.append_metrics(line.str());
    }
    if (done % options_.checkpoint_every == 0 || done == options_.epochs) {
      save_checkpoint(ctx.dir, state, done, options_.checkpoint_every, "epoch");
    }
    progress.update(done, fmt::format("loss {:.5f}", last_loss));
  }
  progress.finish(fmt::format("loss {:.6f}", last_loss));

  // Latent codes by shape id (a dict of tensors, readable with torch.load).
  decoder->eval();
  if (ctx.dir.is_writer()) {
    core::Checkpoint codes;
    for (int64_t i = 0; i < num_shapes; ++i) codes.put(dataset->shape_id(i), latents->codes[i]);
    codes.save((ctx.dir.subdir("latents") / "latents.pt").string());
  }
  const auto meshes = extract_meshes(ctx, *dataset, *decoder, *latents, *loss);
  evaluate(ctx, *dataset, *decoder, *latents, *loss, meshes);
}

std::vector<std::shared_ptr<const geometry::Mesh>> TrainExperiment::extract_meshes(
    RunContext& ctx, const data::SdfDataset& dataset, models::Decoder& decoder,
    models::LatentTableImpl& latents, const losses::Loss& loss) const {
  std::vector<std::shared_ptr<const geometry::Mesh>> meshes(dataset.size());
  if (options_.mesh_resolution == 0) return meshes;
  const geometry::ExtractionOptions eo = mesh_extraction_options(options_.mesh_resolution);
  const fs::path folder = ctx.dir.subdir("meshes");
  int64_t queries = 0, dense = 0;
  core::Progress progress("meshes", dataset.size(), 0, "shapes");
  for (int64_t i = 0; i < dataset.size(); ++i) {
    const auto result = geometry::extract_sparse(
        models::decoder_field(decoder, latents.codes[i], ctx.device, sdf_of(loss)), eo);
    queries += result.queries;
    dense += result.dense_queries;
    if (ctx.dir.is_writer() && !result.mesh.F.empty())
      geometry::write_mesh(result.mesh, (folder / (dataset.shape_id(i) + ".ply")).string());
    if (result.mesh.F.empty())
      core::log::warn("shape {}: the field has no zero level set", dataset.shape_id(i));
    meshes[i] = std::make_shared<const geometry::Mesh>(result.mesh);
    progress.update(i + 1);
  }
  progress.finish();
  core::log::info("meshes at {}^3: {} field queries ({:.1f}x fewer than a dense grid)",
            eo.resolution, queries, static_cast<double>(dense) / std::max<int64_t>(1, queries));
  return meshes;
}

void TrainExperiment::evaluate(
    RunContext& ctx, const data::SdfDataset& dataset, models::Decoder& decoder,
    models::LatentTableImpl& latents, const losses::Loss& loss,
    const std::vector<std::shared_ptr<const geometry::Mesh>>& meshes) const {
  if (evaluators_.empty()) return;
  std::vector<std::shared_ptr<eval::Evaluator>> evaluators;
  for (const auto& spec : evaluators_) evaluators.push_back(spec.build());
  std::vector<std::string> names;                    // metric names in order of appearance
  std::map<std::string, std::pair<double, int64_t>> totals;
  std::vector<std::map<std::string, double>> per_shape(dataset.size());
  for (int64_t i = 0; i < dataset.size(); ++i) {
    eval::EvalInput input;
    input.shape_id = dataset.shape_id(i);
    input.field = models::decoder_field(decoder, latents.codes[i], ctx.device, sdf_of(loss));
    const torch::Tensor test = dataset.test_samples(i).contiguous();
    input.samples.assign(test.data_ptr<float>(), test.data_ptr<float>() + test.numel());
    if (meshes[i] && !meshes[i]->F.empty()) input.prediction = meshes[i];
    const geometry::PointCloud surface = dataset.surface_points(i);
    if (!surface.P.empty())
      input.ground_truth =
          std::make_shared<const geometry::Mesh>(geometry::Mesh{surface.P, {}, surface.N});
    for (const auto& [name, value] : run_evaluators(evaluators, input)) {
      if (!totals.count(name)) names.push_back(name);
      per_shape[i][name] = value;
      totals[name].first += value;
      totals[name].second += 1;
    }
  }
  core::JsonObject summary;
  summary.add("shapes", dataset.size());
  std::string report, csv = "shape";
  for (const auto& name : names) {
    const double mean = totals[name].first / totals[name].second;
    summary.add(name, mean);
    report += fmt::format("{} {:.5g}  ", name, mean);
    csv += "," + name;
  }
  csv += "\n";
  for (int64_t i = 0; i < dataset.size(); ++i) {
    csv += dataset.shape_id(i);
    for (const auto& name : names) {
      const auto it = per_shape[i].find(name);
      csv += it == per_shape[i].end() ? "," : fmt::format(",{}", it->second);
    }
    csv += "\n";
  }
  if (ctx.dir.is_writer()) {
    const fs::path folder = ctx.dir.subdir("eval");
    core::write_file_atomic((folder / "metrics.json").string(), summary.pretty());
    core::write_file_atomic((folder / "per_shape.csv").string(), csv);
  }
  core::log::info("eval (mean over {} shapes): {}", dataset.size(), report);
}

}  // namespace nsdf::experiments
