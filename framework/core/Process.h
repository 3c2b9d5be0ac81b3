#pragma once
// Child processes of launchers (`nsdf sweep`'s local launcher, `nsdf launch`): start a command
// with extra environment variables and optionally its output in a log file, and describe how
// it ended.

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace nsdf::core {

struct SpawnOptions {
  /// Variables set in the child on top of this process's environment.
  std::vector<std::pair<std::string, std::string>> env;
  /// stdout and stderr appended to this file (its folder is created); empty: the child shares
  /// this process's.
  std::filesystem::path log;
  /// -1: the child stays in this process's group; 0: it leads a new group; > 0: it joins that
  /// group (signals to this process's group then reach only this process).
  pid_t process_group = -1;
  /// The child is killed (SIGKILL) when this process dies.
  bool die_with_parent = false;
};

/// Starts argv[0] (a path) with argv. Throws IoError when it cannot.
pid_t spawn(const std::vector<std::string>& argv, const SpawnOptions& options = {});

/// "finished", "stopped by a signal (exit 75)", "failed (exit 2)", "killed by signal 9" for a
/// waitpid() status.
std::string describe_exit(int status);

/// The path of the running executable (/proc/self/exe). Throws IoError when it cannot be read.
std::string self_executable();

}  // namespace nsdf::core
