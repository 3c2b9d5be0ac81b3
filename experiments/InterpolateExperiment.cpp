#include "experiments/InterpolateExperiment.h"

#include <cmath>
#include <filesystem>

#include "core/Files.h"
#include "core/Log.h"
#include "core/Strings.h"
#include "experiments/ExperimentSupport.h"
#include "experiments/ShapeEvaluation.h"
#include "geometry/Image.h"
#include "geometry/MeshTopology.h"
#include "geometry/Render.h"

namespace nsdf::experiments {

namespace fs = std::filesystem;

void InterpolateOptions::declare(core::OptionSet<InterpolateOptions>& s) {
  using O = InterpolateOptions;
  declare_run_name(s);
  s.add("model", &O::model,
        "a finished `train` run (its codes) or `reconstruct` run (its codes, with the decoder "
        "of its train run)")
      .required();
  s.add("shapes", &O::shapes, "two or more shape ids: each consecutive pair is interpolated")
      .check([](const std::vector<std::string>& v) {
        return v.size() >= 2 ? std::string() : "needs at least two shape ids";
      }, "at least two");
  s.add("steps", &O::steps, "codes per pair, both ends included").range(2, 1000);
  s.add("mode", &O::mode, "linear, slerp (spherical) or both").one_of({"linear", "slerp", "both"});
  s.add("mesh_resolution", &O::mesh_resolution,
        "grid resolution of each step's mesh (a power of two >= 16)")
      .check(
          [](const int64_t& r) {
            return r == 0 ? std::string("must be a power of two >= 16, got 0")
                          : check_mesh_resolution(r);
          },
          "a power of two");
  s.add("mesh_bound", &O::mesh_bound,
        "the mesh grid spans [-mesh_bound, mesh_bound]^3 (normalized units)")
      .positive();
  s.add("largest_component", &O::largest_component,
        "keep each mesh's largest component (IGR does for its interpolations)");
  s.add("image_size", &O::image_size, "pixels of each step's panel in the strip (0: no images)")
      .range(0, 4096);
}

InterpolateExperiment::InterpolateExperiment(const Options& options, const ExperimentInputs& in)
    : options_(options) {
  if (!options_.model.empty())
    model_ = TrainedModel::parse(in, options_.model.str(), "experiment.model");
}

torch::Tensor InterpolateExperiment::interpolate(const torch::Tensor& a, const torch::Tensor& b,
                                                 double t, const std::string& mode) {
  if (t <= 0) return a.clone();
  if (t >= 1) return b.clone();
  if (mode == "slerp") {
    const double na = a.norm().item<double>(), nb = b.norm().item<double>();
    if (na > 0 && nb > 0) {
      const double cos_w = std::clamp((a * b).sum().item<double>() / (na * nb), -1.0, 1.0);
      const double w = std::acos(cos_w);
      if (std::sin(w) > 1e-6)
        return (std::sin((1 - t) * w) / std::sin(w)) * a + (std::sin(t * w) / std::sin(w)) * b;
    }
  }
  return (1 - t) * a + t * b;
}

void InterpolateExperiment::run(RunContext& ctx) {
  const auto decoder = model_.load_decoder(ctx.device);
  const auto loss = model_.loss();
  const std::map<std::string, torch::Tensor> codes = model_.codes();
  std::vector<std::string> known;
  for (const auto& [id, c] : codes) known.push_back(id);
  for (const auto& id : options_.shapes) {
    NSDF_CHECK(codes.count(id), core::ConfigError,
               "experiment.shapes: '{}' has no code in {}/latents/latents.pt{} ({} codes{})", id,
               model_.codes_dir(), core::did_you_mean(id, known), known.size(),
               known.empty() ? "" : ", e.g. '" + known.front() + "'");
  }
  std::vector<std::string> modes;
  if (options_.mode == "linear" || options_.mode == "both") modes.push_back("linear");
  if (options_.mode == "slerp" || options_.mode == "both") modes.push_back("slerp");

  const ShapeMeshing meshing{options_.mesh_resolution, options_.mesh_bound,
                             options_.largest_component};
  std::string csv = "mode,pair,step,t,from,to,mesh,code_norm,faces,components,watertight\n";
  const int64_t pairs = static_cast<int64_t>(options_.shapes.size()) - 1;
  for (const auto& mode : modes) {
    for (int64_t p = 0; p < pairs; ++p) {
      const std::string& from = options_.shapes[static_cast<size_t>(p)];
      const std::string& to = options_.shapes[static_cast<size_t>(p + 1)];
      const torch::Tensor a = codes.at(from), b = codes.at(to);
      std::vector<geometry::Mesh> meshes;
      for (int64_t k = 0; k < options_.steps; ++k) {
        const double t = static_cast<double>(k) / static_cast<double>(options_.steps - 1);
        const torch::Tensor z = interpolate(a, b, t, mode);
        const std::string label = fmt::format("{}/{:02d}_{:02d}", mode, p, k);
        geometry::Mesh mesh =
            extract_shape_mesh(*decoder, z.to(ctx.device), *loss, ctx.device, meshing, label);
        write_shape_mesh(ctx.dir, label, mesh);
        const geometry::TopologyReport topo = geometry::analyze_topology(mesh);
        csv += fmt::format("{},{},{},{},{},{},{},{},{},{},{}\n", mode, p, k, t, from, to,
                           mesh.F.empty() ? "" : "meshes/" + label + ".ply",
                           z.norm().item<double>(), mesh.F.size(), topo.components,
                           topo.watertight ? 1 : 0);
        core::log::info("{} {} -> {}, t = {:.3f}: {} faces", mode, from, to, t, mesh.F.size());
        meshes.push_back(std::move(mesh));
      }
      if (options_.image_size > 0 && ctx.dir.is_writer()) {
        std::vector<geometry::RenderPanel> panels;
        for (const auto& m : meshes)
          if (!m.F.empty()) panels.push_back({m});
        if (!panels.empty()) {
          geometry::RenderOptions ro;
          ro.width = ro.height = static_cast<int>(options_.image_size);
          geometry::write_png(geometry::render_panels(panels, ro),
                              (ctx.dir.subdir("images") / fmt::format("{}_{:02d}.png", mode, p))
                                  .string());
        }
      }
    }
  }
  if (ctx.dir.is_writer())
    core::write_file_atomic((ctx.dir.path() / "interpolation.csv").string(), csv);
}

}  // namespace nsdf::experiments
