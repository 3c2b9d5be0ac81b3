#pragma once
// Who this process is in a data-parallel run, read from the environment the way PyTorch's
// launchers and SLURM set it:
//   torchrun / `nsdf launch`:  RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR,
//                              MASTER_PORT;
//   `srun` (a SLURM job step):  SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID, and the first host
//                              of SLURM_STEP_NODELIST (or SLURM_JOB_NODELIST) as the master;
//                              the port is MASTER_PORT, or 15000 + the job id mod 20000 so that
//                              every task of a step agrees on it without talking.
// WORLD_SIZE wins over SLURM's variables (a torchrun inside a SLURM job). SLURM's are used only
// inside a job step (SLURM_STEP_ID set): a batch script's own shell is one process even when
// the job asked for several tasks. Anything else is a single process (size 1).
//
// No LibTorch here: the process group (distributed/Group.h) is built from a WorldInfo.

#include <functional>
#include <string>

namespace nsdf::distributed {

struct WorldInfo {
  int rank = 0;
  int size = 1;
  int local_rank = 0;  ///< rank among the processes of this machine (picks cuda:<local_rank>)
  int local_size = 1;  ///< processes on this machine (shares the CPU cores out)
  std::string master_addr = "127.0.0.1";
  int master_port = 29500;
  std::string source = "single";  ///< "single", "env" (RANK/WORLD_SIZE) or "slurm"

  bool distributed() const { return size > 1; }
  bool is_root() const { return rank == 0; }
  /// "rank 1 of 2 (env, master 127.0.0.1:29500)".
  std::string describe() const;
};

/// getenv-like lookup: the value of a variable, or nullptr when it is not set.
using Environment = std::function<const char*(const char*)>;

/// The world of this process from `env` (the process environment by default). Throws
/// core::UsageError naming the variable when one is malformed (not a number, RANK outside
/// [0, WORLD_SIZE), a nodelist without a host).
WorldInfo world_from_environment(const Environment& env = {});

/// The first host of a SLURM node list: "gpu[003-010,012],cpu1" -> "gpu003", "node7" ->
/// "node7", "n[1-2]-ib" -> "n1-ib". Throws core::UsageError when there is none.
std::string first_slurm_host(const std::string& nodelist);

}  // namespace nsdf::distributed
