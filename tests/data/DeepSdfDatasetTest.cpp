// The `deepsdf` dataset on a DeepSDF folder written by the fixture: ids, contents, NaN rows,
// evaluation files, and the pinned messages for missing and malformed files.

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include "core/Error.h"
#include "core/Files.h"
#include "core/Log.h"
#include "data/DeepSdfDataset.h"
#include "geometry/Npy.h"
#include "support/DatasetFixtures.h"
#include "support/ErrorMessage.h"
#include "support/TestFiles.h"

namespace nsdf::data {
namespace {

namespace fs = std::filesystem;

// Rows (x, y, z, sdf) without those whose sdf is NaN, as a [N, 4] tensor.
torch::Tensor expected_rows(const std::vector<float>& rows) {
  std::vector<float> kept;
  for (size_t r = 0; r < rows.size(); r += 4)
    if (!std::isnan(rows[r + 3])) kept.insert(kept.end(), &rows[r], &rows[r] + 4);
  return torch::from_blob(kept.data(), {static_cast<int64_t>(kept.size() / 4), 4}).clone();
}

class DeepSdfDatasetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    core::log::set_console(false);
    fixture = test::write_deepsdf_fixture(dir.path());
    log_file = (dir.path() / "log.txt").string();
    core::log::set_file(log_file);
  }
  void TearDown() override {
    core::log::set_file("");
    core::log::set_console(true);
  }

  DeepSdfDataset::Options options() const {
    DeepSdfDataset::Options o;
    o.root.value = fixture.root;
    o.split.value = fixture.split;
    return o;
  }
  std::string samples_file(size_t i) const {
    return fixture.root + "/SdfSamples/" + fixture.ids[i] + ".npz";
  }
  // How often the log holds `text`.
  int64_t logged(const std::string& text) const {
    const std::string log = test::read_text(log_file);
    int64_t n = 0;
    for (size_t at = log.find(text); at != std::string::npos; at = log.find(text, at + 1)) ++n;
    return n;
  }
  // The message of constructing the dataset, with the temporary folder written as <dir>.
  std::string construction_error() const {
    std::string msg = test::message_of<core::Error>([&] { DeepSdfDataset ds(options()); });
    const std::string prefix = dir.path().string();
    for (size_t at = msg.find(prefix); at != std::string::npos; at = msg.find(prefix, at))
      msg.replace(at, prefix.size(), "<dir>");
    return msg;
  }

  test::TempDir dir;
  test::DeepSdfFixture fixture;
  std::string log_file;
};

TEST_F(DeepSdfDatasetTest, ReadsTheShapesOfAMultiClassSplit) {
  const DeepSdfDataset ds(options());
  ASSERT_EQ(ds.size(), 3);
  EXPECT_EQ(ds.kind(), SampleKind::Sdf);
  for (int64_t i = 0; i < ds.size(); ++i) EXPECT_EQ(ds.shape_id(i), fixture.ids[i]);
  EXPECT_EQ(ds.shape_class(0), "ShapeNetV2/02691156");
  EXPECT_EQ(ds.shape_class(1), "ShapeNetV2/02691156");
  EXPECT_EQ(ds.shape_class(2), "ShapeNetV2/03001627");
  EXPECT_EQ(ds.index_of("ShapeNetV2/03001627/chair_a"), 2);
  for (int64_t i = 0; i < ds.size(); ++i) {
    SCOPED_TRACE(fixture.ids[i]);
    const ShapeData d = ds.load(i);
    const auto& written = fixture.samples[i];
    EXPECT_TRUE(torch::equal(d.pos, expected_rows(written.pos)));
    EXPECT_TRUE(torch::equal(d.neg, expected_rows(written.neg)));
    EXPECT_EQ(d.neg.size(0), static_cast<int64_t>(written.neg.size() / 4) - fixture.nan_rows[i]);
    EXPECT_TRUE(d.pos.is_contiguous() && d.neg.is_contiguous());
    // The estimate comes from the headers: every row stored, NaN or not.
    EXPECT_EQ(ds.bytes(i),
              static_cast<int64_t>((written.pos.size() + written.neg.size()) * sizeof(float)));
  }
}

