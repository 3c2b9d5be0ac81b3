// The `sdf_samples` dataset on a sample file written by the fixture: ids (failures left out),
// contents, evaluation data, the `shapes` option, and files that are not sample files.

#include <gtest/gtest.h>

#include "core/Error.h"
#include "core/Log.h"
#include "data/SampleFileDataset.h"
#include "support/DatasetFixtures.h"
#include "support/ErrorMessage.h"
#include "support/TestFiles.h"

namespace nsdf::data {
namespace {

torch::Tensor rows_of(const std::vector<float>& rows) {
  return torch::from_blob(const_cast<float*>(rows.data()),
                          {static_cast<int64_t>(rows.size() / 4), 4})
      .clone();
}

class SampleFileDatasetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    core::log::set_console(false);
    fixture = test::write_sample_file_fixture(dir.path());
    log_file = (dir.path() / "log.txt").string();
    core::log::set_file(log_file);
  }
  void TearDown() override {
    core::log::set_file("");
    core::log::set_console(true);
  }
  SampleFileDataset::Options options() const {
    SampleFileDataset::Options o;
    o.file.value = fixture.file;
    return o;
  }

  test::TempDir dir;
  test::SampleFileFixture fixture;
  std::string log_file;
};

TEST_F(SampleFileDatasetTest, ReadsEveryShapeOfTheFile) {
  const SampleFileDataset ds(options());
  ASSERT_EQ(ds.size(), 3);
  EXPECT_EQ(ds.kind(), SampleKind::Sdf);
  for (int64_t i = 0; i < ds.size(); ++i) {
    const preprocessing::ShapeRecord& s = fixture.shapes[i];
    SCOPED_TRACE(s.id);
    EXPECT_EQ(ds.shape_id(i), s.id);
    const ShapeData d = ds.load(i);
    EXPECT_TRUE(torch::equal(d.pos, rows_of(s.pos)));
    EXPECT_TRUE(torch::equal(d.neg, rows_of(s.neg)));
    EXPECT_EQ(ds.bytes(i), d.bytes());
    // Evaluation data in original units, as stored.
    const geometry::PointCloud surface = ds.surface(i);
    EXPECT_EQ(surface.P, s.surface_points);
    EXPECT_EQ(surface.N, s.surface_normals);
    EXPECT_EQ(ds.normalization(i).offset, s.normalization.offset);
    EXPECT_EQ(ds.normalization(i).scale, s.normalization.scale);
  }
  EXPECT_TRUE(ds.surface(1).N.empty());
  EXPECT_EQ(ds.shape_class(2), "tables");
  // The failed shape is left out, with a warning that says why.
  EXPECT_EQ(ds.index_of("chairs/broken"), -1);
  EXPECT_NE(test::read_text(log_file).find(fixture.file +
                                           ": 1 shape failed preprocessing and is left out:\n"
                                           "  chairs/broken: /meshes/chairs/broken.obj: no faces"),
            std::string::npos);
}

TEST_F(SampleFileDatasetTest, ShapesOptionChoosesAndOrders) {
  SampleFileDataset::Options o = options();
  o.shapes = {"tables/t1", "chairs/c1"};
  const SampleFileDataset ds(o);
  ASSERT_EQ(ds.size(), 2);
  EXPECT_EQ(ds.shape_id(0), "tables/t1");
  EXPECT_TRUE(torch::equal(ds.load(1).pos, rows_of(fixture.shapes[0].pos)));
}

TEST_F(SampleFileDatasetTest, ListedShapesMustBeInTheFile) {
  SampleFileDataset::Options o = options();
  o.shapes = {"chairs/c1", "chairs/broken", "sofas/s9"};
  EXPECT_EQ(test::message_of<core::DataError>([&] { SampleFileDataset ds(o); }),
            fixture.file +
                ": 2 of the 3 listed shapes are not in the file (it holds 3): 'chairs/broken' "
                "(failed: /meshes/chairs/broken.obj: no faces), 'sofas/s9'");
  o.shapes = {"chairs/c1", "chairs/c1"};
  EXPECT_EQ(test::message_of<core::DataError>([&] { SampleFileDataset ds(o); }),
            fixture.file + ": shapes lists 'chairs/c1' twice (sdf_samples dataset)");
}

TEST_F(SampleFileDatasetTest, FileThatIsNotASampleFile) {
  SampleFileDataset::Options o = options();
  o.file.value = dir.write("not_samples.h5", "just text\n");
  EXPECT_EQ(test::message_of<core::IoError>([&] { SampleFileDataset ds(o); }),
            o.file.value + ": cannot open: missing, unreadable or not an HDF5 file");
}

TEST_F(SampleFileDatasetTest, FileWithoutShapes) {
  SampleFileDataset::Options o = options();
  o.file.value = (dir.path() / "empty.h5").string();
  preprocessing::write_sample_file(o.file.value, {"deepsdf", "", ""}, {}, fixture.failures);
  EXPECT_EQ(test::message_of<core::DataError>([&] { SampleFileDataset ds(o); }),
            o.file.value + ": the file holds no shapes (1 failed)");
}

}  // namespace
}  // namespace nsdf::data
