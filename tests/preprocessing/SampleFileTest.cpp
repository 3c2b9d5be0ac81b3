#include "preprocessing/SampleFile.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/Error.h"
#include "preprocessing/Hdf5.h"
#include "support/TestFiles.h"

namespace nsdf::preprocessing {
namespace {

namespace fs = std::filesystem;

ShapeRecord make_shape(const std::string& id, float shift) {
  ShapeRecord s;
  s.id = id;
  s.source_path = "/data/" + id + ".obj";
  s.source_key = "key";
  s.source_frame = 3;
  s.normalization.offset = {0.1, -0.2, 0.3 + shift};
  s.normalization.scale = 0.7;
  s.pos = {0.1f, 0.2f, 0.3f, 0.0f, 0.5f + shift, 0.5f, 0.5f, 0.25f};
  s.neg = {0.0f, 0.0f, shift, -0.5f};
  s.surface_points = {{1, 2, 3}, {4, 5, 6}};
  s.surface_normals = {{0, 0, 1}, {1, 0, 0}};
  ViewRecord v;
  v.width = 3;
  v.height = 2;
  v.depth = {0, 1.5f, 1.25f, 0, 0, 2};
  v.intrinsics = {10, 0, 1.5, 0, 10, 1, 0, 0, 1};
  for (int i = 0; i < 16; ++i) v.camera_to_world[i] = i % 5 == 0 ? 1 : 0.5 * i;
  v.points = {{0.1f, 0.2f, 0.3f}};
  v.normals = {{0, 1, 0}};
  s.views = {v, v};
  s.stats = {{"faces", 12}, {"vertices", 8}};
  return s;
}

void expect_equal(const ShapeRecord& a, const ShapeRecord& b) {
  EXPECT_EQ(a.id, b.id);
  EXPECT_EQ(a.source_path, b.source_path);
  EXPECT_EQ(a.source_key, b.source_key);
  EXPECT_EQ(a.source_frame, b.source_frame);
  EXPECT_EQ(a.normalization.offset, b.normalization.offset);
  EXPECT_EQ(a.normalization.scale, b.normalization.scale);
  EXPECT_EQ(a.pos, b.pos);
  EXPECT_EQ(a.neg, b.neg);
  EXPECT_EQ(a.surface_points, b.surface_points);
  EXPECT_EQ(a.surface_normals, b.surface_normals);
  ASSERT_EQ(a.views.size(), b.views.size());
  for (size_t k = 0; k < a.views.size(); ++k) {
    EXPECT_EQ(a.views[k].width, b.views[k].width);
    EXPECT_EQ(a.views[k].height, b.views[k].height);
    EXPECT_EQ(a.views[k].depth, b.views[k].depth);
    EXPECT_EQ(a.views[k].intrinsics, b.views[k].intrinsics);
    EXPECT_EQ(a.views[k].camera_to_world, b.views[k].camera_to_world);
    EXPECT_EQ(a.views[k].points, b.views[k].points);
    EXPECT_EQ(a.views[k].normals, b.views[k].normals);
  }
  EXPECT_EQ(a.stats, b.stats);
}

TEST(SampleFile, RoundTripsEveryPart) {
  test::TempDir dir;
  const std::string path = (dir.path() / "split.h5").string();
  const ShapeRecord a = make_shape("ShapeNetV2/03001627/abc", 0);
  const ShapeRecord b = make_shape("ChairArms1", 0.25f);
  SampleFileInfo info{"deepsdf", "samples: 8\n", ""};
  write_sample_file(path, info, {a, b}, {{"bad/one", "bad/one.obj: no faces"}});

  const SampleFile f(path);
  EXPECT_EQ(f.shape_ids(), (std::vector<std::string>{a.id, b.id}));
  EXPECT_EQ(f.info().method, "deepsdf");
  EXPECT_EQ(f.info().parameters, "samples: 8\n");
  EXPECT_FALSE(f.info().nsdf_version.empty());
  ASSERT_EQ(f.failures().size(), 1u);
  EXPECT_EQ(f.failures()[0].second, "bad/one.obj: no faces");
  EXPECT_EQ(f.index_of(b.id), 1);
  EXPECT_EQ(f.index_of("nope"), -1);
  expect_equal(f.read(a.id), a);
  expect_equal(f.read(b.id), b);
  const ShapeRecord samples = f.read(a.id, ShapeParts::SamplesOnly);
  EXPECT_EQ(samples.pos, a.pos);
  EXPECT_TRUE(samples.surface_points.empty());
  try {
    f.read("nope");
    FAIL();
  } catch (const core::DataError& e) {
    EXPECT_NE(std::string(e.what()).find(path + ": no shape 'nope'"), std::string::npos);
  }
}

TEST(SampleFile, LayoutIsContiguousPerShapeAndReadableByPath) {
  test::TempDir dir;
  const std::string path = (dir.path() / "split.h5").string();
  write_sample_file(path, {"deepsdf", "", ""}, {make_shape("A/b/c", 0)});
  hdf5::Handle file = hdf5::open_file(path);
  const hdf5::Location root{file.get(), path, "/"};
  EXPECT_EQ(hdf5::dataset_dims(root, "shapes/A/b/c/pos"), (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(hdf5::dataset_dims(root, "shapes/A/b/c/views/1/depth"),
            (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(hdf5::read_string_attribute(root, "format"), "nsdf.sdf_samples");
  hdf5::Handle ds(H5Dopen2(file.get(), "shapes/A/b/c/pos", H5P_DEFAULT));
  hdf5::Handle plist(H5Dget_create_plist(ds.get()));
  EXPECT_EQ(H5Pget_layout(plist.get()), H5D_CONTIGUOUS);
  EXPECT_EQ(H5Pget_nfilters(plist.get()), 0);
}

TEST(SampleFile, SameContentGivesTheSameBytes) {
  test::TempDir dir;
  const std::string a = (dir.path() / "a.h5").string(), b = (dir.path() / "b.h5").string();
  write_sample_file(a, {"deepsdf", "x", ""}, {make_shape("s/1", 0), make_shape("s/2", 1)});
  write_sample_file(b, {"deepsdf", "x", ""}, {make_shape("s/1", 0), make_shape("s/2", 1)});
  EXPECT_EQ(test::read_text(a), test::read_text(b));
}

TEST(SampleFile, WriterRejectsBadRecordsAndLeavesNoFileWithoutCommit) {
  test::TempDir dir;
  const std::string path = (dir.path() / "x.h5").string();
  {
    SampleFileWriter w(path, {"deepsdf", "", ""});
    ShapeRecord s = make_shape("a", 0);
    s.pos[3] = -1;  // a negative sdf in pos
    EXPECT_THROW(w.add(s), core::DataError);
    s = make_shape("a", 0);
    s.neg.push_back(1.0f);  // not rows of 4
    EXPECT_THROW(w.add(s), core::DataError);
    s = make_shape("../a", 0);
    EXPECT_THROW(w.add(s), core::DataError);
    w.add(make_shape("a", 0));
    EXPECT_THROW(w.add(make_shape("a", 0)), core::DataError);  // twice
  }
  EXPECT_FALSE(fs::exists(path));
  for (const auto& e : fs::directory_iterator(dir.path())) ADD_FAILURE() << e.path();
}

TEST(SampleFile, ReaderRejectsOtherFiles) {
  test::TempDir dir;
  const std::string other = (dir.path() / "other.h5").string();
  {
    hdf5::Handle f = hdf5::create_file(other);
    hdf5::write_attribute({f.get(), other, "/"}, "format", std::string("something else"));
  }
  try {
    SampleFile f(other);
    FAIL();
  } catch (const core::DataError& e) {
    EXPECT_NE(std::string(e.what()).find("not an nsdf sample file"), std::string::npos);
  }
  EXPECT_THROW(SampleFile((dir.path() / "missing.h5").string()), core::IoError);
}

}  // namespace
}  // namespace nsdf::preprocessing
