#pragma once
// The folder a run leaves behind:
//
//   runs/<name>/<id>/
//     config.yaml    resolved config; `nsdf run config.yaml` reproduces the run
//     log.txt        what the console showed
//     metrics.jsonl  one JSON object per logged step
//     checkpoints/   latest.pt + every K steps (atomic writes)
//     meshes/ latents/ eval/ images/   experiment outputs
//     status.json    {"state": "running" | "finished" | "stopped" | "failed", "time", "detail"}
//
// Rank-aware: only rank 0 (the writer) creates folders and writes files; other ranks of a
// data-parallel run see the same paths and write nothing.

#include <cstdint>
#include <filesystem>
#include <string>

#include "core/ConfigNode.h"

namespace nsdf::core {

class RunDir {
 public:
  /// Creates runs_root/<name>/<id>/ with a fresh id (YYYYMMDD-HHMMSS, "-2"... on collision).
  static RunDir create(const std::string& runs_root, const std::string& name, int rank = 0);
  /// Opens an existing run folder (for --resume); throws IoError when it is not one.
  static RunDir open(const std::string& path, int rank = 0);
  /// The run folder at `path`, created with its parents when missing (`nsdf run --dir`).
  static RunDir at(const std::string& path, int rank = 0);

  const std::filesystem::path& path() const { return path_; }
  bool is_writer() const { return rank_ == 0; }
  int rank() const { return rank_; }

  /// path()/name, created (by the writer) if missing.
  std::filesystem::path subdir(const std::string& name) const;
  std::filesystem::path config_file() const { return path_ / "config.yaml"; }
  std::filesystem::path log_file() const { return path_ / "log.txt"; }
  std::filesystem::path metrics_file() const { return path_ / "metrics.jsonl"; }

  /// Writes the resolved config (atomically).
  void write_config(const ConfigNode& resolved) const;
  /// Appends one JSON line to metrics.jsonl.
  void append_metrics(const std::string& json_line) const;
  /// status.json, atomically: the run's state and, for "stopped" and "failed", why.
  void write_status(const std::string& state, const std::string& detail = "") const;
  /// The state in folder/status.json; "" when there is none (or it cannot be read).
  static std::string read_state(const std::filesystem::path& folder);
  /// Keeps only metric lines whose "step" is <= step (resuming from a checkpoint at `step`
  /// drops what the killed run logged after it). Atomic rewrite.
  void truncate_metrics_after(int64_t step) const;

 private:
  RunDir(std::filesystem::path path, int rank) : path_(std::move(path)), rank_(rank) {}
  std::filesystem::path path_;
  int rank_ = 0;
};

/// Held by the process that runs in a folder: an exclusive lock (flock) on folder/.lock, which
/// the system releases when the process ends, however it ends. A second process in the same
/// folder (a sweep started twice, a job submitted twice) gets UsageError naming the folder and
/// the holder's pid instead of writing over the first one's files.
class RunLock {
 public:
  explicit RunLock(const std::filesystem::path& folder);
  ~RunLock();
  RunLock(const RunLock&) = delete;
  RunLock& operator=(const RunLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace nsdf::core
