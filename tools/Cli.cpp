#include "Cli.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include "core/Blas.h"
#include "core/Memory.h"
#include "core/Device.h"
#include "core/Error.h"
#include "core/Json.h"
#include "core/Log.h"
#include "core/Signals.h"
#include "core/Strings.h"
#include "experiments/Runner.h"
#include "geometry/Image.h"
#include "geometry/Inspect.h"
#include "geometry/MeshIo.h"
#include "geometry/Render.h"
#include "PreprocessCli.h"
#include "ReportCli.h"
#include "CommandLine.h"
#include "LaunchCli.h"
#include "SweepCli.h"
#include "preprocessing/SampleFile.h"

namespace nsdf::tools {

namespace {

namespace fs = std::filesystem;

constexpr const char* kUsage = R"(usage: nsdf <command> [options]

commands:
  run CONFIG [key=value ...]       run the experiment a config describes
  run --resume RUN_DIR [key=value ...]
                                   continue a run from its latest checkpoint
  config CONFIG [key=value ...] [--explain KEY]
                                   print the resolved config, or where KEY was set
  list [FAMILY [NAME]]             registered components and their options
  inspect FILE                     what a mesh, point cloud, NumPy or sample (.h5) file holds
  eval --pred MESH --gt MESH_OR_POINTS [--points N] [--tau T]
                                   reconstruction metrics as JSON
  render INPUT [INPUT ...] -o OUT.png [--azimuth DEG] [--elevation DEG] [--size PX]
                                   a picture of meshes and point clouds, side by side
  preprocess CONFIG [key=value ...]
                                   meshes to SDF samples in HDF5 (also: check, export, import)
  report RUN_OR_SWEEP_DIR [...] -o DIR
                                   an HTML report (tables, curves, pictures, 3D viewers)
  sweep SWEEP.yaml [--dry-run]     runs of a base config over axes (local or SLURM)
  sweep status SWEEP.yaml          the state of each run of a sweep
  launch --nproc N -- run CONFIG ...
                                   N data-parallel ranks of a run on this machine

options:
  --version                        nsdf, LibTorch and CUDA versions
  -h, --help                       this help; `nsdf <command> --help` for a command

Overrides use dotted keys: model.dims=[256,256] loss.delta=0.05; +key=value adds a key that
the config file does not have.
)";

constexpr const char* kRunUsage = R"(usage: nsdf run CONFIG [key=value ...] [--dir RUN_DIR]
       nsdf run --resume RUN_DIR [key=value ...]

Runs the experiment CONFIG describes in a new folder runs/<name>/<id>/ (config.yaml, log.txt,
metrics.jsonl, checkpoints/, status.json and the experiment's outputs). With --resume,
continues the run in RUN_DIR from its latest checkpoint (model, latent codes, optimizer,
schedule, RNG and step are restored: the result equals an uninterrupted run). Overrides apply
on top of the config (for --resume: on top of RUN_DIR/config.yaml).

With --dir, the run lives in RUN_DIR whatever happened before: started when RUN_DIR holds no
run, continued from its checkpoint when it holds an unfinished run of the same config, left
alone when that run finished (a rerun or requeued job just works). Under SLURM (SLURM_JOB_ID
set) the default folder is runs/<name>/slurm-<job>[_<array task>], with the same rules.

SIGTERM or SIGUSR1 (SLURM: preemption, `sbatch --signal=USR1@120`) makes a run write a
checkpoint after the current epoch or iteration and exit with status 75; rerun it as above.

Data-parallel `train`: when the environment names several ranks (`nsdf launch --nproc N`,
torchrun's RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT, or `srun` in a SLURM job step), the ranks
join one c10d process group and split every batch; rank 0 writes the run folder.
)";

constexpr const char* kConfigUsage = R"(usage: nsdf config CONFIG [key=value ...] [--explain KEY]

Validates CONFIG with its defaults: chain and overrides and prints the resolved config: every
option with its value, as `nsdf run` would write it to the run folder. With --explain KEY,
prints which file and line set KEY and which earlier values it replaced.
)";

constexpr const char* kListUsage = R"(usage: nsdf list [FAMILY [NAME]]

Without arguments, lists every registered component by family. With FAMILY, prints the options
table (name, type, default, check, doc) of each component of that family; with NAME, of one.
)";

