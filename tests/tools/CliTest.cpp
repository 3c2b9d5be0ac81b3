// The `nsdf` command as a user runs it: real processes, exit codes, messages, files.
// NSDF_BINARY, NSDF_EXAMPLE_BINARY, NSDF_PYTHON and NSDF_SOURCE_DIR come from CMake.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <functional>
#include <fstream>
#include <thread>

#include "support/NsdfProcess.h"
#include "support/TestFiles.h"
#include "support/TinyConfigs.h"

namespace nsdf::tools {
namespace {

namespace fs = std::filesystem;
using test::ProcessResult;
using test::run_process;


std::string last_line(const std::string& text) {
  std::string t = text;
  while (!t.empty() && t.back() == '\n') t.pop_back();
  return t.substr(t.rfind('\n') == std::string::npos ? 0 : t.rfind('\n') + 1);
}

std::vector<std::string> metric_lines(const fs::path& run) {
  std::vector<std::string> out;
  std::ifstream in(run / "metrics.jsonl");
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
  return out;
}

double loss_of(const std::string& line) {
  return std::stod(line.substr(line.find("\"loss\": ") + 8));
}

// Long enough to be killed mid-run, still seconds on one thread.
const std::vector<std::string> kLongRun{"experiment.epochs=300", "experiment.checkpoint_every=25",
                                        "schedule.every=100"};

std::vector<std::string> cat(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

/// Waits (at most 120 s) until the run folder under `parent` is `ready`, then kills `pid` with
/// SIGKILL and reaps it; returns the run folder (empty if none appeared). Fails the test if
/// the process had already ended on its own.
fs::path kill_run_when(int pid, const fs::path& parent,
                       const std::function<bool(const fs::path&)>& ready) {
  fs::path run;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline) {
    if (fs::exists(parent))
      for (const auto& e : fs::directory_iterator(parent)) run = e.path();
    if (!run.empty() && ready(run)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_EQ(::kill(pid, SIGKILL), 0);
  int status = 0;
  ::waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status)) << "the run finished before it could be killed";
  return run;
}

TEST(Cli, VersionAndHelp) {
  const ProcessResult v = nsdf({"--version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.out.rfind("nsdf ", 0), 0u) << v.out;
  EXPECT_NE(v.out.find("LibTorch"), std::string::npos);
  EXPECT_NE(v.out.find("CUDA"), std::string::npos);
  for (const char* cmd : {"run", "config", "list"}) {
    const ProcessResult h = nsdf({cmd, "--help"});
    EXPECT_EQ(h.exit_code, 0) << cmd;
    EXPECT_NE(h.out.find(std::string("usage: nsdf ") + cmd), std::string::npos) << cmd;
  }
  const ProcessResult bad = nsdf({"rnu"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.err.rfind("nsdf: unknown command 'rnu' (did you mean 'run'?)", 0), 0u) << bad.err;
}

TEST(Cli, ListShowsFamiliesAndOptionTables) {
  const ProcessResult all = nsdf({"list"});
  EXPECT_EQ(all.exit_code, 0);
  for (const char* family : {"experiment:", "dataset:", "model:", "latent:", "loss:",
                             "optimizer:", "schedule:", "evaluator:"}) {
    EXPECT_NE(all.out.find(family), std::string::npos) << family;
  }
  const ProcessResult one = nsdf({"list", "loss", "clamped_l1"});
  EXPECT_EQ(one.exit_code, 0);
  EXPECT_NE(one.out.find("loss 'clamped_l1': DeepSDF's clamped L1"), std::string::npos);
  EXPECT_NE(one.out.find("  name              type   default check"), std::string::npos) << one.out;
  EXPECT_NE(one.out.find("  delta             float  0.1     > 0"), std::string::npos) << one.out;
  const ProcessResult typo = nsdf({"list", "los"});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("unknown family 'los' (did you mean 'loss'?)"), std::string::npos);
}

TEST(Cli, ConfigPrintsResolvedAndExplains) {
  const std::string quick = std::string(NSDF_SOURCE_DIR) + "/configs/quickstart.yaml";
  const ProcessResult r = nsdf({"config", quick, "loss.delta=0.05"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("  delta: 0.05\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  code_reg_ramp: 100\n"), std::string::npos);  // defaults made explicit
  EXPECT_NE(r.out.find("device: cpu\n"), std::string::npos);           // from base/cpu.yaml
  const ProcessResult e = nsdf({"config", quick, "--explain", "device"});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  EXPECT_NE(e.out.find("device: cpu\n  set at "), std::string::npos) << e.out;
  EXPECT_NE(e.out.find("configs/base/cpu.yaml:2:9"), std::string::npos) << e.out;
}

TEST(Cli, ConfigErrorsAreShortMessagesWithPositions) {
  test::TempDir dir;
  const std::string cfg = dir.write("bad.yaml", std::string(test::kTinyTrainConfig) +
                                                    "model: {type: deepsdf, dropuot: 0.3}\n");
  // A duplicate section is caught by the YAML reader first.
  const ProcessResult dup = nsdf({"run", cfg});
  EXPECT_EQ(dup.exit_code, 1);
  EXPECT_EQ(dup.err, cfg + ":12:1: error: model: duplicate key (first at " + cfg + ":4:1)\n");

  const std::string cfg2 = dir.write("bad2.yaml", test::kTinyTrainConfig);
  const ProcessResult r = nsdf({"run", cfg2, "model.dropuot=0.3", "latent.size=abc"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "<command line>:2:13: error: latent.size: expected an integer, got 'abc'\n"
            "  in latent 'table' (" + cfg2 + ":5:9)\n"
            "<command line>:1:1: error: model.dropuot: no such key to override (did you mean "
            "'dropout'?); write +model.dropuot=... to add a new key\n"
            "  in model 'deepsdf' (" + cfg2 + ":4:8)\n");
  EXPECT_EQ(r.out, "");
  const ProcessResult missing = nsdf({"run", (dir.path() / "nope.yaml").string()});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, (dir.path() / "nope.yaml").string() + ": error: no such config file\n");
}

TEST(Cli, AFolderGivenAsConfigIsNamedAsOne) {
  test::TempDir dir;
  const std::string folder = (dir.path() / "configs").string();
  fs::create_directories(folder);
  for (const char* cmd : {"config", "run"}) {
    const ProcessResult r = nsdf({cmd, folder});
    EXPECT_EQ(r.exit_code, 1) << cmd;
    EXPECT_EQ(r.err, "nsdf: error: " + folder + ": is a folder, not a config file\n") << cmd;
  }
}

TEST(Cli, KilledRunResumesToTheSameFinalLoss) {
  test::TempDir dir;
  const std::string cfg = dir.write("resume.yaml", test::kTinyTrainConfig);

  // Reference: uninterrupted.
  const ProcessResult full =
      nsdf(cat({"run", cfg, "runs_dir=" + (dir.path() / "a").string()}, kLongRun));
  ASSERT_EQ(full.exit_code, 0) << full.err;
  const auto expected = metric_lines(last_line(full.out));
  ASSERT_EQ(expected.size(), 300u);

  // Killed with SIGKILL once its first checkpoint exists, then resumed.
  const fs::path runs = dir.path() / "b";
  const int pid = test::spawn_process(
      cat({NSDF_BINARY, "run", cfg, "runs_dir=" + runs.string()}, kLongRun), dir.path());
  const fs::path run = kill_run_when(pid, runs / "resume", [](const fs::path& r) {
    return fs::exists(r / "checkpoints" / "latest.pt");
  });
  ASSERT_FALSE(run.empty());
  const size_t logged = metric_lines(run).size();
  ASSERT_LT(logged, 300u) << "the run finished before it was killed";

  const ProcessResult resumed = nsdf({"run", "--resume", run.string()});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(test::read_text(run / "log.txt").find("resuming from"), std::string::npos);
  const auto got = metric_lines(run);
  ASSERT_EQ(got.size(), 300u);  // lines logged after the checkpoint were replaced, not doubled
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].substr(0, got[i].find(", \"epoch\"")),
              "{\"step\": " + std::to_string(i + 1));
  }
  EXPECT_NEAR(loss_of(got.back()), loss_of(expected.back()), 1e-6);
}

// Killed and resumed, a reconstruction ends as an uninterrupted one: codes of finished batches
// are kept, the batch in progress continues from its checkpoint.
TEST(Cli, KilledReconstructionResumesToTheSameLosses) {
  test::TempDir dir;
  const std::string train = dir.write("tiny.yaml", test::kTinyTrainConfig);
  const ProcessResult trained = nsdf({"run", train, "runs_dir=" + (dir.path() / "t").string()});
  ASSERT_EQ(trained.exit_code, 0) << trained.err;
  const std::string model = last_line(trained.out);
  const std::string cfg = dir.write(
      "rec.yaml",
      "experiment: {type: reconstruct, model: " + model +
          ", iterations: 150, samples_per_shape: 2000, shapes_per_batch: 1,\n"
          "  checkpoint_every: 10, log_every: 10, mesh_resolution: 0, compare_training: false}\n"
          "data: {type: synthetic, shapes: 3, samples: 4000, test_samples: 500, seed: 5}\n"
          "loss: {type: clamped_l1, code_reg_ramp: 0, code_reg_type: mean_square}\n"
          "optimizer: {type: adam, latent_lr: 0.005}\n"
          "schedule: {type: step, every: 75, factor: 0.1}\n"
          "device: cpu\nnum_threads: 1\n");
  const ProcessResult full = nsdf({"run", cfg, "runs_dir=" + (dir.path() / "a").string()});
  ASSERT_EQ(full.exit_code, 0) << full.err;
  const auto expected = metric_lines(last_line(full.out));
  ASSERT_EQ(expected.size(), 45u);  // 3 shapes x 15 lines

  const fs::path runs = dir.path() / "b";
  const int pid = test::spawn_process({NSDF_BINARY, "run", cfg, "runs_dir=" + runs.string()},
                                      dir.path());
  // Killed in the second shape's batch, after one of its checkpoints.
  const fs::path run = kill_run_when(
      pid, runs / "rec", [](const fs::path& r) { return metric_lines(r).size() > 18; });
  ASSERT_FALSE(run.empty());
  ASSERT_LT(metric_lines(run).size(), 45u) << "the run finished before it was killed";

  const ProcessResult resumed = nsdf({"run", "--resume", run.string()});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  const auto got = metric_lines(run);
  ASSERT_EQ(got.size(), expected.size());
  for (size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].substr(0, got[i].find(", \"loss\"")),
              "{\"step\": " + std::to_string(10 * (i + 1)));
    EXPECT_NEAR(loss_of(got[i]), loss_of(expected[i]), 1e-6) << i;
  }
  EXPECT_TRUE(fs::exists(run / "latents" / "latents.pt"));
  EXPECT_NE(test::read_text(run / "log.txt").find("resuming from"), std::string::npos);
}

