#include "core/Files.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "core/Error.h"
#include "core/RunDir.h"
#include "support/TestFiles.h"

namespace nsdf::core {
namespace {

namespace fs = std::filesystem;

TEST(Files, AtomicWriteReplacesAndLeavesNoTemp) {
  test::TempDir dir;
  const std::string p = (dir.path() / "f.txt").string();
  write_file_atomic(p, "one");
  write_file_atomic(p, "two");
  EXPECT_EQ(read_file(p), "two");
  int entries = 0;
  for (const auto& e : fs::directory_iterator(dir.path())) entries += e.is_regular_file();
  EXPECT_EQ(entries, 1);
}

TEST(Files, StaleTempFilesOfDeadProcessesAreRemoved) {
  test::TempDir dir;
  const std::string p = (dir.path() / "out.h5").string();
  dir.write("out.h5.tmp.999999999", "dead writer");  // no such pid
  dir.write("out.h5.tmp." + std::to_string(::getpid()), "live writer");
  dir.write("out.h5.tmp.notapid", "kept");
  dir.write("other.h5.tmp.999999999", "other file");
  remove_stale_temp_files(p);
  EXPECT_FALSE(fs::exists(p + ".tmp.999999999"));
  EXPECT_TRUE(fs::exists(p + ".tmp." + std::to_string(::getpid())));
  EXPECT_TRUE(fs::exists(p + ".tmp.notapid"));
  EXPECT_TRUE(fs::exists(dir.path() / "other.h5.tmp.999999999"));
}

TEST(Files, ErrorsNameTheFile) {
  try {
    write_file_atomic("/nonexistent-folder/x.txt", "a");
    FAIL();
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-folder/x.txt"), std::string::npos);
  }
  EXPECT_THROW(read_file("/nonexistent-folder/y"), IoError);
}

TEST(RunDir, CreatesUniqueFoldersAndTruncatesMetrics) {
  test::TempDir dir;
  const RunDir a = RunDir::create(dir.path().string(), "exp");
  const RunDir b = RunDir::create(dir.path().string(), "exp");
  EXPECT_NE(a.path(), b.path());
  EXPECT_EQ(a.path().parent_path(), dir.path() / "exp");
  a.append_metrics("{\"step\": 1, \"loss\": 0.5}");
  a.append_metrics("{\"step\": 2, \"loss\": 0.4}");
  a.append_metrics("{\"step\": 3, \"loss\": 0.3}");
  a.truncate_metrics_after(2);
  EXPECT_EQ(test::read_text(a.metrics_file()),
            "{\"step\": 1, \"loss\": 0.5}\n{\"step\": 2, \"loss\": 0.4}\n");
  EXPECT_THROW(RunDir::open((dir.path() / "missing").string()), IoError);
}

TEST(RunDir, NonWriterRanksWriteNothing) {
  test::TempDir dir;
  const RunDir r = RunDir::create(dir.path().string(), "exp", /*rank=*/1);
  r.append_metrics("{\"step\": 1}");
  r.subdir("checkpoints");
  EXPECT_FALSE(fs::exists(dir.path() / "exp"));
}

}  // namespace
}  // namespace nsdf::core