constexpr const char* kInspectUsage = R"(usage: nsdf inspect FILE

Prints what FILE holds: for meshes (.ply .obj .off) the format, vertex and face counts, normals,
bounding box, and topology (boundary and non-manifold edges, connected components, Euler
characteristic, watertight); for point clouds (.ply .xyz) counts and bounds; for .npy/.npz the
arrays (DeepSDF SdfSamples and NormalizationParameters recognised); for .h5 sample files
(`nsdf preprocess`) the method, shapes, failures, the first shape's arrays and the parameters.
)";

constexpr const char* kEvalUsage =
    R"(usage: nsdf eval --pred MESH --gt MESH_OR_POINTS [--points N] [--seed S] [--tau T]

Compares a reconstructed mesh with a ground truth (a mesh, sampled; or a point cloud: .xyz, or
.ply/.obj/.off without faces) in the files' units and prints JSON: chamfer_l1 (IGR/DiGS),
chamfer_l2 (DeepSDF), pred_to_gt, gt_to_pred, hausdorff (+ one-sided), normal_consistency
(when the ground truth has normals), fscore/precision/recall at tau (default 1% of the ground
truth's bounding-box diagonal). N points per surface (default 30000).
)";

constexpr const char* kRenderUsage = R"(usage: nsdf render INPUT [INPUT ...] -o OUT.png
                   [--azimuth DEG] [--elevation DEG] [--size PX] [--views N | --turntable N]

Draws each INPUT into its own panel, side by side, and writes an RGB PNG: meshes (.ply .obj
.off with faces) as shaded surfaces, point clouds (.xyz, or files without faces) as small discs
coloured by normal, or by depth (yellow near, purple far) when they have none. Every panel has
the same camera, framed to fit all inputs together, so "points | reconstruction" line up.

options:
  -o, --output OUT.png             the picture to write (required)
  --azimuth DEG                    camera direction around the y (up) axis; 0 looks at the +z
                                   side, 90 at the +x side (default 30)
  --elevation DEG                  camera height; 90 looks straight down (default 20)
  --size PX                        width and height of each panel in pixels, 16 to 8192
                                   (default 800)
  --views N                        N views around the object, turned by 360/N degrees, one
                                   row each, in OUT.png (all at one scale)
  --turntable N                    N frames of a turn, OUT_000.png ... (one scale, for a video:
                                   ffmpeg -i OUT_%03d.png)
)";

bool wants_help(const std::vector<std::string>& args) {
  for (const auto& a : args)
    if (a == "-h" || a == "--help") return true;
  return false;
}

std::string pad(const std::string& s, size_t n) {
  return s.size() >= n ? s : s + std::string(n - s.size(), ' ');
}

void print_component(const core::ComponentInfo& info) {
  fmt::print("{} '{}': {}\n", info.family, info.name, info.doc);
  if (info.options.empty()) {
    fmt::print("  (no options)\n\n");
    return;
  }
  size_t wn = 4, wt = 4, wd = 7, wc = 5;
  for (const auto& o : info.options) {
    wn = std::max(wn, o.name.size());
    wt = std::max(wt, o.type.size());
    wd = std::max(wd, std::min<size_t>(o.default_value.size(), 28));
    wc = std::max(wc, std::min<size_t>(o.check.size(), 24));
  }
  fmt::print("  {} {} {} {} {}\n", pad("name", wn), pad("type", wt), pad("default", wd),
             pad("check", wc), "doc");
  for (const auto& o : info.options) {
    fmt::print("  {} {} {} {} {}\n", pad(o.name, wn), pad(o.type, wt), pad(o.default_value, wd),
               pad(o.check.empty() ? "-" : o.check, wc), o.doc);
  }
  fmt::print("\n");
}

