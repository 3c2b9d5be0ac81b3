#include "experiments/Runner.h"

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <sstream>
#include <thread>

#include "core/Blas.h"
#include "core/ConfigLoader.h"
#include "core/Device.h"
#include "core/Error.h"
#include "core/Files.h"
#include "core/Log.h"
#include "core/Signals.h"
#include "core/Strings.h"
#include "experiments/Version.h"


namespace nsdf::experiments {

namespace fs = std::filesystem;

void RunOptions::declare(core::OptionSet<RunOptions>& s) {
  s.add("seed", &RunOptions::seed, "seed of every random generator").non_negative();
  s.add("device", &RunOptions::device, "auto | cpu | cuda | cuda:N")
      .check(
          [](const std::string& d) {
            try {
              core::parse_device(d);
              return std::string();
            } catch (const core::ConfigError& e) {
              return std::string(e.what());
            }
          },
          "auto, cpu, cuda or cuda:N");
  s.add("num_threads", &RunOptions::num_threads, "CPU threads of torch (0: one per core)")
      .non_negative();
  s.add("runs_dir", &RunOptions::runs_dir,
        "folder of run outputs, relative to the working directory");
  s.section("distributed", &RunOptions::distributed, "data-parallel");
}

namespace {

// The device of this rank: cuda:<local rank> for an unnumbered CUDA device of a
// data-parallel run.
torch::Device rank_device(const PreparedRun& run) {
  torch::Device device = core::parse_device(run.options.device);
  if (device.is_cuda() && !device.has_index() && run.world.distributed())
    device = torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(run.world.local_rank));
  return device;
}

// Joins the other ranks of a data-parallel run (once); nothing for a single process.
void join_world(PreparedRun& run) {
  core::log::set_rank(run.world.rank);
  if (!run.world.distributed() || run.group) return;
  NSDF_CHECK(run.experiment->data_parallel(), core::UsageError,
             "{}: this experiment runs in one process, but the environment starts {} ranks "
             "({}); data-parallel runs are for `train`",
             run.config_path, run.world.size, run.world.describe());
  const auto timeout = std::chrono::milliseconds(
      static_cast<int64_t>(run.options.distributed.timeout_s * 1000));
  run.group = distributed::Group::connect(run.world, rank_device(run), timeout);
}

// Threads of torch: num_threads, or this rank's share of the machine's cores.
int64_t run_threads(const PreparedRun& run) {
  if (run.options.num_threads > 0) return run.options.num_threads;
  const auto cores = static_cast<int64_t>(std::max(1u, std::thread::hardware_concurrency()));
  return std::max<int64_t>(1, cores / std::max(1, run.world.local_size));
}

}  // namespace

std::string nsdf_version_string() { return std::string("nsdf ") + kNsdfVersion; }

PreparedRun prepare_run(const Registries& registries, const std::string& config_path,
                        const std::vector<std::string>& overrides) {
  PreparedRun run;
  run.config_path = config_path;
  run.loaded = core::load_config(config_path, overrides);
  const core::ConfigNode& root = run.loaded;
  core::Diagnostics diag;
  run.resolved = core::ConfigNode::map();

  if (auto spec = core::parse_component(root, "experiment", registries.experiments, diag)) {
    run.resolved.set("experiment", spec.resolved);
    const ExperimentInputs inputs{root, registries, diag, run.resolved};
    run.experiment = spec.build(inputs);
  }
  if (!run.experiment) {
    // Without a valid experiment nobody reads the other sections: do not call them unknown.
    for (const auto& e : root.entries())
      if (e.first != "experiment") e.second.mark_subtree_read();
  }
  run.options = core::option_set<RunOptions>().parse(root, diag);
  core::option_set<RunOptions>().write(run.options, run.resolved);
  core::report_unread_keys(root, diag);
  diag.throw_if_any();

  run.name = run.experiment->name();
  if (run.name.empty()) run.name = fs::path(config_path).stem().string();
  core::ConfigNode exp_resolved = run.resolved.peek("experiment");
  exp_resolved.set("name", core::ConfigNode::scalar(run.name));
  return run;
}

std::string execute_run(PreparedRun& run, const std::string& resume_dir) {
  const bool resume = !resume_dir.empty();
  join_world(run);
  const int rank = run.world.rank;
  // Rank 0 creates or opens the folder and locks it (one process per folder: a second one
  // fails, on every rank); the other ranks use the path it chose.
  std::optional<core::RunLock> lock;
  auto choose = [&] {
    const core::RunDir d = resume                   ? core::RunDir::open(resume_dir)
                           : !run.placement.empty() ? core::RunDir::at(run.placement)
                                                    : core::RunDir::create(run.options.runs_dir,
                                                                           run.name);
    lock.emplace(d.path());
    return d.path().string();
  };
  const std::string path = run.group ? run.group->agree(choose) : choose();
  const core::RunDir dir = core::RunDir::at(path, rank);
  if (rank == 0) core::log::set_file(dir.log_file().string());
  dir.write_config(run.resolved);

  core::set_threads(run_threads(run));
  core::seed_everything(static_cast<uint64_t>(run.options.seed) + 1000003ull * rank);
  RunContext ctx{dir, rank_device(run), resume, static_cast<uint64_t>(run.options.seed),
                 run.group, run.options.distributed};

  core::log::info("{} ({}, BLAS {})", nsdf_version_string(), core::torch_version_string(),
                  *core::blas_core_name() ? std::string("OpenBLAS/") + core::blas_core_name()
                                          : std::string("?"));
  core::log::info("{} {} from {}", resume ? "resuming run" : "run", dir.path().string(),
            run.config_path);
  core::log::info("device {}, {} threads, seed {}", ctx.device.str(), torch::get_num_threads(),
            run.options.seed);
  core::log::write_file_only("resolved config:\n" + run.resolved.to_yaml());

  dir.write_status("running");
  try {
    run.experiment->run(ctx);
  } catch (const core::Stopped& e) {
    dir.write_status("stopped", e.what());
    core::log::set_file("");
    throw;
  } catch (const std::exception& e) {
    dir.write_status("failed", e.what());
    core::log::set_file("");
    throw;
  }
  dir.write_status("finished");
  core::log::info("outputs: {}", dir.path().string());
  core::log::set_file("");
  return dir.path().string();
}

