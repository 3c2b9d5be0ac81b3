// File-backed datasets give the same batches whether BatchLoader holds them in RAM or streams
// them (ram_budget_mb = 0), read in order or after a jump.

#include <gtest/gtest.h>

#include <functional>
#include <memory>

#include "core/Log.h"
#include "data/BatchLoader.h"
#include "data/DeepSdfDataset.h"
#include "data/SampleFileDataset.h"
#include "support/DatasetFixtures.h"
#include "support/TestFiles.h"

namespace nsdf::data {
namespace {

// make(loading) builds the dataset held as `loading` says.
using MakeDataset = std::function<std::shared_ptr<const ShapeDataset>(const LoadingOptions&)>;

void expect_same(const Batch& a, const Batch& b) {
  EXPECT_EQ(a.shapes, b.shapes);
  EXPECT_TRUE(torch::equal(a.xyz, b.xyz));
  EXPECT_TRUE(torch::equal(a.sdf, b.sdf));
}

void expect_streaming_equals_ram(const MakeDataset& make) {
  LoadingOptions streamed;
  streamed.ram_budget_mb = 0;
  streamed.prefetch = 2;
  BatchPlan plan;
  plan.shapes_per_batch = 2;
  plan.samples_per_shape = 64;
  plan.seed = 5;
  BatchLoader ram(make(LoadingOptions{}), plan);
  BatchLoader stream(make(streamed), plan);
  ASSERT_FALSE(ram.streaming());
  ASSERT_TRUE(stream.streaming());
  ASSERT_EQ(ram.batches_per_epoch(), 2);
  for (int64_t epoch = 0; epoch < 2; ++epoch) {
    for (int64_t b = 0; b < ram.batches_per_epoch(); ++b) {
      SCOPED_TRACE(::testing::Message() << "epoch " << epoch << " batch " << b);
      expect_same(ram.get(epoch, b), stream.get(epoch, b));
    }
  }
  // A jump back (a resumed run, a reconstruction restarting) drops the read-ahead.
  expect_same(ram.get(1, 0), stream.get(1, 0));
  expect_same(ram.get(0, 1), stream.get(0, 1));
}

class StreamedBatches : public ::testing::Test {
 protected:
  void SetUp() override { core::log::set_console(false); }
  void TearDown() override { core::log::set_console(true); }
  test::TempDir dir;
};

TEST_F(StreamedBatches, DeepSdfDataset) {
  const test::DeepSdfFixture f = test::write_deepsdf_fixture(dir.path());
  expect_streaming_equals_ram([&](const LoadingOptions& loading) {
    DeepSdfDataset::Options o;
    static_cast<LoadingOptions&>(o) = loading;
    o.root.value = f.root;
    o.split.value = f.split;
    return std::make_shared<const DeepSdfDataset>(o);
  });
}

TEST_F(StreamedBatches, SampleFileDataset) {
  const test::SampleFileFixture f = test::write_sample_file_fixture(dir.path());
  expect_streaming_equals_ram([&](const LoadingOptions& loading) {
    SampleFileDataset::Options o;
    static_cast<LoadingOptions&>(o) = loading;
    o.file.value = f.file;
    return std::make_shared<const SampleFileDataset>(o);
  });
}

}  // namespace
}  // namespace nsdf::data