const core::RegistryBase& family(const Registries& r, const std::string& name) {
  std::vector<std::string> names;
  for (const auto* reg : r.all()) {
    if (reg->family() == name) return *reg;
    names.push_back(reg->family());
  }
  throw core::UsageError(fmt::format("list: unknown family '{}'{}; valid: {}", name,
                               core::did_you_mean(name, names), core::join(names, ", ")));
}

int cmd_list(const std::vector<std::string>& args, const Registries& r) {
  if (wants_help(args)) return fmt::print("{}", kListUsage), 0;
  NSDF_CHECK(args.size() <= 2, core::UsageError, "list: expected at most FAMILY and NAME\n{}",
             kListUsage);
  if (args.empty()) {
    for (const auto* reg : r.all()) {
      fmt::print("{}:\n", reg->family());
      for (const auto& n : reg->names()) fmt::print("  {} {}\n", pad(n, 14), reg->info(n).doc);
    }
    fmt::print("\n`nsdf list FAMILY [NAME]` prints the options of each component.\n");
    return 0;
  }
  const core::RegistryBase& reg = family(r, args[0]);
  if (args.size() == 2) {
    print_component(reg.info(args[1]));
  } else {
    for (const auto& n : reg.names()) print_component(reg.info(n));
  }
  return 0;
}

int cmd_inspect(const std::vector<std::string>& args) {
  if (wants_help(args)) return fmt::print("{}", kInspectUsage), 0;
  NSDF_CHECK(args.size() == 1, core::UsageError, "inspect: expected one FILE\n{}", kInspectUsage);
  const std::string ext = fs::path(args[0]).extension().string();
  if (ext == ".h5" || ext == ".hdf5") {
    fmt::print("{}", preprocessing::describe_sample_file(args[0]));
    return 0;
  }
  fmt::print("{}", geometry::describe_file(args[0]));
  return 0;
}

// A ground truth given as points is a Mesh without faces.
std::shared_ptr<geometry::Mesh> read_surface(const std::string& path) {
  const std::string ext = fs::path(path).extension().string();
  if (ext == ".xyz" || ext == ".XYZ") {
    geometry::PointCloud cloud = geometry::read_point_cloud(path);
    return std::make_shared<geometry::Mesh>(geometry::Mesh{cloud.P, {}, cloud.N});
  }
  return std::make_shared<geometry::Mesh>(geometry::read_mesh(path));
}

int cmd_eval(const std::vector<std::string>& args, const Registries& r) {
  if (wants_help(args)) return fmt::print("{}", kEvalUsage), 0;
  std::string pred, gt;
  std::vector<std::pair<std::string, std::string>> options;  // evaluator key, value
  for (size_t i = 0; i < args.size(); ++i) {
    NSDF_CHECK(i + 1 < args.size(), core::UsageError, "eval: {} needs a value\n{}", args[i],
               kEvalUsage);
    const std::string& value = args[i + 1];
    if (args[i] == "--pred") {
      pred = value;
    } else if (args[i] == "--gt") {
      gt = value;
    } else if (args[i] == "--points" || args[i] == "--seed" || args[i] == "--tau") {
      options.emplace_back(args[i].substr(2), value);
    } else {
      throw core::UsageError(fmt::format("eval: unknown option '{}'\n{}", args[i], kEvalUsage));
    }
    ++i;
  }
  NSDF_CHECK(!pred.empty() && !gt.empty(), core::UsageError,
             "eval: --pred and --gt are required\n{}", kEvalUsage);
  eval::EvalInput input;
  input.shape_id = fs::path(pred).stem().string();
  input.prediction = read_surface(pred);
  input.ground_truth = read_surface(gt);
  NSDF_CHECK(!input.prediction->F.empty(), core::DataError, "{}: --pred must be a mesh with faces",
             pred);
  const bool normals = !input.ground_truth->F.empty() || !input.ground_truth->N.empty();

  core::JsonObject out;
  out.add("pred", pred).add("gt", gt);
  for (const char* evaluator_name : {"chamfer", "hausdorff", "normal_consistency", "fscore"}) {
    const std::string name = evaluator_name;
    if (name == "normal_consistency" && !normals) continue;
    // The evaluators parse their options from a config map, like in an experiment config.
    const core::SourceMark at{"<command line>"};
    core::ConfigNode config = core::ConfigNode::map(at);
    config.set("type", core::ConfigNode::scalar(name, at), at);
    for (const auto& [key, value] : options) {
      if (key == "tau" && name != "fscore") continue;
      config.set(key, core::ConfigNode::scalar(value, at), at);
    }
    const auto evaluator = r.evaluators.create(config);
    for (const auto& [metric, value] : evaluator->evaluate(input)) out.add(metric, value);
  }
  fmt::print("{}", out.pretty());
  return 0;
}

