// `nsdf report` as a user runs it: a real process over run folders, with the project's own
// assets (tools/report: viewer.js, report.css, three.js from npm via tools/setup.sh).

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "support/NsdfProcess.h"
#include "support/TestFiles.h"

namespace nsdf::tools {
namespace {

namespace fs = std::filesystem;
using test::ProcessResult;


void make_run(const test::TempDir& tmp, const std::string& rel, const std::string& lambda) {
  tmp.write(rel + "/config.yaml",
            "experiment: {type: fit, name: quick}\nloss: {type: igr, lambda: " + lambda + "}\n");
  tmp.write(rel + "/metrics.jsonl",
            "{\"step\": 10, \"loss\": 0.5}\n{\"step\": 20, \"loss\": 0.25}\n");
  tmp.write(rel + "/eval/metrics.json", "{\"chamfer_l1\": 0.125}\n");
}

TEST(ReportCli, WritesTheReportAndSaysWhatIsInIt) {
  test::TempDir tmp;
  make_run(tmp, "sweep/l0.1/1", "0.1");
  make_run(tmp, "sweep/l1/1", "1");
  const fs::path out = tmp.path() / "report";
  const ProcessResult r = nsdf({"report", (tmp.path() / "sweep").string(), "-o", out.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("report.html: 2 runs, 3 charts, 0 pictures, 0 3D viewers"),
            std::string::npos)
      << r.out;
  const auto rows = test::read_csv(out / "runs.csv");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].at("run"), "l0.1/1");
  EXPECT_EQ(rows[0].at("loss.lambda"), "0.1");
  EXPECT_EQ(rows[1].at("final loss"), "0.25");
  EXPECT_EQ(rows[1].at("chamfer_l1"), "0.125");
  // three.js from npm, wrapped as a classic script that defines window.THREE.
  const std::string three = test::read_text(out / "assets" / "three.js");
  EXPECT_GT(three.size(), 500000u);
  EXPECT_NE(three.find("window.THREE=module.exports"), std::string::npos);
  EXPECT_EQ(three.find("require("), std::string::npos);
}

TEST(ReportCli, BadCommandLinesAndFoldersAreClearErrors) {
  test::TempDir tmp;
  make_run(tmp, "runs/a/1", "0.1");
  const std::string run = (tmp.path() / "runs").string(), out = (tmp.path() / "o").string();
  EXPECT_EQ(nsdf({"report", run}).exit_code, 2);  // no -o
  EXPECT_EQ(nsdf({"report", "-o", out}).exit_code, 2);  // no input
  const ProcessResult typo = nsdf({"report", run, "-o", out, "--max-viewer", "3"});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("unknown option '--max-viewer' (did you mean '--max-viewers'?)"),
            std::string::npos)
      << typo.err;
  const ProcessResult count = nsdf({"report", run, "-o", out, "--max-faces", "0"});
  EXPECT_EQ(count.exit_code, 2);
  EXPECT_NE(count.err.find("--max-faces expects a whole number >= 1, got '0'"), std::string::npos);
  const std::string missing = (tmp.path() / "nope").string();
  const ProcessResult gone = nsdf({"report", missing, "-o", out});
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_NE(gone.err.find(missing + ": no such folder"), std::string::npos) << gone.err;
  fs::create_directories(tmp.path() / "empty");
  const ProcessResult empty = nsdf({"report", (tmp.path() / "empty").string(), "-o", out});
  EXPECT_EQ(empty.exit_code, 1);
  EXPECT_NE(empty.err.find("holds no run folder"), std::string::npos) << empty.err;
  const ProcessResult assets =
      nsdf({"report", run, "-o", out}, {}, {"NSDF_REPORT_ASSETS=" + (tmp.path() / "none").string()});
  EXPECT_EQ(assets.exit_code, 1);
  EXPECT_NE(assets.err.find("tools/setup.sh installs three.js"), std::string::npos) << assets.err;
}

}  // namespace
}  // namespace nsdf::tools
