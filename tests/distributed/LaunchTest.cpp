// Data-parallel training as users start it: `nsdf launch --nproc 2 -- run CONFIG --dir DIR`
// (real processes, c10d Gloo over loopback). Two ranks take the steps one process takes with the
// same global batch and seed; a killed launch and a stop signal to one rank both end, after
// rerunning the command, where an uninterrupted two-rank run ends.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/Checkpoint.h"
#include "support/NsdfProcess.h"
#include "support/RunFolders.h"
#include "support/TestFiles.h"

namespace nsdf::distributed {
namespace {

namespace fs = std::filesystem;
using test::ProcessResult;
using tools::nsdf;

// 11 shapes in batches of 5, 5 and 1: a part of 2 or 3 shapes per rank, and a batch that leaves
// one rank without shapes. No dropout (its masks differ between ranks by design); DeepSDF's
// learning rates.
constexpr const char* kConfig =
    R"(experiment: {type: train, epochs: 5, shapes_per_batch: 5, samples_per_shape: 256,
             checkpoint_every: 5}
data: {type: synthetic, shapes: 11, samples: 4000, test_samples: 500}
model: {type: deepsdf, dims: [64, 64, 64, 64], latent_in: [2], dropout: 0.0}
latent: {type: table, size: 8, init_std: 0.01, max_norm: 1.0}
loss: {type: clamped_l1, code_reg: 1.0e-4}
optimizer: {type: adam, lr: 5.0e-4, latent_lr: 1.0e-3}
schedule: {type: step, every: 100, factor: 0.5}
device: cpu
num_threads: 1
)";

// The largest difference between the decoders and latent codes of two checkpoints.
double max_difference(const fs::path& a, const fs::path& b) {
  const core::Checkpoint ca = core::Checkpoint::load(a.string());
  const core::Checkpoint cb = core::Checkpoint::load(b.string());
  double worst = 0;
  int compared = 0;
  for (const std::string& key : ca.keys()) {
    if (key.rfind("decoder.", 0) != 0 && key != "latent.codes") continue;
    EXPECT_TRUE(cb.has(key)) << key;
    if (!cb.has(key)) continue;
    worst = std::max(worst, (ca.get(key).to(torch::kFloat64) - cb.get(key).to(torch::kFloat64))
                                .abs()
                                .max()
                                .item<double>());
    ++compared;
  }
  EXPECT_GT(compared, 4);
  return worst;
}

fs::path latest(const fs::path& run) { return run / "checkpoints" / "latest.pt"; }

std::vector<std::string> launch_command(const std::string& config, const fs::path& run,
                                        const std::vector<std::string>& overrides = {}) {
  std::vector<std::string> c = {NSDF_BINARY, "launch", "--nproc", "2", "--", "run", config,
                                "--dir", run.string()};
  c.insert(c.end(), overrides.begin(), overrides.end());
  return c;
}

ProcessResult run_command(const std::vector<std::string>& command) {
  return nsdf(std::vector<std::string>(command.begin() + 1, command.end()));
}

TEST(DataParallelRun, TwoRanksTakeTheStepsOfOneProcess) {
  test::TempDir dir;
  const std::string cfg = dir.write("dp.yaml", kConfig);
  const fs::path one = dir.path() / "one", two = dir.path() / "two", table = dir.path() / "table";
  const ProcessResult single = nsdf({"run", cfg, "--dir", one.string()});
  ASSERT_EQ(single.exit_code, 0) << single.err;
  const ProcessResult pair = run_command(launch_command(cfg, two));
  ASSERT_EQ(pair.exit_code, 0) << pair.err;
  // The folder is printed once (by rank 0), and holds one run's files.
  EXPECT_EQ(pair.out, two.string() + "\n");
  EXPECT_EQ(test::run_state(two), "finished");
  EXPECT_TRUE(fs::exists(two / "latents" / "latents.pt"));
  EXPECT_EQ(test::metric_lines(two).size(), 5u);
  const std::string log = test::read_text(two / "log.txt");
  EXPECT_NE(log.find("data-parallel: 2 ranks (env), c10d gloo on cpu"), std::string::npos) << log;
  EXPECT_NE(log.find("latent codes: rows"), std::string::npos) << log;
  EXPECT_NE(log.find("data-parallel: communication"), std::string::npos) << log;

  // Same decoder and codes (float rounding: partial sums in another order).
  EXPECT_LT(max_difference(latest(one), latest(two)), 1e-5);
  // Each rank's generator state is kept, and they differ (dropout masks differ by rank).
  const core::Checkpoint ck = core::Checkpoint::load(latest(two).string());
  ASSERT_TRUE(ck.has("rng.torch") && ck.has("rng.torch.rank1"));
  EXPECT_FALSE(torch::equal(ck.get("rng.torch"), ck.get("rng.torch.rank1")));

  // All-reducing the whole code table's gradient gives the same.
  const ProcessResult t = run_command(launch_command(cfg, table, {"+distributed.codes=table"}));
  ASSERT_EQ(t.exit_code, 0) << t.err;
  EXPECT_NE(test::read_text(table / "log.txt").find("latent codes: table"), std::string::npos);
  EXPECT_LT(max_difference(latest(one), latest(table)), 1e-5);
}

