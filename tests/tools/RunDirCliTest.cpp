// `nsdf run --dir` and stop signals, as a scheduler uses them: a run stopped by SIGUSR1 or
// SIGTERM leaves a checkpoint and exit status 75, and running the same command again continues
// it to the end an uninterrupted run reaches; a finished run is left alone.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/NsdfProcess.h"
#include "support/RunFolders.h"
#include "support/TestFiles.h"
#include "support/TinyConfigs.h"

namespace nsdf::tools {
namespace {

namespace fs = std::filesystem;
using test::ProcessResult;

const std::vector<std::string> kLong{"experiment.epochs=300", "experiment.checkpoint_every=100",
                                     "schedule.every=100"};

std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// Sends `signal` once metrics.jsonl has `lines` lines (not at a checkpoint boundary), waits for
// the exit and returns the exit status (-1: killed by a signal or never ready).
int stop_when_logged(int pid, const fs::path& run, std::size_t lines, int signal) {
  test::wait_for_metric_lines(run, lines);
  EXPECT_EQ(::kill(pid, signal), 0);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(RunDirCli, StopSignalsCheckpointAndTheRerunEndsAsAnUninterruptedRun) {
  test::TempDir dir;
  const std::string cfg = dir.write("tiny.yaml", test::kTinyTrainConfig);
  const ProcessResult full = nsdf(with({"run", cfg, "--dir", (dir.path() / "full").string()}, kLong));
  ASSERT_EQ(full.exit_code, 0) << full.err;
  const auto expected = test::metric_lines(dir.path() / "full");
  ASSERT_EQ(expected.size(), 300u);
  EXPECT_EQ(test::run_state(dir.path() / "full"), "finished");

  for (const int signal : {SIGUSR1, SIGTERM}) {
    const fs::path run = dir.path() / ("stopped_" + std::to_string(signal));
    const std::vector<std::string> command =
        with({NSDF_BINARY, "run", cfg, "--dir", run.string()}, kLong);
    const int pid = test::spawn_process(command, dir.path());
    // Mid-way between checkpoints (every 100 epochs): the stop writes its own.
    EXPECT_EQ(stop_when_logged(pid, run, 37, signal), 75) << "signal " << signal;
    EXPECT_EQ(test::run_state(run), "stopped");
    const std::size_t logged = test::metric_lines(run).size();
    ASSERT_GE(logged, 37u);
    ASSERT_LT(logged, 300u) << "the run finished before the signal";
    EXPECT_NE(test::read_text(run / "log.txt").find("stopped by SIG"), std::string::npos);

    // The same command again continues from the stop's checkpoint (not from epoch 0 or 100).
    const ProcessResult again = nsdf(std::vector<std::string>(command.begin() + 1, command.end()));
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_NE(test::read_text(run / "log.txt").find("resuming from"), std::string::npos);
    const auto got = test::metric_lines(run);
    ASSERT_EQ(got.size(), 300u);
    EXPECT_EQ(got, expected);  // every line, losses to the last digit
    EXPECT_EQ(test::run_state(run), "finished");
  }
}

TEST(RunDirCli, ASecondProcessInTheSameFolderIsRefused) {
  test::TempDir dir;
  const std::string cfg = dir.write("tiny.yaml", test::kTinyTrainConfig);
  const fs::path run = dir.path() / "r";
  // Long enough to be running still when the second process starts.
  const std::vector<std::string> command =
      with({NSDF_BINARY, "run", cfg, "--dir", run.string()},
           {"experiment.epochs=20000", "experiment.checkpoint_every=10000",
            "schedule.every=10000"});
  const int pid = test::spawn_process(command, dir.path());
  ASSERT_TRUE(test::wait_for_metric_lines(run, 5));
  // The same command again (a sweep or a job started twice) while the first runs.
  const ProcessResult second = nsdf(std::vector<std::string>(command.begin() + 1, command.end()));
  EXPECT_EQ(second.exit_code, 2);
  EXPECT_NE(second.err.find(run.string() + ": another nsdf process (pid " + std::to_string(pid) +
                            ") is running in this folder"),
            std::string::npos)
      << second.err;
  EXPECT_EQ(test::run_state(run), "running");
  // The first one is untouched: stopped by SIGTERM, it checkpoints as usual.
  EXPECT_EQ(stop_when_logged(pid, run, 6, SIGTERM), 75);
  EXPECT_EQ(test::run_state(run), "stopped");
}

TEST(RunDirCli, FinishedRunsAreLeftAloneAndOtherConfigsRefused) {
  test::TempDir dir;
  const std::string cfg = dir.write("tiny.yaml", test::kTinyTrainConfig);
  const std::string run = (dir.path() / "r").string();
  ASSERT_EQ(nsdf({"run", cfg, "--dir", run}).exit_code, 0);
  const std::string metrics = test::read_text(fs::path(run) / "metrics.jsonl");
  const ProcessResult again = nsdf({"run", cfg, "--dir", run});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("finished already, nothing to do"), std::string::npos) << again.err;
  EXPECT_EQ(test::read_text(fs::path(run) / "metrics.jsonl"), metrics);

  const ProcessResult other = nsdf({"run", cfg, "--dir", run, "experiment.epochs=7"});
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_NE(other.err.find("holds a run of another config"), std::string::npos) << other.err;
  EXPECT_NE(other.err.find("epochs: 7"), std::string::npos) << other.err;
  EXPECT_EQ(nsdf({"run", cfg, "--dir", run, "--resume", run}).exit_code, 2);
}

TEST(RunDirCli, UnderSlurmTheRunFolderIsTheJobs) {
  test::TempDir dir;
  const std::string cfg = dir.write("tiny.yaml", test::kTinyTrainConfig);
  const std::string runs = "runs_dir=" + (dir.path() / "runs").string();
  const std::vector<std::string> slurm = {"SLURM_JOB_ID=4242", "SLURM_ARRAY_JOB_ID=4240",
                                          "SLURM_ARRAY_TASK_ID=2"};
  const ProcessResult r = nsdf({"run", cfg, runs}, {}, slurm);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir.path() / "runs" / "tiny" / "slurm-4240_2" / "status.json"));
  const ProcessResult requeued = nsdf({"run", cfg, runs}, {}, slurm);
  EXPECT_NE(requeued.err.find("finished already"), std::string::npos) << requeued.err;
}

}  // namespace
}  // namespace nsdf::tools
