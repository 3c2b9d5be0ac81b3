#include "preprocessing/DeepSdfLayout.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "core/Error.h"
#include "geometry/DeepSdfFiles.h"
#include "geometry/Npy.h"
#include "preprocessing/ShapeSampling.h"
#include "preprocessing/Split.h"
#include "geometry/TestMeshes.h"
#include "support/TestFiles.h"

namespace nsdf::preprocessing {
namespace {

namespace fs = std::filesystem;
namespace tm = geometry::test_meshes;

ShapeRecord sampled(const std::string& id, float size) {
  SamplingOptions o;
  o.samples = 3000;
  o.surface_points = 500;
  o.views.count = 0;
  ShapeRecord r = sample_shape(tm::box_mesh({size, 0.5f, 0.25f}, 2), o, 1, id);
  r.id = id;
  return r;
}

TEST(DeepSdfLayout, ExportThenImportGivesTheSameData) {
  test::TempDir dir;
  const std::string h5 = (dir.path() / "chairs.h5").string();
  const std::vector<ShapeRecord> shapes = {sampled("ShapeNetV2/03001627/aaa", 1.0f),
                                           sampled("ShapeNetV2/03001627/bbb", 2.0f)};
  write_sample_file(h5, {"deepsdf", "", ""}, shapes);
  const std::string out = (dir.path() / "deepsdf").string();
  EXPECT_EQ(export_deepsdf(SampleFile(h5), out), 2);

  // The files DeepSDF reads, where it reads them.
  const std::string npz = out + "/SdfSamples/ShapeNetV2/03001627/aaa.npz";
  const geometry::SdfSamples s = geometry::read_deepsdf_samples(npz);
  EXPECT_EQ(s.pos, shapes[0].pos);
  EXPECT_EQ(s.neg, shapes[0].neg);
  const auto norm = geometry::read_deepsdf_normalization(
      out + "/NormalizationParameters/ShapeNetV2/03001627/aaa.npz");
  EXPECT_EQ(norm.scale, shapes[0].normalization.scale);
  EXPECT_TRUE(fs::exists(out + "/SurfaceSamples/ShapeNetV2/03001627/bbb.ply"));
  EXPECT_EQ(read_split(out + "/split.json", 3),
            (std::vector<std::vector<std::string>>{{"ShapeNetV2", "03001627", "aaa"},
                                                   {"ShapeNetV2", "03001627", "bbb"}}));

  // Back, with and without the split.
  for (const std::string& split : {std::string(), out + "/split.json"}) {
    const std::string back = (dir.path() / "back.h5").string();
    EXPECT_EQ(import_deepsdf(out, split, back), 2);
    const SampleFile f(back);
    EXPECT_EQ(f.info().method, "deepsdf_import");
    ASSERT_EQ(f.shape_ids(), (std::vector<std::string>{shapes[0].id, shapes[1].id}));
    for (const ShapeRecord& original : shapes) {
      const ShapeRecord r = f.read(original.id);
      EXPECT_EQ(r.pos, original.pos);
      EXPECT_EQ(r.neg, original.neg);
      EXPECT_EQ(r.normalization.offset, original.normalization.offset);
      EXPECT_EQ(r.normalization.scale, original.normalization.scale);
      EXPECT_EQ(r.surface_points, original.surface_points);
      EXPECT_EQ(r.surface_normals, original.surface_normals);
    }
  }
}

TEST(DeepSdfLayout, ImportDropsNanRowsAndToleratesMissingExtras) {
  test::TempDir dir;
  const fs::path root = dir.path() / "data";
  fs::create_directories(root / "SdfSamples" / "d" / "c");
  const float nan = std::nanf("");
  geometry::write_npz((root / "SdfSamples/d/c/x.npz").string(),
                      {{"pos", geometry::make_npy_array(std::vector<float>{0, 0, 0, 0.5f, 1, 1,
                                                                           1, nan},
                                                        {2, 4})},
                       {"neg", geometry::make_npy_array(std::vector<float>{0, 0, 0, -0.5f},
                                                        {1, 4})}});
  const std::string out = (dir.path() / "x.h5").string();
  EXPECT_EQ(import_deepsdf(root.string(), "", out), 1);
  const ShapeRecord r = SampleFile(out).read("d/c/x");
  EXPECT_EQ(r.pos, (std::vector<float>{0, 0, 0, 0.5f}));
  EXPECT_EQ(r.neg.size(), 4u);
  EXPECT_EQ(r.normalization.scale, 1.0);
  EXPECT_TRUE(r.surface_points.empty());

  EXPECT_THROW(import_deepsdf((dir.path() / "nothing").string(), "", out), core::IoError);
}

}  // namespace
}  // namespace nsdf::preprocessing