// The pid of rank `rank` among the children of `launcher` (0 when there is none yet).
int child_rank_pid(int launcher, int rank) {
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string pid, comm, state;
    int ppid = 0;
    if (!(stat >> pid >> comm >> state >> ppid) || ppid != launcher) continue;
    std::ifstream environ(entry.path() / "environ");
    std::string var;
    while (std::getline(environ, var, '\0'))
      if (var == "RANK=" + std::to_string(rank)) return std::stoi(name);
  }
  return 0;
}

int wait_exit(int pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

TEST(DataParallelRun, KilledOrSignalledRunsEndWhereAnUninterruptedOneDoes) {
  test::TempDir dir;
  const std::string cfg = dir.write("dp.yaml", kConfig);
  const std::vector<std::string> longer = {"experiment.epochs=60",
                                           "experiment.checkpoint_every=10"};
  const fs::path full = dir.path() / "full";
  ASSERT_EQ(run_command(launch_command(cfg, full, longer)).exit_code, 0);
  const auto expected = test::metric_lines(full);
  ASSERT_EQ(expected.size(), 60u);

  // 1. The launcher is killed (SIGKILL) after the epoch-10 checkpoint: its ranks die with it;
  // the same command again resumes from that checkpoint.
  {
    const fs::path run = dir.path() / "killed";
    const auto command = launch_command(cfg, run, longer);
    const int pid = test::spawn_process(command, dir.path());
    ASSERT_TRUE(test::wait_until([&] { return fs::exists(run / "checkpoints/epoch_000010.pt"); }));
    ASSERT_EQ(::kill(pid, SIGKILL), 0);
    EXPECT_EQ(wait_exit(pid), -SIGKILL);
    ASSERT_LT(test::metric_lines(run).size(), 60u) << "the run finished before the kill";
    const ProcessResult again = run_command(command);
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_NE(test::read_text(run / "log.txt").find("resuming from"), std::string::npos);
    EXPECT_EQ(test::metric_lines(run), expected);
    EXPECT_LT(max_difference(latest(full), latest(run)), 1e-6);
  }

  // 2. SIGUSR1 reaches rank 1 only, between checkpoints: both ranks stop after the same epoch,
  // rank 0 writes the checkpoint, the launch exits 75; the rerun finishes the run.
  {
    const fs::path run = dir.path() / "signalled";
    const auto command = launch_command(cfg, run, longer);
    const int pid = test::spawn_process(command, dir.path());
    ASSERT_TRUE(test::wait_for_metric_lines(run, 13));
    const int rank1 = child_rank_pid(pid, 1);
    ASSERT_GT(rank1, 0);
    ASSERT_EQ(::kill(rank1, SIGUSR1), 0);
    EXPECT_EQ(wait_exit(pid), 75);
    EXPECT_EQ(test::run_state(run), "stopped");
    const std::size_t logged = test::metric_lines(run).size();
    ASSERT_LT(logged, 60u) << "the run finished before the signal";
    EXPECT_NE(test::read_text(run / "log.txt").find("stopped by a signal to another rank"),
              std::string::npos);
    const core::Checkpoint ck = core::Checkpoint::load(latest(run).string());
    EXPECT_EQ(ck.get("step").item<int64_t>(), static_cast<int64_t>(logged));
    const ProcessResult again = run_command(command);
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(test::run_state(run), "finished");
    EXPECT_EQ(test::metric_lines(run), expected);
    EXPECT_LT(max_difference(latest(full), latest(run)), 1e-6);
  }
}

TEST(DataParallelRun, ClearErrors) {
  test::TempDir dir;
  const std::string cfg = dir.write("dp.yaml", kConfig);
  ProcessResult r = nsdf({"launch", "--", "run", cfg});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--nproc N (N >= 1) is required"), std::string::npos) << r.err;
  r = nsdf({"launch", "--nproc", "2", "run", cfg});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("the command follows --"), std::string::npos) << r.err;
  r = nsdf({"launch", "--nproc", "2", "--", "report", "x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("starts `nsdf run` ranks"), std::string::npos) << r.err;

  // Only `train` runs data-parallel.
  const std::string fit = dir.write("fit.yaml", test::read_text(fs::path(NSDF_SOURCE_DIR) /
                                                                "tests/support/quick_fit.yaml"));
  r = nsdf({"launch", "--nproc", "2", "--", "run", fit, "--dir", (dir.path() / "f").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("this experiment runs in one process"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("data-parallel runs are for `train`"), std::string::npos) << r.err;

  // Variables that cannot make a world.
  r = nsdf({"run", cfg}, dir.path(), {"WORLD_SIZE=2", "RANK=0"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("MASTER_ADDR is not"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace nsdf::distributed
