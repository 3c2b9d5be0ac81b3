#include "LaunchCli.h"

#include <fmt/format.h>

#include <cstdlib>

#include "core/Error.h"
#include "core/Process.h"
#include "distributed/LocalLaunch.h"

namespace nsdf::tools {

namespace {

constexpr const char* kLaunchUsage =
    R"(usage: nsdf launch --nproc N [--master-port PORT] -- run CONFIG [key=value ...] [--dir DIR]

Starts N ranks of one data-parallel `nsdf run` on this machine (c10d: Gloo on CPU, NCCL on
GPUs). Each rank gets RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR=127.0.0.1
and MASTER_PORT (a free port unless --master-port or MASTER_PORT says), as torchrun sets
them. Each rank trains on its part of every global batch and the ranks average gradients:
the run takes the same steps as `nsdf run CONFIG` (shapes_per_batch is the global batch).
Rank 0 writes the run folder; num_threads=0 gives each rank its share of the cores.

SIGTERM, SIGUSR1 or SIGINT to the launcher reach every rank: they checkpoint after the same
epoch and exit 75; rerun the same command (with --dir) to continue. When a rank fails, the
others are stopped. Under SLURM, `srun nsdf run CONFIG` starts the ranks instead.
)";

int parse_int(const std::string& flag, const std::string& value) {
  char* end = nullptr;
  const long v = std::strtol(value.c_str(), &end, 10);
  NSDF_CHECK(!value.empty() && end && *end == '\0' && v >= 0 && v <= 65535, core::UsageError,
             "launch: {} expects a number, got '{}'", flag, value);
  return static_cast<int>(v);
}

}  // namespace

int cmd_launch(const std::vector<std::string>& args) {
  distributed::LocalLaunchOptions options;
  options.nproc = 0;
  size_t i = 0;
  for (; i < args.size() && args[i] != "--"; ++i) {
    if (args[i] == "-h" || args[i] == "--help") return fmt::print("{}", kLaunchUsage), 0;
    if (args[i] == "--nproc" || args[i] == "--master-port") {
      NSDF_CHECK(i + 1 < args.size(), core::UsageError, "launch: {} needs a value", args[i]);
      const int v = parse_int(args[i], args[i + 1]);
      (args[i] == "--nproc" ? options.nproc : options.master_port) = v;
      ++i;
    } else {
      throw core::UsageError(
          fmt::format("launch: unexpected argument '{}' (the command follows --)\n{}", args[i],
                      kLaunchUsage));
    }
  }
  NSDF_CHECK(options.nproc >= 1, core::UsageError, "launch: --nproc N (N >= 1) is required\n{}",
             kLaunchUsage);
  NSDF_CHECK(i + 1 < args.size(), core::UsageError,
             "launch: the nsdf command to start follows --, e.g. `nsdf launch --nproc 2 -- run "
             "CONFIG`");
  NSDF_CHECK(args[i + 1] == "run", core::UsageError,
             "launch: starts `nsdf run` ranks, got `{}`", args[i + 1]);
  std::vector<std::string> argv{core::self_executable()};
  argv.insert(argv.end(), args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
  return distributed::launch_local(argv, options);
}

}  // namespace nsdf::tools