// A finite number for `option`, or a UsageError quoting what was given.
double parse_number(const std::string& command, const std::string& option,
                    const std::string& text) {
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  NSDF_CHECK(!text.empty() && end == text.c_str() + text.size() && std::isfinite(v),
             core::UsageError, "{}: {} expects a number, got '{}'", command, option, text);
  return v;
}

// What one INPUT holds, as `inspect` decides it: a mesh when the file has faces, else points.
struct RenderInput {
  geometry::Mesh mesh;
  geometry::PointCloud cloud;
  bool is_cloud = false;
};

RenderInput read_render_input(const std::string& path) {
  std::string ext = fs::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  RenderInput in;
  if (ext == ".xyz") {
    in.cloud = geometry::read_point_cloud(path);
    in.is_cloud = true;
    return in;
  }
  in.mesh = geometry::read_mesh(path);
  if (in.mesh.F.empty()) {
    // OBJ point clouds keep their normals in `vn` lines that only the point reader pairs up.
    in.cloud = ext == ".obj" ? geometry::read_point_cloud(path)
                             : geometry::PointCloud{std::move(in.mesh.V), std::move(in.mesh.N)};
    in.is_cloud = true;
  }
  return in;
}

int cmd_render(const std::vector<std::string>& args) {
  if (wants_help(args)) return fmt::print("{}", kRenderUsage), 0;
  static const std::vector<std::string> kOptions{"-o",     "--output", "--azimuth", "--elevation",
                                                 "--size", "--views",  "--turntable"};
  std::vector<std::string> inputs;
  std::string out;
  geometry::RenderOptions options;
  int views = 0, turntable = 0;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.size() < 2 || a[0] != '-') {
      inputs.push_back(a);
      continue;
    }
    if (std::find(kOptions.begin(), kOptions.end(), a) == kOptions.end()) {
      throw core::UsageError(fmt::format("render: unknown option '{}'{}\n{}", a,
                                   core::did_you_mean(a, kOptions), kRenderUsage));
    }
    NSDF_CHECK(i + 1 < args.size(), core::UsageError, "render: {} needs a value\n{}", a,
               kRenderUsage);
    const std::string& value = args[++i];
    if (a == "-o" || a == "--output") {
      out = value;
    } else if (a == "--azimuth") {
      options.azimuth = parse_number("render", a, value);
    } else if (a == "--elevation") {
      options.elevation = parse_number("render", a, value);
    } else if (a == "--views" || a == "--turntable") {
      const double n = parse_number("render", a, value);
      NSDF_CHECK(n == std::floor(n) && n >= 1 && n <= 360, core::UsageError,
                 "render: {} expects a whole number of views in [1, 360], got '{}'", a, value);
      (a == "--views" ? views : turntable) = static_cast<int>(n);
    } else {
      const double size = parse_number("render", a, value);
      NSDF_CHECK(size == std::floor(size) && size >= 16 && size <= 8192, core::UsageError,
                 "render: --size expects whole pixels in [16, 8192], got '{}'", value);
      options.width = options.height = static_cast<int>(size);
    }
  }
  NSDF_CHECK(!inputs.empty(), core::UsageError, "render: expected at least one INPUT\n{}",
             kRenderUsage);
  NSDF_CHECK(!out.empty(), core::UsageError, "render: -o OUT.png is required\n{}", kRenderUsage);
  std::string out_ext = fs::path(out).extension().string();
  std::transform(out_ext.begin(), out_ext.end(), out_ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  NSDF_CHECK(out_ext == ".png", core::UsageError,
             "render: the output is written as PNG; name it *.png (got '{}')", out);

  // A deque keeps the geometry in place while the panels point into it.
  std::deque<RenderInput> loaded;
  std::vector<geometry::RenderPanel> panels;
  for (const std::string& path : inputs) {
    const RenderInput& in = loaded.emplace_back(read_render_input(path));
    panels.push_back(
        {in.is_cloud ? geometry::RenderItem(in.cloud) : geometry::RenderItem(in.mesh)});
  }
  NSDF_CHECK(views == 0 || turntable == 0, core::UsageError,
             "render: give --views or --turntable, not both");
  if (turntable > 0) {
    const std::vector<geometry::Image> frames =
        geometry::render_turntable(panels, options, turntable);
    const fs::path stem = fs::path(out).replace_extension();
    for (size_t k = 0; k < frames.size(); ++k)
      geometry::write_png(frames[k], fmt::format("{}_{:03d}.png", stem.string(), k));
    fmt::print("{}_000.png ... {}_{:03d}.png: {} frames of {} x {} pixels\n", stem.string(),
               stem.string(), frames.size() - 1, frames.size(), frames[0].width,
               frames[0].height);
    return 0;
  }
  const geometry::Image image =
      views > 0 ? geometry::tile_images(geometry::render_turntable(panels, options, views), 1)
                : geometry::render_panels(panels, options);
  geometry::write_png(image, out);
  fmt::print("{}: {} x {} pixels, {} panel{}\n", out, image.width, image.height, panels.size(),
             panels.size() == 1 ? "" : "s");
  return 0;
}

