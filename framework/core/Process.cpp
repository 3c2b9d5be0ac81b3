#include "core/Process.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/Error.h"
#include "core/Signals.h"

namespace nsdf::core {

namespace fs = std::filesystem;

pid_t spawn(const std::vector<std::string>& argv, const SpawnOptions& options) {
  NSDF_ASSERT(!argv.empty(), "spawn: empty command");
  const fs::path& log = options.log;
  int fd = -1;
  if (!log.empty()) {
    if (log.has_parent_path()) fs::create_directories(log.parent_path());
    fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    NSDF_CHECK(fd >= 0, IoError, "{}: cannot open: {}", log.string(), std::strerror(errno));
  }
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (options.die_with_parent) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(1);  // the parent died before prctl
    }
    if (options.process_group >= 0) ::setpgid(0, options.process_group);
    for (const auto& [name, value] : options.env) ::setenv(name.c_str(), value.c_str(), 1);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    ::execv(args[0], args.data());
    std::fprintf(stderr, "nsdf: cannot start %s: %s\n", args[0], std::strerror(errno));
    ::_exit(127);
  }
  // Also from the parent, so that the group exists before the next child joins it.
  if (pid > 0 && options.process_group >= 0)
    ::setpgid(pid, options.process_group == 0 ? pid : options.process_group);
  if (fd >= 0) ::close(fd);
  NSDF_CHECK(pid > 0, IoError, "cannot start {}: {}", argv[0], std::strerror(errno));
  return pid;
}

std::string describe_exit(int status) {
  if (WIFEXITED(status)) {
    const int code = WEXITSTATUS(status);
    if (code == 0) return "finished";
    if (code == kStoppedExitCode)
      return "stopped by a signal (exit " + std::to_string(kStoppedExitCode) + ")";
    return "failed (exit " + std::to_string(code) + ")";
  }
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "ended (status " + std::to_string(status) + ")";
}

std::string self_executable() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  NSDF_CHECK(!ec, IoError, "cannot find the nsdf executable: {}", ec.message());
  return exe.string();
}

}  // namespace nsdf::core
