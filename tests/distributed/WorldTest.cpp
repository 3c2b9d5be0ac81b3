#include "distributed/World.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "core/Error.h"
#include "support/ErrorMessage.h"

namespace nsdf::distributed {
namespace {

// A fake environment.
Environment env_of(const std::map<std::string, std::string>& vars) {
  return [vars](const char* name) -> const char* {
    const auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  };
}

TEST(World, NoVariablesIsOneProcess) {
  const WorldInfo w = world_from_environment(env_of({}));
  EXPECT_FALSE(w.distributed());
  EXPECT_EQ(w.size, 1);
  EXPECT_EQ(w.rank, 0);
  EXPECT_EQ(w.source, "single");
}

TEST(World, TorchrunVariables) {
  const WorldInfo w = world_from_environment(env_of({{"RANK", "3"},
                                                     {"WORLD_SIZE", "4"},
                                                     {"LOCAL_RANK", "1"},
                                                     {"LOCAL_WORLD_SIZE", "2"},
                                                     {"MASTER_ADDR", "node7"},
                                                     {"MASTER_PORT", "29600"}}));
  EXPECT_TRUE(w.distributed());
  EXPECT_EQ(w.rank, 3);
  EXPECT_EQ(w.size, 4);
  EXPECT_EQ(w.local_rank, 1);
  EXPECT_EQ(w.local_size, 2);
  EXPECT_EQ(w.master_addr, "node7");
  EXPECT_EQ(w.master_port, 29600);
  EXPECT_EQ(w.source, "env");
  EXPECT_EQ(w.describe(), "rank 3 of 4 (env, master node7:29600)");
}

TEST(World, WorldSizeOneIsOneProcess) {
  EXPECT_FALSE(world_from_environment(env_of({{"WORLD_SIZE", "1"}, {"RANK", "0"}})).distributed());
}

TEST(World, SlurmStepVariables) {
  const WorldInfo w = world_from_environment(env_of({{"SLURM_JOB_ID", "123456"},
                                                     {"SLURM_STEP_ID", "0"},
                                                     {"SLURM_PROCID", "5"},
                                                     {"SLURM_NTASKS", "8"},
                                                     {"SLURM_LOCALID", "1"},
                                                     {"SLURM_STEP_TASKS_PER_NODE", "4(x2)"},
                                                     {"SLURM_JOB_NODELIST", "gpu[003-004]"}}));
  EXPECT_EQ(w.source, "slurm");
  EXPECT_EQ(w.rank, 5);
  EXPECT_EQ(w.size, 8);
  EXPECT_EQ(w.local_rank, 1);
  EXPECT_EQ(w.local_size, 4);
  EXPECT_EQ(w.master_addr, "gpu003");
  EXPECT_EQ(w.master_port, 15000 + 123456 % 20000);
}

TEST(World, SlurmPrefersTheStepsNodesAndTasksAndMasterVariables) {
  const WorldInfo w = world_from_environment(env_of({{"SLURM_JOB_ID", "7"},
                                                     {"SLURM_STEP_ID", "1"},
                                                     {"SLURM_PROCID", "1"},
                                                     {"SLURM_NTASKS", "8"},
                                                     {"SLURM_STEP_NUM_TASKS", "2"},
                                                     {"SLURM_JOB_NODELIST", "a[1-4]"},
                                                     {"SLURM_STEP_NODELIST", "a3"},
                                                     {"MASTER_PORT", "4242"}}));
  EXPECT_EQ(w.size, 2);
  EXPECT_EQ(w.master_addr, "a3");
  EXPECT_EQ(w.master_port, 4242);
}

TEST(World, SlurmBatchShellIsOneProcess) {
  // The batch script itself (no job step) is one process even when the job has 4 tasks.
  const WorldInfo w = world_from_environment(
      env_of({{"SLURM_JOB_ID", "7"}, {"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "4"},
              {"SLURM_JOB_NODELIST", "n1"}}));
  EXPECT_FALSE(w.distributed());
}

TEST(World, TorchrunVariablesWinOverSlurm) {
  const WorldInfo w = world_from_environment(
      env_of({{"SLURM_STEP_ID", "0"}, {"SLURM_PROCID", "0"}, {"SLURM_NTASKS", "4"},
              {"SLURM_JOB_NODELIST", "n1"}, {"RANK", "1"}, {"WORLD_SIZE", "2"},
              {"MASTER_ADDR", "127.0.0.1"}}));
  EXPECT_EQ(w.source, "env");
  EXPECT_EQ(w.size, 2);
  EXPECT_EQ(w.rank, 1);
}

TEST(World, FirstHostOfNodeLists) {
  EXPECT_EQ(first_slurm_host("node7"), "node7");
  EXPECT_EQ(first_slurm_host("gpu[003-010,012],cpu1"), "gpu003");
  EXPECT_EQ(first_slurm_host("n[1-2]-ib"), "n1-ib");
  EXPECT_EQ(first_slurm_host("a1,b[2-3]"), "a1");
  EXPECT_EQ(first_slurm_host("rack[7]"), "rack7");
  EXPECT_THROW(first_slurm_host(""), core::UsageError);
  EXPECT_THROW(first_slurm_host("n[1-2"), core::UsageError);
}

// The UsageError that the environment `vars` gives.
std::string error_of(const std::map<std::string, std::string>& vars) {
  return test::message_of<core::UsageError>([&] { world_from_environment(env_of(vars)); });
}

TEST(World, MalformedVariablesAreNamed) {
  auto says = [](const std::map<std::string, std::string>& vars, const std::string& text) {
    const std::string message = error_of(vars);
    EXPECT_NE(message.find(text), std::string::npos) << message;
  };
  says({{"RANK", "x"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"}},
       "RANK='x': expected an integer");
  says({{"RANK", "2"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"}},
       "RANK=2 is not below WORLD_SIZE=2");
  says({{"RANK", "0"}, {"WORLD_SIZE", "2"}}, "MASTER_ADDR is not");
  says({{"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"}}, "RANK is not");
  says({{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_ADDR", "h"}, {"MASTER_PORT", "70000"}},
       "MASTER_PORT='70000'");
  EXPECT_EQ(error_of({}), "<no exception>");
}

}  // namespace
}  // namespace nsdf::distributed
