#include "SweepCli.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include "CommandLine.h"
#include "core/ConfigLoader.h"
#include "core/Diagnostics.h"
#include "core/Error.h"
#include "core/Files.h"
#include "core/Log.h"
#include "core/Process.h"
#include "core/RunDir.h"
#include "experiments/Runner.h"
#include "report/Report.h"
#include "report/RunFolder.h"
#include "sweep/Launcher.h"
#include "sweep/Sweep.h"

namespace nsdf::tools {

namespace {

namespace fs = std::filesystem;

constexpr const char* kSweepUsage = R"(usage: nsdf sweep SWEEP.yaml [key=value ...] [--dry-run]
       nsdf sweep status SWEEP.yaml [key=value ...]

Runs a base config over axes of dotted keys (grid, zip, random samples, seed repeats), each run
in SWEEP_DIR/runs/<name> (SWEEP_DIR: the sweep's `output`, default runs/sweeps/<name>), started
by the sweep's launcher (local: here, max_parallel at a time; slurm: one sbatch array). Every
run's config is checked before anything starts. Running a sweep again skips finished runs,
continues stopped or killed ones from their checkpoints and reruns failed ones.

  --dry-run     list the runs, their overrides and resolved configs; start nothing
  status        each run's state (pending, running, finished, stopped, failed), step and loss

Overrides apply to the sweep file (launcher.max_parallel=4). Then: nsdf report SWEEP_DIR -o DIR.
)";

struct LoadedSweep {
  sweep::SweepOptions options;
  core::ConfigNode resolved;
  sweep::LauncherRegistry::Spec launcher;
  std::vector<sweep::SweepRun> runs;
  fs::path dir;
};

LoadedSweep load_sweep(const std::string& file, const std::vector<std::string>& overrides,
                       const Registries& registries) {
  core::ConfigNode root = core::load_config(file, overrides);
  if (!root.has("launcher")) {
    core::ConfigNode local = core::ConfigNode::map();
    local.set("type", core::ConfigNode::scalar("local"));
    root.set("launcher", local);
  }
  core::Diagnostics diag;
  LoadedSweep s;
  s.options = core::option_set<sweep::SweepOptions>().parse(root, diag);
  s.launcher = core::parse_component(root, "launcher", registries.launchers, diag);
  core::report_unread_keys(root, diag);
  diag.throw_if_any();
  if (s.options.name.empty()) s.options.name = fs::path(file).stem().string();
  s.runs = sweep::expand(s.options, diag);
  diag.throw_if_any();
  s.dir = fs::absolute(s.options.output.empty() ? fs::path("runs") / "sweeps" / s.options.name
                                                : fs::path(s.options.output))
              .lexically_normal();
  s.resolved = core::ConfigNode::map();
  core::option_set<sweep::SweepOptions>().write(s.options, s.resolved);
  s.resolved.set("launcher", s.launcher.resolved);
  return s;
}

std::string state_of(const fs::path& run) {
  if (!fs::exists(run)) return "pending";
  const std::string state = core::RunDir::read_state(run);
  return state.empty() ? "starting" : state;
}

// The last "step" and "loss" of a run's metrics.jsonl, read as the report reads runs (NaN
// when the run has not written its config yet or logged nothing).
std::pair<double, double> last_step_and_loss(const fs::path& run) {
  if (!fs::exists(run / "config.yaml"))
    return {std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN()};
  const report::RunFolder folder = report::read_run_folder(run);
  return {report::final_metric(folder, "step"), report::final_metric(folder, "loss")};
}

int print_status(const LoadedSweep& s) {
  fmt::print("sweep {} ({}): {} runs\n", s.options.name, s.dir.string(), s.runs.size());
  std::size_t width = 4;
  for (const auto& r : s.runs) width = std::max(width, r.name.size());
  fmt::print("  {:<{}}  {:<9}  {:>8}  {:>12}\n", "run", width, "state", "step", "loss");
  int unfinished = 0;
  for (const auto& r : s.runs) {
    const fs::path folder = sweep::run_folder(s.dir, r.name);
    const std::string state = state_of(folder);
    if (state != "finished") ++unfinished;
    const auto [step, loss] = last_step_and_loss(folder);
    fmt::print("  {:<{}}  {:<9}  {:>8}  {:>12}\n", r.name, width, state,
               std::isnan(step) ? "-" : fmt::format("{}", static_cast<int64_t>(step)),
               std::isnan(loss) ? "-" : fmt::format("{:.6g}", loss));
  }
  return unfinished;
}

}  // namespace

int cmd_sweep(const std::vector<std::string>& args, const Registries& registries) {
  for (const auto& a : args)
    if (a == "-h" || a == "--help") return fmt::print("{}", kSweepUsage), 0;
  // `nsdf sweep status SWEEP.yaml`: the same arguments after the word.
  const bool status = !args.empty() && args[0] == "status";
  const std::vector<std::string> rest(args.begin() + (status ? 1 : 0), args.end());
  const CommandLine line = parse_command_line("sweep", rest, {}, {"--dry-run"}, kSweepUsage);
  const bool dry_run = line.has("--dry-run");
  const std::string& file = line.file;
  const std::vector<std::string>& overrides = line.overrides;
  NSDF_CHECK(!file.empty(), core::UsageError, "sweep: missing SWEEP.yaml\n{}", kSweepUsage);
  const LoadedSweep s = load_sweep(file, overrides, registries);
  if (status) {
    print_status(s);
    return 0;
  }

  // Every run's config, checked before anything starts.
  std::vector<std::string> problems;
  std::vector<std::string> resolved;
  for (const auto& run : s.runs) {
    try {
      const experiments::PreparedRun prepared =
          experiments::prepare_run(registries, s.options.base.value, run.overrides);
      resolved.push_back(prepared.resolved.to_yaml());
    } catch (const core::Error& e) {
      problems.push_back(fmt::format("run {} ({}):\n{}", run.name,
                                     core::join(run.overrides, " "), e.what()));
    }
  }
  NSDF_CHECK(problems.empty(), core::ConfigError, "{}: {} of {} runs have config errors:\n{}",
             file, problems.size(), s.runs.size(), core::join(problems, "\n"));

  if (dry_run) {
    fmt::print("sweep {}: {} runs of {} into {}\n", s.options.name, s.runs.size(),
               s.options.base.value, s.dir.string());
    for (std::size_t i = 0; i < s.runs.size(); ++i) {
      fmt::print("\n[{}] {}\n  overrides: {}\n  state: {}\n  config:\n", i + 1, s.runs[i].name,
                 core::join(s.runs[i].overrides, " "),
                 state_of(sweep::run_folder(s.dir, s.runs[i].name)));
      std::string indented;
      for (char c : resolved[i]) indented += c == '\n' ? std::string("\n    ") : std::string(1, c);
      fmt::print("    {}\n", indented.substr(0, indented.size() - 4));
    }
    return 0;
  }

  fs::create_directories(s.dir);
  core::write_file_atomic((s.dir / "sweep.yaml").string(),
                          "# Resolved by nsdf sweep.\n" + s.resolved.to_yaml());
  sweep::LaunchPlan plan;
  plan.sweep_name = s.options.name;
  plan.sweep_dir = s.dir;
  plan.nsdf = core::self_executable();
  plan.base_config = fs::absolute(s.options.base.value).string();
  int finished = 0;
  for (const auto& run : s.runs) {
    if (state_of(sweep::run_folder(s.dir, run.name)) == "finished")
      ++finished;
    else
      plan.runs.push_back(run);
  }
  core::log::info("sweep {}: {} runs, {} finished already, {} to run ({})", s.options.name,
                  s.runs.size(), finished, plan.runs.size(), s.launcher.type);
  if (!plan.runs.empty()) s.launcher.build()->launch(plan);
  const int unfinished = print_status(s);
  if (s.launcher.type == "local" && unfinished > 0) {
    fmt::print(stderr, "nsdf: {} of {} runs did not finish; `nsdf sweep {}` again continues them\n",
               unfinished, s.runs.size(), file);
    return 1;
  }
  return 0;
}

}  // namespace nsdf::tools