TEST(Cli, PythonTorchLoadsCheckpointsAndLatents) {
  if (std::string(NSDF_PYTHON).empty()) GTEST_SKIP() << "no python3 with torch at configure time";
  test::TempDir dir;
  const std::string cfg = dir.write("py.yaml", test::kTinyTrainConfig);
  const ProcessResult r =
      nsdf({"run", cfg, "experiment.epochs=2", "runs_dir=" + (dir.path() / "runs").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const fs::path run = last_line(r.out);
  const std::string script = dir.write("load.py", R"(import sys, torch
ck = torch.load(sys.argv[1])
print(sorted(k for k in ck if k.startswith('decoder.lin0')))
print(tuple(ck['latent.codes'].shape), int(ck['step']))
codes = torch.load(sys.argv[2])
print(sorted(codes)[0], tuple(codes['0000_sphere'].shape))
)");
  const ProcessResult py =
      run_process({NSDF_PYTHON, script, (run / "checkpoints/latest.pt").string(),
                   (run / "latents/latents.pt").string()});
  ASSERT_EQ(py.exit_code, 0) << py.err;
  EXPECT_EQ(py.out,
            "['decoder.lin0.bias', 'decoder.lin0.weight_g', 'decoder.lin0.weight_v']\n"
            "(4, 8) 2\n0000_sphere (8,)\n");
}

// An octahedron of "radius" r as an OFF file.
std::string octahedron_off(float r) {
  return fmt::format(
      "OFF\n6 8 0\n{0} 0 0\n-{0} 0 0\n0 {0} 0\n0 -{0} 0\n0 0 {0}\n0 0 -{0}\n"
      "3 0 2 4\n3 2 1 4\n3 1 3 4\n3 3 0 4\n3 2 0 5\n3 1 2 5\n3 3 1 5\n3 0 3 5\n",
      r);
}

double json_number(const std::string& json, const std::string& key) {
  const auto p = json.find("\"" + key + "\": ");
  EXPECT_NE(p, std::string::npos) << key << " missing in " << json;
  return p == std::string::npos ? -1 : std::stod(json.substr(p + key.size() + 4));
}

TEST(Cli, EvalPrintsReconstructionMetricsAsJson) {
  test::TempDir dir;
  const std::string a = dir.write("a.off", octahedron_off(1.0f));
  const std::string b = dir.write("b.off", octahedron_off(1.1f));
  const ProcessResult r = nsdf({"eval", "--pred", a, "--gt", b, "--points", "20000"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const double gap = 0.1 / std::sqrt(3.0);  // distance between parallel faces
  EXPECT_NEAR(json_number(r.out, "chamfer_l1"), gap, 0.01);
  EXPECT_NEAR(json_number(r.out, "chamfer_l2"), 2 * gap * gap, 0.002);
  EXPECT_NEAR(json_number(r.out, "normal_consistency"), 1.0, 0.05);
  EXPECT_GE(json_number(r.out, "hausdorff"), gap);
  EXPECT_EQ(json_number(r.out, "fscore"), 0.0);
  // The same surface, sampled independently: every point has a neighbour within a few spacings.
  const ProcessResult same = nsdf({"eval", "--pred", a, "--gt", a, "--tau", "0.05"});
  ASSERT_EQ(same.exit_code, 0) << same.err;
  EXPECT_GT(json_number(same.out, "fscore"), 0.999);
  EXPECT_LT(json_number(same.out, "chamfer_l1"), 0.01);
  const ProcessResult bad = nsdf({"eval", "--pred", a});
  EXPECT_EQ(bad.exit_code, 2);
  const ProcessResult missing =
      nsdf({"eval", "--pred", a, "--gt", (dir.path() / "no.off").string()});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("no.off"), std::string::npos);
}

TEST(Cli, InspectDescribesAMesh) {
  test::TempDir dir;
  const std::string a = dir.write("a.off", octahedron_off(1.0f));
  const ProcessResult r = nsdf({"inspect", a});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("6"), std::string::npos);
  EXPECT_NE(r.out.find("8"), std::string::npos);
  EXPECT_NE(r.out.find("watertight"), std::string::npos) << r.out;
  const ProcessResult bad = nsdf({"inspect", dir.write("x.abc", "")});
  EXPECT_EQ(bad.exit_code, 1);
}

#ifdef NSDF_EXAMPLE_BINARY
TEST(Cli, UserRegisteredLossFromItsOwnProgram) {
  const ProcessResult list = run_process({NSDF_EXAMPLE_BINARY, "list", "loss", "huber"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("loss 'huber'"), std::string::npos);
  test::TempDir dir;
  const std::string cfg = dir.write("huber.yaml", test::kTinyTrainConfig);
  const ProcessResult r =
      run_process({NSDF_EXAMPLE_BINARY, "run", cfg, "loss.type=huber", "+loss.beta=0.02",
                   "experiment.epochs=3", "runs_dir=" + (dir.path() / "runs").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto lines = metric_lines(last_line(r.out));
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_NE(lines[0].find("\"huber\": "), std::string::npos) << lines[0];
  EXPECT_NE(test::read_text(fs::path(last_line(r.out)) / "config.yaml").find("beta: 0.02"),
            std::string::npos);
  // The stock binary does not know it.
  const ProcessResult stock = nsdf({"run", cfg, "loss.type=huber"});
  EXPECT_EQ(stock.exit_code, 1);
  EXPECT_NE(stock.err.find("unknown loss 'huber'; valid: clamped_l1"), std::string::npos)
      << stock.err;
}

#endif  // NSDF_EXAMPLE_BINARY

TEST(Cli, RenderWritesAPngOfTheAskedSize) {
  test::TempDir dir;
  const std::string mesh = dir.write("a.off", octahedron_off(1.0f));
  const std::string points = dir.write("p.xyz", "0 0 0\n1 0 0\n0 1 0\n0 0 1\n");
  const std::string out = (dir.path() / "pic.png").string();
  const ProcessResult r = nsdf(
      {"render", mesh, points, "-o", out, "--size", "64", "--azimuth", "10", "--elevation", "-30"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string png = test::read_text(out);
  ASSERT_GT(png.size(), 24u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(png.substr(12, 4), "IHDR");
  const auto be32 = [&](size_t pos) {
    uint32_t v = 0;
    for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(png[pos + i]);
    return v;
  };
  EXPECT_EQ(be32(16), 128u);  // two panels of 64
  EXPECT_EQ(be32(20), 64u);

  const std::string missing = (dir.path() / "nope.ply").string();
  const ProcessResult gone = nsdf({"render", missing, "-o", out});
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_NE(gone.err.find(missing), std::string::npos) << gone.err;
  const ProcessResult typo = nsdf({"render", mesh, "-o", out, "--azimut", "10"});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("unknown option '--azimut' (did you mean '--azimuth'?)"),
            std::string::npos)
      << typo.err;
  EXPECT_EQ(nsdf({"render", mesh}).exit_code, 2);  // no -o

  // Several views: one row each; a turntable: one file per frame.
  ASSERT_EQ(nsdf({"render", mesh, points, "-o", out, "--size", "32", "--views", "3"}).exit_code, 0);
  const std::string views = test::read_text(out);
  const auto be32v = [&](size_t pos) {
    uint32_t v = 0;
    for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(views[pos + i]);
    return v;
  };
  EXPECT_EQ(be32v(16), 64u);  // two panels of 32
  EXPECT_EQ(be32v(20), 96u);  // three rows
  const std::string frames = (dir.path() / "turn.png").string();
  const ProcessResult turn = nsdf({"render", mesh, "-o", frames, "--size", "32", "--turntable", "5"});
  ASSERT_EQ(turn.exit_code, 0) << turn.err;
  for (int k = 0; k < 5; ++k)
    EXPECT_TRUE(fs::exists(dir.path() / fmt::format("turn_{:03d}.png", k))) << k;
  EXPECT_FALSE(fs::exists(dir.path() / "turn_005.png"));
  EXPECT_EQ(nsdf({"render", mesh, "-o", out, "--views", "2", "--turntable", "2"}).exit_code, 2);
  EXPECT_EQ(nsdf({"render", mesh, "-o", out, "--views", "0"}).exit_code, 2);
}

}  // namespace
}  // namespace nsdf::tools
