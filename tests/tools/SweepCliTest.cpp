// `nsdf sweep` with the local launcher, as a user runs it: a 4-run sweep of a quick IGR fit,
// the report over it, config errors before anything starts, and a sweep run again after one of
// its runs was killed.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "support/NsdfProcess.h"
#include "support/TestFiles.h"

namespace nsdf::tools {
namespace {

namespace fs = std::filesystem;
using test::ProcessResult;



std::string sweep_file(const test::TempDir& tmp, const std::string& extra = "") {
  tmp.write("fit.yaml",
            test::read_text(fs::path(NSDF_SOURCE_DIR) / "tests/support/quick_fit.yaml"));
  return tmp.write("sweep.yaml", "base: fit.yaml\noutput: " + (tmp.path() / "result").string() +
                                     "\ngrid: {loss.lambda: [0.05, 0.1]}\nseeds: 2\n" +
                                     "launcher: {type: local, max_parallel: 2}\n" + extra);
}

std::size_t lines(const fs::path& file) {
  std::ifstream in(file);
  std::size_t n = 0;
  std::string line;
  while (std::getline(in, line)) ++n;
  return n;
}

const std::vector<std::string> kNames = {"lambda-0.05_seed-0", "lambda-0.05_seed-1",
                                         "lambda-0.1_seed-0", "lambda-0.1_seed-1"};

TEST(SweepCli, FourQuickFitsRunLocallyAndTheReportListsThem) {
  test::TempDir tmp;
  const std::string file = sweep_file(tmp);
  const ProcessResult dry = nsdf({"sweep", file, "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  for (const auto& n : kNames) EXPECT_NE(dry.out.find("] " + n + "\n"), std::string::npos) << n;
  EXPECT_NE(dry.out.find("overrides: loss.lambda=0.1 seed=1"), std::string::npos) << dry.out;
  EXPECT_NE(dry.out.find("lambda: 0.05"), std::string::npos);  // resolved configs
  EXPECT_FALSE(fs::exists(tmp.path() / "result"));                 // nothing started

  const ProcessResult r = nsdf({"sweep", file});
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  for (const auto& n : kNames) {
    const fs::path run = tmp.path() / "result" / "runs" / n;
    EXPECT_NE(test::read_text(run / "status.json").find("finished"), std::string::npos) << n;
    EXPECT_TRUE(fs::exists(tmp.path() / "result" / "logs" / (n + ".log"))) << n;
  }
  EXPECT_NE(test::read_text(tmp.path() / "result/runs/lambda-0.1_seed-1/config.yaml").find("seed: 1"),
            std::string::npos);
  const ProcessResult status = nsdf({"sweep", "status", file});
  EXPECT_EQ(status.exit_code, 0);
  EXPECT_EQ(std::count(status.out.begin(), status.out.end(), '\n'), 2 + 4) << status.out;
  EXPECT_NE(status.out.find("lambda-0.1_seed-0   finished        200"), std::string::npos)
      << status.out;

  const ProcessResult report =
      nsdf({"report", (tmp.path() / "result").string(), "-o", (tmp.path() / "report").string()});
  ASSERT_EQ(report.exit_code, 0) << report.err;
  const auto rows = test::read_csv(tmp.path() / "report" / "runs.csv");
  ASSERT_EQ(rows.size(), 4u);
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(rows[i].at("run"), "runs/" + kNames[i]);
    EXPECT_FALSE(rows[i].at("chamfer_l1").empty());
    EXPECT_FALSE(rows[i].at("final loss").empty());
  }
  EXPECT_EQ(test::read_csv(tmp.path() / "report" / "runs_by_seed.csv").size(), 2u);

  // Again: everything finished, nothing runs.
  const ProcessResult again = nsdf({"sweep", file});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_NE(again.err.find("4 runs, 4 finished already, 0 to run"), std::string::npos)
      << again.err;
}

TEST(SweepCli, ConfigErrorsOfAnyRunAreReportedBeforeAnythingStarts) {
  test::TempDir tmp;
  const std::string file =
      sweep_file(tmp, "zip: {model.dims: [[16], [16, 16]], loss.lambdaa: [1, 2]}\n");
  const ProcessResult r = nsdf({"sweep", file});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("8 of 8 runs have config errors"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("loss.lambdaa"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(tmp.path() / "result"));
  const ProcessResult typo = nsdf({"sweep", sweep_file(tmp, "grd: {a: [1]}\n")});
  EXPECT_EQ(typo.exit_code, 1);
  EXPECT_NE(typo.err.find("grd: unknown key (did you mean 'grid'?)"), std::string::npos)
      << typo.err;
  EXPECT_EQ(nsdf({"sweep"}).exit_code, 2);
}

// The pid of the process whose command line has `needle` (the run's --dir), 0 when none.
pid_t find_process(const std::string& needle) {
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in(e.path() / "cmdline");
    std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (cmdline.find(needle) != std::string::npos && cmdline.find("sweep") == std::string::npos)
      return static_cast<pid_t>(std::stol(name));
  }
  return 0;
}

TEST(SweepCli, RunningASweepAgainFinishesOnlyTheRunThatWasKilled) {
  test::TempDir tmp;
  const std::string file = sweep_file(tmp);
  const std::vector<std::string> longer = {"sweep", file, "launcher.max_parallel=1"};
  // 2000 iterations a run, one run at a time, so that run 2 of 4 can be caught mid-way.
  const std::string victim = kNames[1];
  const fs::path out = tmp.path() / "result";
  std::vector<std::string> command = {NSDF_BINARY};
  command.insert(command.end(), longer.begin(), longer.end());
  command.push_back("+overrides=[experiment.iterations=2000]");
  const int pid = test::spawn_process(command, tmp.path());

  const fs::path run = out / "runs" / victim;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  pid_t child = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (lines(run / "metrics.jsonl") >= 20 && (child = find_process(run.string())) != 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_NE(child, 0) << "run " << victim << " never got going";
  ASSERT_EQ(::kill(child, SIGKILL), 0);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);  // one run did not finish
  EXPECT_NE(test::read_text(run / "status.json").find("running"), std::string::npos);
  std::vector<std::string> before;
  for (const auto& n : kNames) before.push_back(test::read_text(out / "runs" / n / "metrics.jsonl"));

  std::vector<std::string> again(longer.begin(), longer.end());
  again.push_back("+overrides=[experiment.iterations=2000]");
  const ProcessResult rerun = nsdf(again);
  ASSERT_EQ(rerun.exit_code, 0) << rerun.err;
  EXPECT_NE(rerun.err.find("4 runs, 3 finished already, 1 to run"), std::string::npos)
      << rerun.err;
  EXPECT_NE(test::read_text(run / "log.txt").find("resuming from"), std::string::npos);
  EXPECT_NE(test::read_text(run / "status.json").find("finished"), std::string::npos);
  for (std::size_t i = 0; i < kNames.size(); ++i)
    if (kNames[i] != victim)
      EXPECT_EQ(test::read_text(out / "runs" / kNames[i] / "metrics.jsonl"), before[i]) << i;
  EXPECT_EQ(lines(run / "metrics.jsonl"), 200u);
}

}  // namespace
}  // namespace nsdf::tools
