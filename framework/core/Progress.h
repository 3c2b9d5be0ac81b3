#pragma once
// Progress of a long loop: on a terminal, a bar redrawn in place with rate and ETA; otherwise
// (logs, CI, pipes) a plain line every `interval` seconds. Both also land in log.txt.

#include <chrono>
#include <cstdint>
#include <string>

namespace nsdf::core {

class Progress {
 public:
  /// `total` steps starting at `start` (non-zero when resuming); `unit` names a step.
  Progress(std::string label, int64_t total, int64_t start = 0, std::string unit = "it",
           double interval_seconds = 10.0);
  /// Marks `step` (absolute) done; `status` is appended ("loss 0.0123").
  void update(int64_t step, const std::string& status = {});
  /// Final line (always printed).
  void finish(const std::string& status = {});

 private:
  std::string line(int64_t step, const std::string& status) const;

  std::string label_;
  std::string unit_;
  int64_t total_;
  int64_t start_;
  int64_t step_;
  double interval_;
  bool tty_;
  std::chrono::steady_clock::time_point t0_;
  std::chrono::steady_clock::time_point last_print_;
  std::chrono::steady_clock::time_point last_draw_;
};

/// "1h02m", "3m05s", "12.3s".
std::string format_duration(double seconds);

}  // namespace nsdf::core
