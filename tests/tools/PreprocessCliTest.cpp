// `nsdf preprocess` as a user runs it: a folder of meshes with bad ones among them, kill and
// resume, the sign check, DeepSDF export and import, config errors.

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <fmt/format.h>

#include <chrono>
#include <thread>

#include "support/NsdfProcess.h"
#include "support/TestFiles.h"

namespace nsdf::tools {
namespace {

namespace fs = std::filesystem;
using test::ProcessResult;


// An OBJ box: half extents h, centre c, each face split into two triangles.
std::string box_obj(double hx, double hy, double hz, double cx = 0, double cy = 0, double cz = 0) {
  std::string s;
  for (int i = 0; i < 8; ++i) {
    s += fmt::format("v {} {} {}\n", cx + (i & 1 ? hx : -hx), cy + (i & 2 ? hy : -hy),
                     cz + (i & 4 ? hz : -hz));
  }
  // Outward quads (1-based), as two triangles each.
  const int quads[6][4] = {{1, 3, 4, 2}, {5, 6, 8, 7}, {1, 2, 6, 5},
                           {3, 7, 8, 4}, {1, 5, 7, 3}, {2, 4, 8, 6}};
  for (const auto& q : quads) {
    s += fmt::format("f {} {} {}\nf {} {} {}\n", q[0], q[1], q[2], q[0], q[2], q[3]);
  }
  return s;
}

std::string config(const fs::path& root, const fs::path& output, int samples) {
  return fmt::format(
      "preprocess:\n"
      "  output: {}\n"
      "  source: {{type: folder, root: {}}}\n"
      "  samples: {}\n"
      "  surface_points: 500\n"
      "  views: {{count: 2, width: 16, height: 16}}\n",
      output.string(), root.string(), samples);
}

int count_files(const fs::path& dir, const std::string& ext) {
  int n = 0;
  if (!fs::exists(dir)) return 0;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    n += e.is_regular_file() && e.path().extension() == ext;
  return n;
}

TEST(PreprocessCli, BadMeshesAreReportedAndTheRestWritten) {
  test::TempDir dir;
  const fs::path meshes = dir.path() / "meshes";
  dir.write("meshes/a.obj", box_obj(1, 0.5, 0.25));
  dir.write("meshes/sub/b.obj", box_obj(2, 2, 1, 5, 0, 0));
  dir.write("meshes/c.off", "OFF\n3 1 0\n0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n");  // open: fine
  dir.write("meshes/broken.obj", "v 1 2\nf 1 2 3\n");
  dir.write("meshes/flat.obj", "v 0 0 0\nv 1 0 0\nv 2 0 0\nf 1 2 3\n");
  const fs::path out = dir.path() / "out" / "shapes.h5";
  const std::string cfg = dir.write("pre.yaml", config(meshes, out, 2000));

  const ProcessResult r = nsdf({"preprocess", cfg});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("5 shapes (3 processed"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("failed: broken: " + (meshes / "broken.obj").string()), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("failed: flat: " + (meshes / "flat.obj").string()), std::string::npos)
      << r.out;
  ASSERT_TRUE(fs::exists(out));
  EXPECT_FALSE(fs::exists(out.string() + ".parts"));

  // The file holds the three good shapes: export them to DeepSDF's layout.
  const ProcessResult ex =
      nsdf({"preprocess", "export", out.string(), (dir.path() / "d").string()});
  ASSERT_EQ(ex.exit_code, 0) << ex.err;
  EXPECT_EQ(count_files(dir.path() / "d" / "SdfSamples", ".npz"), 3);
  EXPECT_TRUE(fs::exists(dir.path() / "d" / "SdfSamples" / "sub" / "b.npz"));
  EXPECT_EQ(count_files(dir.path() / "d" / "SurfaceSamples", ".ply"), 3);

  // Again: the good shapes are kept, the bad ones retried (and fail again).
  const ProcessResult again = nsdf({"preprocess", cfg});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.out.find("3 kept), 2 failed"), std::string::npos) << again.out;

  // Fixed: the file is completed without recomputing, then up to date.
  fs::remove(meshes / "broken.obj");
  fs::remove(meshes / "flat.obj");
  const ProcessResult fixed = nsdf({"preprocess", cfg});
  EXPECT_EQ(fixed.exit_code, 0) << fixed.out << fixed.err;
  EXPECT_NE(fixed.out.find("0 failed"), std::string::npos) << fixed.out;
  const ProcessResult done = nsdf({"preprocess", cfg});
  EXPECT_EQ(done.exit_code, 0);
  EXPECT_EQ(done.out, out.string() + ": up to date (3 shapes)\n");