int cmd_config(const std::vector<std::string>& args, const Registries& r) {
  if (wants_help(args)) return fmt::print("{}", kConfigUsage), 0;
  const CommandLine line =
      parse_command_line("config", args, {{"--explain", "KEY"}}, {}, kConfigUsage);
  const std::string& config = line.file;
  const std::string explain = line.value("--explain");
  NSDF_CHECK(!config.empty(), core::UsageError, "config: missing CONFIG\n{}", kConfigUsage);
  const experiments::PreparedRun run = experiments::prepare_run(r, config, line.overrides);
  if (!explain.empty()) {
    fmt::print("{}", experiments::explain_key(run, explain));
  } else {
    fmt::print("{}", run.resolved.to_yaml());
  }
  return 0;
}

int cmd_run(const std::vector<std::string>& args, const Registries& r) {
  if (wants_help(args)) return fmt::print("{}", kRunUsage), 0;
  // First: a launcher or scheduler may signal a run that is still starting.
  core::install_stop_handlers();
  const CommandLine line = parse_command_line(
      "run", args, {{"--resume", "RUN_DIR"}, {"--dir", "RUN_DIR"}}, {}, kRunUsage);
  std::string config = line.file;
  const std::string resume = line.value("--resume");
  std::string run_dir = line.value("--dir");
  const std::vector<std::string>& overrides = line.overrides;
  NSDF_CHECK(config.empty() || resume.empty(), core::UsageError,
             "run: give either CONFIG or --resume RUN_DIR, not both (a run folder holds its "
             "config)");
  NSDF_CHECK(resume.empty() || run_dir.empty(), core::UsageError,
             "run: give either --resume RUN_DIR or --dir RUN_DIR, not both");
  if (!resume.empty()) config = resume + "/config.yaml";
  NSDF_CHECK(!config.empty(), core::UsageError, "run: missing CONFIG\n{}", kRunUsage);
  experiments::PreparedRun run = experiments::prepare_run(r, config, overrides);
  run.world = distributed::world_from_environment();
  if (resume.empty() && run_dir.empty()) run_dir = experiments::slurm_run_dir(run);
  try {
    const std::string dir = run_dir.empty() ? experiments::execute_run(run, resume)
                                            : experiments::execute_run_in(run, run_dir);
    if (run.world.is_root()) fmt::print("{}\n", dir);
  } catch (const core::Stopped& e) {
    fmt::print(stderr, "nsdf: {}; rerun to continue\n", e.what());
    return core::kStoppedExitCode;
  }
  return 0;
}

}  // namespace