TEST_F(DeepSdfDatasetTest, DropsNanRowsWithOneWarningPerFile) {
  const DeepSdfDataset ds(options());
  for (int k = 0; k < 3; ++k) EXPECT_EQ(ds.load(1).neg.size(0), 27);
  EXPECT_EQ(
      logged(samples_file(1) + ": dropped 3 rows whose sdf is NaN (as DeepSDF's loader does)"), 1);
  EXPECT_EQ(logged("NaN"), 1);
}

TEST_F(DeepSdfDatasetTest, SurfaceAndNormalizationForEvaluation) {
  const DeepSdfDataset ds(options());
  for (int64_t i = 0; i < 2; ++i) {
    const geometry::PointCloud surface = ds.surface(i);
    EXPECT_EQ(surface.P, fixture.surface[i].P);
    EXPECT_EQ(surface.N, fixture.surface[i].N);  // plane_b's file has no normals
    EXPECT_EQ(ds.normalization(i).offset, fixture.normalization[i].offset);
    EXPECT_EQ(ds.normalization(i).scale, fixture.normalization[i].scale);
  }
  EXPECT_TRUE(ds.surface(1).N.size() == 12 && ds.surface(0).N.empty());
  // chair_a has neither file: no surface, identity, and one warning each however often asked.
  for (int k = 0; k < 2; ++k) {
    EXPECT_TRUE(ds.surface(2).P.empty());
    EXPECT_EQ(ds.normalization(2).scale, 1.0);
    EXPECT_EQ(ds.normalization(2).offset, (std::array<double, 3>{0, 0, 0}));
  }
  const std::string root = fixture.root;
  EXPECT_EQ(logged(root + "/SurfaceSamples/ShapeNetV2/03001627/chair_a.ply: no such file: shape "
                          "'ShapeNetV2/03001627/chair_a' has no ground-truth surface points (no "
                          "surface metrics)"),
            1);
  EXPECT_EQ(logged(root + "/NormalizationParameters/ShapeNetV2/03001627/chair_a.npz: no such "
                          "file: shape 'ShapeNetV2/03001627/chair_a' keeps the identity "
                          "normalization (its meshes stay in normalized units)"),
            1);
}

TEST_F(DeepSdfDatasetTest, WithoutASplitEveryNpzSorted) {
  DeepSdfDataset::Options o = options();
  o.split.value.clear();
  const DeepSdfDataset ds(o);
  ASSERT_EQ(ds.size(), 3);
  EXPECT_EQ(ds.shape_id(0), "ShapeNetV2/02691156/plane_a");
  EXPECT_EQ(ds.shape_id(1), "ShapeNetV2/02691156/plane_b");
  EXPECT_EQ(ds.shape_id(2), "ShapeNetV2/03001627/chair_a");
}

TEST_F(DeepSdfDatasetTest, MissingSamplesFile) {
  fs::remove(samples_file(1));
  EXPECT_EQ(construction_error(),
            "<dir>/deepsdf/split.json: 1 of the 3 SdfSamples files is missing or malformed\n"
            "  <dir>/deepsdf/SdfSamples/ShapeNetV2/02691156/plane_a.npz: cannot open for "
            "reading: no such file");
}

TEST_F(DeepSdfDatasetTest, NotAZipFile) {
  core::write_file_atomic(samples_file(0), std::string(200, 'x'));
  EXPECT_EQ(construction_error(),
            "<dir>/deepsdf/split.json: 1 of the 3 SdfSamples files is missing or malformed\n"
            "  <dir>/deepsdf/SdfSamples/ShapeNetV2/02691156/plane_b.npz: not a zip archive: no "
            "end-of-central-directory record (truncated or not an .npz file)");
}

TEST_F(DeepSdfDatasetTest, TruncatedFile) {
  const std::string bytes = core::read_file(samples_file(2));
  core::write_file_atomic(samples_file(2), bytes.substr(0, bytes.size() / 2));
  EXPECT_EQ(construction_error(),
            "<dir>/deepsdf/split.json: 1 of the 3 SdfSamples files is missing or malformed\n"
            "  <dir>/deepsdf/SdfSamples/ShapeNetV2/03001627/chair_a.npz: not a zip archive: no "
            "end-of-central-directory record (truncated or not an .npz file)");
}

