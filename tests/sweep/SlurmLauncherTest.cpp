#include "sweep/SlurmLauncher.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "core/Error.h"
#include "support/TestFiles.h"

namespace nsdf::sweep {
namespace {

namespace fs = std::filesystem;

LaunchPlan plan_of(const fs::path& dir) {
  LaunchPlan plan;
  plan.sweep_name = "fit";
  plan.sweep_dir = dir;
  plan.nsdf = "/opt/nsdf/bin/nsdf";
  plan.base_config = "/cfg/fit.yaml";
  plan.runs = {{"lambda-0.1", {"loss.lambda=0.1", "model.dims=[64, 64]"}, {}},
               {"it's", {"loss.lambda=1"}, {}}};
  return plan;
}

TEST(SlurmLauncher, ScriptAsksForTheResourcesAndRunsEachTaskInItsFolder) {
  SlurmLauncherOptions o;
  o.partition = "gpu";
  o.time = "02:00:00";
  o.cpus = 4;
  o.gpus = 1;
  o.mem = "16G";
  o.array_throttle = 3;
  o.signal_lead = 90;
  o.tasks_per_run = 2;
  o.extra = {"--account=shapes"};
  const std::string s = SlurmLauncher(o).script(plan_of("/sw"));
  for (const char* line :
       {"#SBATCH --array=0-1%3\n", "#SBATCH --output=/sw/slurm/%A_%a.out\n",
        "#SBATCH --time=02:00:00\n", "#SBATCH --ntasks=2\n", "#SBATCH --cpus-per-task=4\n",
        "#SBATCH --gpus-per-task=1\n", "#SBATCH --partition=gpu\n", "#SBATCH --mem=16G\n",
        "#SBATCH --signal=USR1@90\n", "#SBATCH --requeue\n", "#SBATCH --account=shapes\n",
        "srun --ntasks=2 --cpus-per-task=4 \"${cmd[@]}\"",
        "scontrol requeue \"${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}\""})
    EXPECT_NE(s.find(line), std::string::npos) << line << "\n" << s;
  // Every argument quoted for bash, the run folder and log per task.
  EXPECT_NE(s.find("  0) log='/sw/logs/lambda-0.1.log'; cmd=( '/opt/nsdf/bin/nsdf' 'run' "
                   "'/cfg/fit.yaml' 'loss.lambda=0.1' 'model.dims=[64, 64]' '--dir' "
                   "'/sw/runs/lambda-0.1' );;"),
            std::string::npos)
      << s;
  EXPECT_NE(s.find("'/sw/runs/it'\\''s'"), std::string::npos) << s;
}

TEST(SlurmLauncher, DefaultsLeaveOutWhatIsNotAsked) {
  const std::string s = SlurmLauncher(SlurmLauncherOptions{}).script(plan_of("/sw"));
  EXPECT_NE(s.find("#SBATCH --array=0-1\n"), std::string::npos);
  EXPECT_EQ(s.find("--partition"), std::string::npos);
  EXPECT_EQ(s.find("--gpus"), std::string::npos);
  EXPECT_EQ(s.find("--mem"), std::string::npos);
}

TEST(SlurmLauncher, SubmitsWithSbatchAndRecordsTheJob) {
  test::TempDir tmp;
  // A stand-in sbatch that records its argument and answers like `sbatch --parsable`.
  const std::string fake = tmp.write("sbatch", "#!/bin/sh\necho \"$2\" > \"$(dirname \"$0\")/submitted\"\necho 4711\n");
  fs::permissions(fake, fs::perms::owner_all);
  SlurmLauncherOptions o;
  o.sbatch = fake;
  EXPECT_EQ(SlurmLauncher(o).launch(plan_of(tmp.path() / "sw")), 0);
  EXPECT_EQ(test::read_text(tmp.path() / "sw" / "slurm" / "jobs.txt"),
            "4711_0 lambda-0.1\n4711_1 it's\n");
  EXPECT_EQ(test::read_text(tmp.path() / "submitted"),
            (tmp.path() / "sw" / "slurm" / "array_1.sbatch").string() + "\n");
  o.sbatch = "false";
  EXPECT_THROW(SlurmLauncher(o).launch(plan_of(tmp.path() / "sw")), core::IoError);
}

}  // namespace
}  // namespace nsdf::sweep
