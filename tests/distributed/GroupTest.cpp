#include "distributed/Group.h"

#include <gtest/gtest.h>

#include <exception>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "core/Error.h"
#include "distributed/DataParallel.h"
#include "distributed/LocalLaunch.h"

namespace nsdf::distributed {
namespace {

// Runs body(group) on two ranks (threads of this process joined by Gloo over loopback) and
// returns what each threw ("" when nothing).
std::vector<std::string> on_two_ranks(const std::function<void(std::shared_ptr<Group>)>& body) {
  const int port = free_local_port();
  std::vector<std::string> errors(2);
  std::vector<std::thread> threads;
  for (int rank = 0; rank < 2; ++rank) {
    threads.emplace_back([&, rank] {
      try {
        WorldInfo w;
        w.rank = rank;
        w.size = 2;
        w.local_rank = rank;
        w.local_size = 2;
        w.master_port = port;
        w.source = "env";
        body(Group::connect(w, torch::kCPU, std::chrono::seconds(30)));
      } catch (const std::exception& e) {
        errors[static_cast<size_t>(rank)] = e.what();
      }
    });
  }
  for (auto& t : threads) t.join();
  return errors;
}

void expect_no_errors(const std::vector<std::string>& errors) {
  for (size_t r = 0; r < errors.size(); ++r) EXPECT_EQ(errors[r], "") << "rank " << r;
}

TEST(Group, CollectivesSumBroadcastAndAgree) {
  std::vector<torch::Tensor> sums(2), casts(2);
  std::vector<bool> any_one(2), any_none(2);
  std::vector<std::vector<std::string>> gathered(2);
  std::vector<std::string> agreed(2);
  expect_no_errors(on_two_ranks([&](std::shared_ptr<Group> g) {
    const auto r = static_cast<size_t>(g->rank());
    EXPECT_EQ(g->size(), 2);
    EXPECT_EQ(g->backend(), "gloo");
    torch::Tensor a = torch::full({4}, static_cast<float>(g->rank() + 1));
    torch::Tensor b = torch::arange(3, torch::kFloat32) * (g->rank() + 1);
    g->allreduce_sum({a, b});
    sums[r] = torch::cat({a, b});
    torch::Tensor c = torch::full({2, 2}, static_cast<float>(10 + g->rank()));
    g->broadcast({c}, 0);
    casts[r] = c;
    any_one[r] = g->any(g->rank() == 1);
    any_none[r] = g->any(false);
    gathered[r] = g->gather_to_root("from rank " + std::to_string(g->rank()));
    agreed[r] = g->agree([&] { return std::string("rank 0 chose this"); });
  }));
  for (size_t r = 0; r < 2; ++r) {
    EXPECT_TRUE(torch::equal(sums[r], torch::tensor({3.f, 3.f, 3.f, 3.f, 0.f, 3.f, 6.f})));
    EXPECT_TRUE(torch::equal(casts[r], torch::full({2, 2}, 10.f)));
    EXPECT_TRUE(any_one[r]);
    EXPECT_FALSE(any_none[r]);
    EXPECT_EQ(agreed[r], "rank 0 chose this");
  }
  EXPECT_EQ(gathered[0], (std::vector<std::string>{"from rank 0", "from rank 1"}));
  EXPECT_TRUE(gathered[1].empty());
}

TEST(Group, AnErrorOnRankZeroReachesEveryRank) {
  const std::vector<std::string> errors = on_two_ranks([](std::shared_ptr<Group> g) {
    g->agree([]() -> std::string { throw core::ConfigError("run.yaml:3:1: error: bad key"); });
  });
  EXPECT_EQ(errors[0], "run.yaml:3:1: error: bad key");
  EXPECT_EQ(errors[1], "rank 0: run.yaml:3:1: error: bad key");
}

TEST(Group, RendezvousWithoutRankZeroFailsNamingTheMaster) {
  WorldInfo w;
  w.rank = 1;
  w.size = 2;
  w.master_port = free_local_port();  // nobody serves it
  try {
    Group::connect(w, torch::kCPU, std::chrono::seconds(1));
    FAIL() << "connected without rank 0";
  } catch (const core::IoError& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find("rendezvous at 127.0.0.1:" + std::to_string(w.master_port)),
              std::string::npos)
        << m;
    EXPECT_NE(m.find("rank 1 of 2"), std::string::npos) << m;
  }
}

// Gradients of rank r: parameter i filled with (r + 1) * (i + 1); codes row k with (r + 1) * k.
struct Replica {
  std::vector<torch::Tensor> params;
  torch::Tensor codes;
};

Replica make_replica(int rank) {
  Replica m;
  const float f = static_cast<float>(rank + 1);
  for (int i = 0; i < 3; ++i) {
    torch::Tensor p = torch::full({i + 2, 3}, f).requires_grad_();
    p.mutable_grad() = torch::full({i + 2, 3}, f * static_cast<float>(i + 1));
    m.params.push_back(p);
  }
  m.codes = torch::zeros({6, 2}).requires_grad_();
  m.codes.mutable_grad() = torch::arange(6, torch::kFloat32).unsqueeze(1).repeat({1, 2}) * f;
  return m;
}

TEST(DataParallel, AveragesGradientsInBucketsAndOnlyTheBatchsCodeRows) {
  std::vector<Replica> replicas = {make_replica(0), make_replica(1)};
  std::vector<int64_t> buckets(2), floats(2);
  expect_no_errors(on_two_ranks([&](std::shared_ptr<Group> g) {
    Replica& m = replicas[static_cast<size_t>(g->rank())];
    DataParallelOptions o;
    o.bucket_mb = 40.0 / (1024 * 1024);  // 40 bytes: each parameter in its own bucket
    DataParallel dp(g, m.params, m.codes, o);
    dp.broadcast_state();
    dp.set_code_rows({4, 1});
    dp.average_gradients();
    buckets[static_cast<size_t>(g->rank())] = dp.buckets();
    floats[static_cast<size_t>(g->rank())] = dp.floats_per_step();
  }));
  for (int r = 0; r < 2; ++r) {
    const Replica& m = replicas[static_cast<size_t>(r)];
    EXPECT_EQ(buckets[static_cast<size_t>(r)], 3);
    EXPECT_EQ(floats[static_cast<size_t>(r)], 6 + 9 + 12 + 2 * 2);
    for (int i = 0; i < 3; ++i) {
      // Parameters: rank 0's values; gradients: the mean of 1 (i + 1) and 2 (i + 1).
      EXPECT_TRUE(torch::equal(m.params[static_cast<size_t>(i)], torch::full({i + 2, 3}, 1.f)));
      EXPECT_TRUE(torch::allclose(m.params[static_cast<size_t>(i)].grad(),
                                  torch::full({i + 2, 3}, 1.5f * static_cast<float>(i + 1))));
    }
    EXPECT_TRUE(torch::equal(m.codes, torch::zeros({6, 2})));
    const torch::Tensor g = m.codes.grad();
    for (int64_t k = 0; k < 6; ++k) {
      // Rows 1 and 4 averaged (1.5 k); the others keep this rank's own (r + 1) k.
      const float want = (k == 1 || k == 4) ? 1.5f * k : static_cast<float>((r + 1) * k);
      EXPECT_FLOAT_EQ(g[k][0].item<float>(), want) << "rank " << r << " row " << k;
    }
  }
}

TEST(DataParallel, TableModeAveragesEveryCodeAndAverageGivesMeans) {
  std::vector<Replica> replicas = {make_replica(0), make_replica(1)};
  std::vector<torch::Tensor> means(2);
  expect_no_errors(on_two_ranks([&](std::shared_ptr<Group> g) {
    Replica& m = replicas[static_cast<size_t>(g->rank())];
    DataParallelOptions o;
    o.codes = "table";
    DataParallel dp(g, m.params, m.codes, o);
    EXPECT_EQ(dp.buckets(), 1);
    dp.average_gradients();
    const auto avg = dp.average({torch::tensor(2.0 * (g->rank() + 1)),
                                 torch::full({2}, static_cast<float>(g->rank()))});
    means[static_cast<size_t>(g->rank())] = torch::cat({avg[0].reshape({1}).to(torch::kFloat32),
                                                        avg[1]});
  }));
  for (int r = 0; r < 2; ++r) {
    const torch::Tensor g = replicas[static_cast<size_t>(r)].codes.grad();
    for (int64_t k = 0; k < 6; ++k) EXPECT_FLOAT_EQ(g[k][1].item<float>(), 1.5f * k);
    EXPECT_TRUE(torch::allclose(means[static_cast<size_t>(r)], torch::tensor({3.f, 0.5f, 0.5f})));
  }
}

}  // namespace
}  // namespace nsdf::distributed