TEST_F(DeepSdfDatasetTest, NpzWithoutNeg) {
  geometry::write_npz(samples_file(0),
                      {{"pos", geometry::make_npy_array(fixture.samples[0].pos, {25, 4})}});
  EXPECT_EQ(construction_error(),
            "<dir>/deepsdf/split.json: 1 of the 3 SdfSamples files is missing or malformed\n"
            "  <dir>/deepsdf/SdfSamples/ShapeNetV2/02691156/plane_b.npz: neg.npy: missing (the "
            "archive holds pos.npy)");
}

TEST_F(DeepSdfDatasetTest, PosWithThreeColumns) {
  const std::vector<float> xyz(15, 0.5f);
  geometry::write_npz(samples_file(0),
                      {{"pos", geometry::make_npy_array(xyz, {5, 3})},
                       {"neg", geometry::make_npy_array(fixture.samples[0].neg, {35, 4})}});
  EXPECT_EQ(construction_error(),
            "<dir>/deepsdf/split.json: 1 of the 3 SdfSamples files is missing or malformed\n"
            "  <dir>/deepsdf/SdfSamples/ShapeNetV2/02691156/plane_b.npz: pos.npy: expected shape "
            "(N, 4) of rows x, y, z, sdf, found (5, 3)");
}

TEST_F(DeepSdfDatasetTest, EveryBadFileInOneErrorAtMostTwentyNamed) {
  std::vector<std::vector<std::string>> entries;
  for (int k = 0; k < 25; ++k)
    entries.push_back({"ShapeNetV2", "02691156", fmt::format("x{:02d}", k)});
  entries.push_back({"ShapeNetV2", "02691156", "plane_a"});
  preprocessing::write_split(fixture.split, entries);
  fs::remove(samples_file(1));
  const std::string msg = construction_error();
  EXPECT_EQ(msg.substr(0, msg.find('\n')),
            "<dir>/deepsdf/split.json: 26 of the 26 SdfSamples files are missing or malformed");
  EXPECT_NE(msg.find("\n  <dir>/deepsdf/SdfSamples/ShapeNetV2/02691156/x19.npz: cannot open"),
            std::string::npos);
  EXPECT_EQ(msg.find("x20.npz"), std::string::npos);
  EXPECT_EQ(msg.substr(msg.rfind('\n')), "\n  ... and 6 more");
}

TEST_F(DeepSdfDatasetTest, SplitEntryWithoutItsNpz) {
  preprocessing::write_split(
      fixture.split, {{"ShapeNetV2", "02691156", "plane_a"}, {"ShapeNetV2", "03001627", "ghost"}});
  EXPECT_EQ(construction_error(),
            "<dir>/deepsdf/split.json: 1 of the 2 SdfSamples files is missing or malformed\n"
            "  <dir>/deepsdf/SdfSamples/ShapeNetV2/03001627/ghost.npz: cannot open for reading: "
            "no such file");
}

TEST_F(DeepSdfDatasetTest, MissingSplitOrRoot) {
  fs::remove(fixture.split);
  EXPECT_EQ(construction_error(), "<dir>/deepsdf/split.json: no such file (deepsdf dataset split)");
  DeepSdfDataset::Options o = options();
  o.root.value = fixture.root + "/nowhere";
  EXPECT_EQ(test::message_of<core::IoError>([&] { DeepSdfDataset ds(o); }),
            o.root.value + ": no such folder (deepsdf dataset root)");
}

TEST_F(DeepSdfDatasetTest, LoadValidatesWhatItReads) {
  const DeepSdfDataset ds(options());
  // Damaged after the check: load() names the file and the problem.
  std::vector<float> rows = fixture.samples[0].pos;
  rows[5] = std::numeric_limits<float>::infinity();
  geometry::SdfSamples s = fixture.samples[0];
  s.pos = rows;
  geometry::write_deepsdf_samples(samples_file(0), s);
  EXPECT_EQ(test::message_of<core::DataError>([&] { ds.load(0); }),
            samples_file(0) + ": pos.npy: non-finite value inf in row 1 column 1");
  fs::remove(samples_file(0));
  EXPECT_EQ(test::message_of<core::IoError>([&] { ds.load(0); }),
            samples_file(0) + ": cannot open for reading: no such file");
}

}  // namespace
}  // namespace nsdf::data