  // Other parameters on the same output: refused, nothing touched.
  const ProcessResult other = nsdf({"preprocess", cfg, "preprocess.samples=1000"});
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_NE(other.err.find("exists and was made with other parameters"), std::string::npos)
      << other.err;

  const ProcessResult inspect = nsdf({"inspect", out.string()});
  EXPECT_EQ(inspect.exit_code, 0) << inspect.err;
  EXPECT_NE(inspect.out.find("  method:      deepsdf\n  shapes:      3\n  failed:      0\n"),
            std::string::npos)
      << inspect.out;
  EXPECT_NE(inspect.out.find("    samples:   2000 (pos "), std::string::npos) << inspect.out;
  EXPECT_NE(inspect.out.find("    views:     2 of 16 x 16"), std::string::npos) << inspect.out;

  // The sign check against exact winding numbers.
  const ProcessResult check =
      nsdf({"preprocess", "check", out.string(), "--queries", "500", "--max-fraction", "0.005"});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_NE(check.out.find("sub/b: 0 of 500 checked samples disagree"), std::string::npos)
      << check.out;
  EXPECT_NE(check.out.find("3 shapes, largest disagreement"), std::string::npos) << check.out;

  // DeepSDF's layout back to a sample file.
  const fs::path back = dir.path() / "back.h5";
  const ProcessResult im =
      nsdf({"preprocess", "import", (dir.path() / "d").string(), back.string()});
  EXPECT_EQ(im.exit_code, 0) << im.err;
  EXPECT_NE(im.out.find("3 shapes imported"), std::string::npos) << im.out;
}

TEST(PreprocessCli, KilledRunResumesToTheSameFile) {
  test::TempDir dir;
  const fs::path meshes = dir.path() / "meshes";
  for (int i = 0; i < 10; ++i) {
    dir.write(fmt::format("meshes/box{}.obj", i),
              box_obj(1 + 0.1 * i, 0.5, 0.3 + 0.05 * i, i, 0, 0));
  }
  const fs::path a = dir.path() / "a.h5", b = dir.path() / "b.h5";
  const std::string cfg_a = dir.write("a.yaml", config(meshes, a, 200000) + "num_threads: 1\n");
  const std::string cfg_b = dir.write("b.yaml", config(meshes, b, 200000) + "num_threads: 1\n");

  const ProcessResult full = nsdf({"preprocess", cfg_a});
  ASSERT_EQ(full.exit_code, 0) << full.err;

  const int pid = test::spawn_process({NSDF_BINARY, "preprocess", cfg_b}, dir.path());
  const fs::path parts = b.string() + ".parts";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline && count_files(parts, ".h5") == 0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the run finished before it could be killed";
  EXPECT_FALSE(fs::exists(b)) << "an interrupted run must not leave the output";
  const int finished = count_files(parts, ".h5");
  ASSERT_GE(finished, 1);
  ASSERT_LT(finished, 10);

  const ProcessResult resumed = nsdf({"preprocess", cfg_b});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_NE(resumed.out.find(fmt::format("{} from an interrupted run", finished)),
            std::string::npos)
      << resumed.out;
  EXPECT_EQ(test::read_text(a), test::read_text(b)) << "resumed file differs from a full run";
}

TEST(PreprocessCli, ConfigErrorsNameTheLine) {
  test::TempDir dir;
  const std::string cfg = dir.write(
      "bad.yaml",
      "preprocess:\n  output: x.h5\n  source: {type: folder, root: .}\n  sampels: 10\n"
      "  preset: exam\n");
  const ProcessResult r = nsdf({"preprocess", cfg});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(cfg + ":4:3: error: preprocess.sampels: unknown key (did you mean "
                             "'samples'?)"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(cfg + ":5:11: error: preprocess.preset"), std::string::npos) << r.err;
  const ProcessResult list = nsdf({"list", "source"});
  EXPECT_EQ(list.exit_code, 0);
  EXPECT_NE(list.out.find("source 'shapenet'"), std::string::npos);
}

}  // namespace
}  // namespace nsdf::tools
