#include "sweep/SlurmLauncher.h"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>

#include "core/Error.h"
#include "core/Files.h"
#include "core/Log.h"

namespace nsdf::sweep {

namespace fs = std::filesystem;

void SlurmLauncherOptions::declare(core::OptionSet<SlurmLauncherOptions>& s) {
  using O = SlurmLauncherOptions;
  s.add("partition", &O::partition, "sbatch --partition (empty: the cluster's default)");
  s.add("time", &O::time, "time limit per run, sbatch --time ([D-]HH:MM:SS)");
  s.add("cpus", &O::cpus, "CPUs per rank, sbatch --cpus-per-task").positive();
  s.add("gpus", &O::gpus, "GPUs per rank, sbatch --gpus-per-task (0: none)").non_negative();
  s.add("mem", &O::mem, "memory per node, sbatch --mem (e.g. 16G; empty: the default)");
  s.add("array_throttle", &O::array_throttle,
        "at most this many runs at once, sbatch --array=...%N (0: no limit)")
      .non_negative();
  s.add("signal_lead", &O::signal_lead,
        "seconds before the time limit at which SLURM sends SIGUSR1: the run checkpoints and "
        "requeues (0: no signal)")
      .non_negative();
  s.add("tasks_per_run", &O::tasks_per_run, "ranks per run (data-parallel), srun --ntasks")
      .positive();
  s.add("requeue", &O::requeue, "requeue a run stopped by a signal (exit 75)");
  s.add("extra", &O::extra, "more #SBATCH lines, as written after '#SBATCH '");
  s.add("sbatch", &O::sbatch, "the sbatch command");
}

namespace {

// Single-quoted for bash.
std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

std::string SlurmLauncher::script(const LaunchPlan& plan) const {
  const fs::path slurm = plan.sweep_dir / "slurm";
  std::string s = "#!/bin/bash\n# Written by nsdf sweep: one array task per run.\n";
  s += fmt::format("#SBATCH --job-name={}\n", quote("nsdf-" + plan.sweep_name));
  s += fmt::format("#SBATCH --array=0-{}{}\n", plan.runs.size() - 1,
                   options_.array_throttle > 0 ? fmt::format("%{}", options_.array_throttle)
                                               : std::string());
  s += fmt::format("#SBATCH --output={}\n", (slurm / "%A_%a.out").string());
  s += fmt::format("#SBATCH --time={}\n", options_.time);
  s += fmt::format("#SBATCH --ntasks={}\n", options_.tasks_per_run);
  s += fmt::format("#SBATCH --cpus-per-task={}\n", options_.cpus);
  if (options_.gpus > 0) s += fmt::format("#SBATCH --gpus-per-task={}\n", options_.gpus);
  if (!options_.partition.empty()) s += fmt::format("#SBATCH --partition={}\n", options_.partition);
  if (!options_.mem.empty()) s += fmt::format("#SBATCH --mem={}\n", options_.mem);
  if (options_.signal_lead > 0) s += fmt::format("#SBATCH --signal=USR1@{}\n", options_.signal_lead);
  if (options_.requeue) s += "#SBATCH --requeue\n#SBATCH --open-mode=append\n";
  for (const auto& line : options_.extra) s += "#SBATCH " + line + "\n";
  s += "\nset -u\ncase \"$SLURM_ARRAY_TASK_ID\" in\n";
  for (std::size_t i = 0; i < plan.runs.size(); ++i) {
    std::string args;
    for (const auto& a : run_command(plan, plan.runs[i])) args += " " + quote(a);
    s += fmt::format("  {}) log={}; cmd=({} );;\n", i,
                     quote(run_log(plan.sweep_dir, plan.runs[i].name).string()), args);
  }
  s += "  *) echo \"no run for array task $SLURM_ARRAY_TASK_ID\" >&2; exit 2;;\nesac\n";
  s += fmt::format(
      "mkdir -p \"$(dirname \"$log\")\"\n"
      "srun --ntasks={} --cpus-per-task={} \"${{cmd[@]}}\" >>\"$log\" 2>&1\n"
      "rc=$?\n",
      options_.tasks_per_run, options_.cpus);
  if (options_.requeue)
    s += "# 75: stopped by a signal after writing its checkpoint; run again from there.\n"
         "if [ $rc -eq 75 ]; then\n"
         "  scontrol requeue \"${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\"\n"
         "fi\n";
  s += "exit $rc\n";
  return s;
}

int SlurmLauncher::launch(const LaunchPlan& plan) {
  const fs::path slurm = plan.sweep_dir / "slurm";
  fs::create_directories(slurm);
  fs::create_directories(plan.sweep_dir / "logs");
  int n = 1;
  while (fs::exists(slurm / fmt::format("array_{}.sbatch", n))) ++n;
  const fs::path file = slurm / fmt::format("array_{}.sbatch", n);
  core::write_file_atomic(file.string(), script(plan));
  const std::string command = options_.sbatch + " --parsable " + quote(file.string()) + " 2>&1";
  std::FILE* pipe = ::popen(command.c_str(), "r");
  NSDF_CHECK(pipe, core::IoError, "cannot run '{}'", command);
  std::string out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, pipe)) out += buf;
  const int status = ::pclose(pipe);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  NSDF_CHECK(status == 0, core::IoError, "sbatch failed for {}: {}", file.string(), out);
  const std::string job = out.substr(0, out.find(';'));  // "<id>[;cluster]"
  std::string record;
  for (std::size_t i = 0; i < plan.runs.size(); ++i)
    record += fmt::format("{}_{} {}\n", job, i, plan.runs[i].name);
  std::FILE* f = std::fopen((slurm / "jobs.txt").c_str(), "a");
  NSDF_CHECK(f, core::IoError, "{}: cannot append", (slurm / "jobs.txt").string());
  std::fputs(record.c_str(), f);
  std::fclose(f);
  core::log::info("sweep {}: submitted job array {} ({} runs; {}); `nsdf sweep status` follows it",
                  plan.sweep_name, job, plan.runs.size(), file.string());
  return 0;
}

}  // namespace nsdf::sweep
