#include "core/Checkpoint.h"

#include <gtest/gtest.h>

#include "core/Error.h"
#include "core/Files.h"
#include "support/TestFiles.h"

namespace nsdf::core {
namespace {

TEST(Checkpoint, TensorsModulesAndStepRoundTrip) {
  test::TempDir dir;
  torch::manual_seed(0);
  torch::nn::Linear a(3, 4), b(3, 4);
  Checkpoint ck;
  ck.put_module("decoder", *a);
  ck.put("step", torch::tensor(int64_t{42}));
  const std::string file = (dir.path() / "ck.pt").string();
  ck.save(file);
  const Checkpoint back = Checkpoint::load(file);
  EXPECT_EQ(back.get("step").item<int64_t>(), 42);
  back.load_module("decoder", *b);
  EXPECT_TRUE(torch::equal(a->weight, b->weight));
  EXPECT_TRUE(torch::equal(a->bias, b->bias));
}

TEST(Checkpoint, OptimizerStateRestoresTheNextStepExactly) {
  test::TempDir dir;
  torch::manual_seed(1);
  torch::nn::Linear model(3, 1);
  torch::optim::Adam opt(model->parameters(), torch::optim::AdamOptions(0.01));
  const torch::Tensor x = torch::randn({16, 3}), y = torch::randn({16, 1});
  auto step = [&](torch::nn::Linear& m, torch::optim::Optimizer& o) {
    o.zero_grad();
    torch::mse_loss(m->forward(x), y).backward();
    o.step();
  };
  for (int i = 0; i < 3; ++i) step(model, opt);
  Checkpoint ck;
  ck.put_module("decoder", *model);
  ck.put_optimizer("optimizer", opt);
  ck.save((dir.path() / "ck.pt").string());

  torch::nn::Linear copy(3, 1);
  torch::optim::Adam opt2(copy->parameters(), torch::optim::AdamOptions(0.01));
  const Checkpoint back = Checkpoint::load((dir.path() / "ck.pt").string());
  back.load_module("decoder", *copy);
  back.load_optimizer("optimizer", opt2);
  step(model, opt);
  step(copy, opt2);
  EXPECT_TRUE(torch::equal(model->weight, copy->weight));  // moments and step count restored
}

TEST(Checkpoint, RngStateRestoresTheSameRandomNumbers) {
  torch::manual_seed(5);
  torch::rand({3});
  Checkpoint ck;
  ck.put_rng("rng");
  const torch::Tensor first = torch::rand({4});
  ck.load_rng("rng");
  EXPECT_TRUE(torch::equal(first, torch::rand({4})));
}

TEST(Checkpoint, BrokenFilesGiveClearErrors) {
  test::TempDir dir;
  const std::string junk = dir.write("junk.pt", "this is not a checkpoint");
  try {
    Checkpoint::load(junk);
    FAIL();
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("junk.pt: not a readable nsdf checkpoint"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(Checkpoint::load((dir.path() / "missing.pt").string()), IoError);
  Checkpoint ck;
  try {
    ck.get("decoder.w");
    FAIL();
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("'decoder.w'"), std::string::npos);
  }
  torch::nn::Linear small(2, 2), big(3, 3);
  ck.put_module("m", *small);
  EXPECT_THROW(ck.load_module("m", *big), DataError);
}

TEST(Checkpoint, SaveIsAtomicOverAnExistingFile) {
  test::TempDir dir;
  const std::string file = (dir.path() / "ck.pt").string();
  Checkpoint a, b;
  a.put("x", torch::ones({1000}));
  b.put("x", torch::zeros({1000}));
  a.save(file);
  b.save(file);
  EXPECT_TRUE(torch::equal(Checkpoint::load(file).get("x"), torch::zeros({1000})));
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir.path()))
    files += 1 + 0 * e.is_regular_file();
  EXPECT_EQ(files, 1);  // no temp file left behind
}

}  // namespace
}  // namespace nsdf::core
