#pragma once
// `nsdf launch --nproc N -- run CONFIG ...`: N ranks of one data-parallel run on this machine,
// as torchrun starts them: each child gets RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE,
// MASTER_ADDR (127.0.0.1) and MASTER_PORT (a free port unless given).
//
// SIGTERM, SIGUSR1 and SIGINT sent to the launcher are passed on to every rank (they stop
// together at the next epoch boundary after rank 0 wrote a checkpoint; distributed/Group.h's
// any()). The ranks run in their own process group, so a signal to the launcher's group
// reaches each of them once, and they are killed when the launcher dies (a killed launcher
// leaves no rank behind; rerunning resumes from the last checkpoint). When a rank fails, the
// others are asked to stop (SIGTERM) and killed after grace_seconds, so that no rank waits
// forever for a dead peer.
//
// The exit status: 0 when every rank finished, 75 (core::kStoppedExitCode) when they were
// stopped by a signal, else the first failed rank's status (1 when it was killed).

#include <string>
#include <vector>

namespace nsdf::distributed {

struct LocalLaunchOptions {
  int nproc = 1;
  int master_port = 0;  ///< 0: MASTER_PORT from the environment, else a free port
  double grace_seconds = 30;
};

/// Starts `argv` (argv[0]: a path) as options.nproc ranks and waits for all of them.
int launch_local(const std::vector<std::string>& argv, const LocalLaunchOptions& options);

/// A TCP port on 127.0.0.1 that nobody listens on now.
int free_local_port();

}  // namespace nsdf::distributed