namespace {

std::string run_in_decision(const PreparedRun& run, const std::string& run_dir) {
  const fs::path dir(run_dir);
  const fs::path config = dir / "config.yaml";
  if (fs::exists(config)) {
    // The folder's run must be this config: compare the resolved configs as written.
    const core::RunDir probe = core::RunDir::open(run_dir);
    const std::string on_disk = core::read_file(config.string());
    const std::string ours = run.resolved.to_yaml();
    if (on_disk.find(ours) == std::string::npos) {
      std::istringstream a(on_disk.substr(on_disk.find('\n') + 1)), b(ours);
      std::string la, lb;
      int line = 1;
      while (std::getline(a, la) && std::getline(b, lb) && la == lb) ++line;
      throw core::ConfigError(fmt::format(
          "{}: holds a run of another config (resolved config line {}: '{}' there, '{}' here); "
          "give another --dir, or `nsdf run --resume {}` to continue that run",
          run_dir, line, la, lb, run_dir));
    }
    return core::RunDir::read_state(dir) == "finished" ? "finished" : "resumed";
  }
  core::RunDir::at(run_dir);
  return "started";
}

}  // namespace

std::string execute_run_in(PreparedRun& run, const std::string& run_dir, std::string* started) {
  join_world(run);
  // Rank 0 decides what the folder asks for; the other ranks follow.
  const std::string decision =
      run.group ? run.group->agree([&] { return run_in_decision(run, run_dir); })
                : run_in_decision(run, run_dir);
  if (started) *started = decision;
  if (decision == "finished") {
    core::log::info("{}: finished already, nothing to do", run_dir);
    return run_dir;
  }
  if (decision == "resumed") return execute_run(run, run_dir);
  run.placement = run_dir;
  return execute_run(run);
}

std::string slurm_run_dir(const PreparedRun& run) {
  const char* job = std::getenv("SLURM_JOB_ID");
  if (!job || !*job) return "";
  const char* array_job = std::getenv("SLURM_ARRAY_JOB_ID");
  const char* task = std::getenv("SLURM_ARRAY_TASK_ID");
  const std::string id = array_job && *array_job && task && *task
                             ? fmt::format("slurm-{}_{}", array_job, task)
                             : fmt::format("slurm-{}", job);
  return (fs::path(run.options.runs_dir) / run.name / id).string();
}

std::string explain_key(const PreparedRun& run, const std::string& key) {
  auto find = [&](const core::ConfigNode& root) {
    core::ConfigNode cur = root;
    std::string part;
    std::vector<std::string> parts;
    for (char c : key + ".") {
      if (c == '.') {
        parts.push_back(part);
        part.clear();
      } else {
        part += c;
      }
    }
    for (const auto& p : parts) {
      if (!cur || !cur.is_map()) return core::ConfigNode();
      cur = cur.peek(p);
    }
    return cur;
  };
  const core::ConfigNode loaded = find(run.loaded);
  const core::ConfigNode resolved = find(run.resolved);
  if (!loaded && !resolved) {
    std::vector<std::string> keys;
    std::function<void(const core::ConfigNode&)> collect = [&](const core::ConfigNode& n) {
      if (!n.is_map()) return;
      for (const auto& [k, v] : n.entries()) {
        keys.push_back(v.path());
        collect(v);
      }
    };
    core::ConfigNode copy = run.resolved.clone();
    copy.assign_paths("");
    collect(copy);
    throw core::UsageError(fmt::format("--explain {}: no such key in this config{}", key,
                                 core::did_you_mean(key, keys)));
  }
  auto value_text = [](const core::ConfigNode& n) {
    std::string t = n.to_yaml();
    while (!t.empty() && t.back() == '\n') t.pop_back();
    return t.find('\n') == std::string::npos ? t : "\n" + t;
  };
  std::string out = key + ": " + value_text(resolved ? resolved : loaded) + "\n";
  if (!loaded) return out + "  not set in any file or override: the component's default\n";
  out += "  set at " + loaded.mark().str() + "\n";
  for (auto it = loaded.history().rbegin(); it != loaded.history().rend(); ++it)
    out += "  overrides " + it->str() + "\n";
  return out;
}

}  // namespace nsdf::experiments