void register_builtins(Registries& registries) {
  experiments::register_builtins(registries);
  preprocessing::register_builtin_sources(registries.sources);
  sweep::register_builtin_launchers(registries.launchers);
}

int cli_main(int argc, char** argv, const Registries& registries) {
  core::ensure_fast_blas(argv);
  core::keep_freed_memory();
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    if (args.empty()) {
      fmt::print(stderr, "{}", kUsage);
      return 2;
    }
    const std::string cmd = args[0];
    const std::vector<std::string> rest(args.begin() + 1, args.end());
    if (cmd == "-h" || cmd == "--help" || cmd == "help") return fmt::print("{}", kUsage), 0;
    if (cmd == "--version" || cmd == "version") {
      fmt::print(
          "{}\n{}\nBLAS: {}\n", experiments::nsdf_version_string(), core::torch_version_string(),
          *core::blas_core_name() ? fmt::format("OpenBLAS ({} kernels)", core::blas_core_name())
                                  : std::string("not OpenBLAS (tools/setup.sh installs it)"));
      return 0;
    }
    if (cmd == "run") return cmd_run(rest, registries);
    if (cmd == "config") return cmd_config(rest, registries);
    if (cmd == "list") return cmd_list(rest, registries);
    if (cmd == "inspect") return cmd_inspect(rest);
    if (cmd == "eval") return cmd_eval(rest, registries);
    if (cmd == "render") return cmd_render(rest);
    if (cmd == "preprocess") return cmd_preprocess(rest, registries.sources);
    if (cmd == "report") return cmd_report(rest);
    if (cmd == "sweep") return cmd_sweep(rest, registries);
    if (cmd == "launch") return cmd_launch(rest);
    throw core::UsageError(fmt::format("unknown command '{}'{}\n{}", cmd,
                                       core::did_you_mean(cmd, {"run", "config", "list", "inspect",
                                                                "eval", "render", "preprocess",
                                                                "report", "sweep", "launch"}),
                                       kUsage));
  } catch (const core::UsageError& e) {
    fmt::print(stderr, "nsdf: {}\n", e.what());
    return 2;
  } catch (const core::ConfigError& e) {
    // Config messages are already "file:line:col: error: ..." lines.
    fmt::print(stderr, "{}\n", e.what());
    return 1;
  } catch (const core::Error& e) {
    fmt::print(stderr, "nsdf: error: {}\n", e.what());
    return 1;
  } catch (const core::InternalError& e) {
    fmt::print(stderr, "nsdf: {}\n", e.what());
    return 3;
  } catch (const c10::Error& e) {
    fmt::print(stderr, "nsdf: error: {}\n", e.what_without_backtrace());
    return 1;
  } catch (const std::exception& e) {
    fmt::print(stderr, "nsdf: error: {}\n", e.what());
    return 1;
  }
}

}  // namespace nsdf::tools
