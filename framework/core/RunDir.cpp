#include "core/RunDir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <sstream>

#include "core/ConfigLoader.h"
#include "core/Error.h"
#include "core/Files.h"
#include "core/Json.h"

namespace nsdf::core {

namespace fs = std::filesystem;

namespace {

// The local time now, as strftime writes it with `format`.
std::string local_time(const char* format) {
  const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

std::string now_id() { return local_time("%Y%m%d-%H%M%S"); }

}  // namespace

RunDir RunDir::create(const std::string& runs_root, const std::string& name, int rank) {
  const fs::path parent = fs::path(runs_root) / name;
  const std::string id = now_id();
  if (rank != 0) return RunDir(parent / id, rank);
  std::error_code ec;
  fs::create_directories(parent, ec);
  NSDF_CHECK(!ec, IoError, "{}: cannot create run folder: {}", parent.string(), ec.message());
  // mkdir is atomic: two runs started in the same second get different ids.
  for (int n = 1;; ++n) {
    const fs::path candidate = parent / (n == 1 ? id : id + "-" + std::to_string(n));
    if (::mkdir(candidate.c_str(), 0755) == 0) return RunDir(candidate, rank);
    NSDF_CHECK(errno == EEXIST, IoError, "{}: cannot create run folder: {}", candidate.string(),
               std::strerror(errno));
  }
}

RunDir RunDir::open(const std::string& path, int rank) {
  NSDF_CHECK(fs::is_directory(path), IoError, "{}: no such run folder", path);
  NSDF_CHECK(fs::exists(fs::path(path) / "config.yaml"), IoError,
             "{}: not a run folder (no config.yaml)", path);
  return RunDir(fs::path(path), rank);
}

RunDir RunDir::at(const std::string& path, int rank) {
  if (rank == 0) {
    std::error_code ec;
    fs::create_directories(path, ec);
    NSDF_CHECK(!ec && fs::is_directory(path), IoError, "{}: cannot create run folder: {}", path,
               ec ? ec.message() : "not a folder");
  }
  return RunDir(fs::path(path), rank);
}

void RunDir::write_status(const std::string& state, const std::string& detail) const {
  if (!is_writer()) return;
  JsonObject status;
  status.add("state", state).add("time", local_time("%Y-%m-%dT%H:%M:%S"));
  if (!detail.empty()) status.add("detail", detail);
  write_file_atomic((path_ / "status.json").string(), status.pretty() + "\n");
}

std::string RunDir::read_state(const fs::path& folder) {
  std::error_code ec;
  if (!fs::is_regular_file(folder / "status.json", ec)) return "";
  try {
    const std::string file = (folder / "status.json").string();
    const ConfigNode state = parse_yaml(read_file(file), file).peek("state");  // JSON is YAML
    return state && state.is_scalar() ? state.as_scalar() : "";
  } catch (const Error&) {
    return "";
  }
}

fs::path RunDir::subdir(const std::string& name) const {
  const fs::path p = path_ / name;
  if (is_writer()) {
    std::error_code ec;
    fs::create_directories(p, ec);
    NSDF_CHECK(!ec, IoError, "{}: cannot create folder: {}", p.string(), ec.message());
  }
  return p;
}

void RunDir::write_config(const ConfigNode& resolved) const {
  if (!is_writer()) return;
  write_file_atomic(config_file().string(),
                    "# Resolved by nsdf: `nsdf run` on this file reproduces the run.\n" +
                        resolved.to_yaml());
}

void RunDir::append_metrics(const std::string& json_line) const {
  if (!is_writer()) return;
  std::FILE* f = std::fopen(metrics_file().c_str(), "a");
  NSDF_CHECK(f, IoError, "{}: cannot open for appending: {}", metrics_file().string(),
             std::strerror(errno));
  std::fprintf(f, "%s\n", json_line.c_str());
  std::fclose(f);
}

void RunDir::truncate_metrics_after(int64_t step) const {
  if (!is_writer() || !fs::exists(metrics_file())) return;
  std::istringstream in(read_file(metrics_file().string()));
  std::string kept, line;
  while (std::getline(in, line)) {
    // Lines are written by append_metrics as {"step": N, ...}; a torn last line is dropped.
    const auto pos = line.find("\"step\": ");
    if (pos == std::string::npos || line.empty() || line.back() != '}') continue;
    const int64_t s = std::strtoll(line.c_str() + pos + 8, nullptr, 10);
    if (s <= step) kept += line + "\n";
  }
  write_file_atomic(metrics_file().string(), kept);
}

RunLock::RunLock(const fs::path& folder) {
  const fs::path file = folder / ".lock";
  fd_ = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  NSDF_CHECK(fd_ >= 0, IoError, "{}: cannot open: {}", file.string(), std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    char buf[32] = {};
    const ssize_t n = ::pread(fd_, buf, sizeof buf - 1, 0);
    ::close(fd_);
    fd_ = -1;
    NSDF_CHECK(err == EWOULDBLOCK, IoError, "{}: cannot lock: {}", file.string(),
               std::strerror(err));
    std::string pid(buf, n > 0 ? static_cast<size_t>(n) : 0);
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
    throw UsageError(fmt::format(
        "{}: another nsdf process{} is running in this folder; wait for it or stop it first",
        folder.string(), pid.empty() ? std::string() : " (pid " + pid + ")"));
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd_, 0) == 0) (void)!::pwrite(fd_, pid.data(), pid.size(), 0);
}

RunLock::~RunLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the lock
}

}  // namespace nsdf::core
