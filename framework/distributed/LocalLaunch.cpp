#include "distributed/LocalLaunch.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <thread>

#include <fmt/format.h>

#include "core/Error.h"
#include "core/Log.h"
#include "core/Process.h"
#include "core/Signals.h"

namespace nsdf::distributed {

namespace {

std::atomic<int> g_pending_signal{0};

void on_signal(int signal) { g_pending_signal.store(signal); }

// Handlers that only record the signal; the wait loop passes it on.
void install_forwarding() {
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  for (int s : {SIGTERM, SIGUSR1, SIGINT}) ::sigaction(s, &sa, nullptr);
}

struct Rank {
  pid_t pid = 0;
  bool running = true;
  int status = 0;
};

}  // namespace

int free_local_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  NSDF_CHECK(fd >= 0, core::IoError, "cannot open a socket: {}", std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  const int err = errno;
  ::close(fd);
  NSDF_CHECK(ok, core::IoError, "cannot find a free port on 127.0.0.1: {}", std::strerror(err));
  return ntohs(addr.sin_port);
}

int launch_local(const std::vector<std::string>& argv, const LocalLaunchOptions& options) {
  NSDF_CHECK(options.nproc >= 1, core::UsageError, "launch: --nproc must be at least 1, got {}",
             options.nproc);
  int port = options.master_port;
  if (port == 0) {
    const char* env = std::getenv("MASTER_PORT");
    port = env && *env ? std::atoi(env) : free_local_port();
  }
  install_forwarding();
  std::vector<Rank> ranks(static_cast<size_t>(options.nproc));
  for (int r = 0; r < options.nproc; ++r) {
    std::vector<std::pair<std::string, std::string>> env = {
        {"RANK", std::to_string(r)},
        {"WORLD_SIZE", std::to_string(options.nproc)},
        {"LOCAL_RANK", std::to_string(r)},
        {"LOCAL_WORLD_SIZE", std::to_string(options.nproc)},
        {"MASTER_ADDR", "127.0.0.1"},
        {"MASTER_PORT", std::to_string(port)}};
    // The ranks form their own process group (a signal to the launcher's group reaches them
    // once, forwarded) and die with the launcher.
    core::SpawnOptions spawn{env, {}, r == 0 ? 0 : ranks[0].pid, true};
    ranks[static_cast<size_t>(r)].pid = core::spawn(argv, spawn);
  }
  core::log::info("launch: {} ranks of `{}` (master 127.0.0.1:{})", options.nproc,
                  fmt::join(argv.begin() + 1, argv.end(), " "), port);

  auto signal_running = [&](int signal) {
    for (const auto& r : ranks)
      if (r.running) ::kill(r.pid, signal);
  };
  int first_failure = -1;  // rank index
  std::chrono::steady_clock::time_point kill_at{};
  bool tearing_down = false;
  int running = options.nproc;
  while (running > 0) {
    if (const int s = g_pending_signal.exchange(0)) signal_running(s);
    int status = 0;
    const pid_t pid = ::waitpid(-1, &status, WNOHANG);
    if (pid > 0) {
      for (size_t i = 0; i < ranks.size(); ++i) {
        Rank& r = ranks[i];
        if (r.pid != pid || !r.running) continue;
        r.running = false;
        r.status = status;
        --running;
        const bool ok = WIFEXITED(status) && (WEXITSTATUS(status) == 0 ||
                                              WEXITSTATUS(status) == core::kStoppedExitCode);
        if (!ok) {
          core::log::warn("launch: rank {} {}", i, core::describe_exit(status));
          if (first_failure < 0) first_failure = static_cast<int>(i);
          if (!tearing_down && running > 0) {
            tearing_down = true;
            core::log::warn("launch: stopping the other ranks ({} s before they are killed)",
                            options.grace_seconds);
            signal_running(SIGTERM);
            kill_at = std::chrono::steady_clock::now() +
                      std::chrono::milliseconds(static_cast<int64_t>(options.grace_seconds * 1000));
          }
        }
      }
      continue;
    }
    if (pid < 0 && errno != EINTR) break;  // no children left
    if (tearing_down && std::chrono::steady_clock::now() >= kill_at) {
      signal_running(SIGKILL);
      tearing_down = false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (first_failure >= 0) {
    const int status = ranks[static_cast<size_t>(first_failure)].status;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
  }
  for (const auto& r : ranks)
    if (WIFEXITED(r.status) && WEXITSTATUS(r.status) == core::kStoppedExitCode)
      return core::kStoppedExitCode;
  return 0;
}

}  // namespace nsdf::distributed
