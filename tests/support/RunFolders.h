#pragma once
// What a run folder says, for tests that run `nsdf`: its metric lines and its state.

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>
#include <string>
#include <vector>

#include "support/TestFiles.h"

namespace nsdf::test {

/// The lines of run/metrics.jsonl without their "time" (which differs between runs).
inline std::vector<std::string> metric_lines(const std::filesystem::path& run) {
  std::vector<std::string> out;
  std::ifstream in(run / "metrics.jsonl");
  std::string line;
  while (std::getline(in, line)) out.push_back(line.substr(0, line.find(", \"time\"")));
  return out;
}

/// The "state" of run/status.json ("" without one).
inline std::string run_state(const std::filesystem::path& run) {
  if (!std::filesystem::exists(run / "status.json")) return "";
  const std::string s = read_text(run / "status.json");
  const auto k = s.find("\"state\": \"");
  return k == std::string::npos ? "" : s.substr(k + 10, s.find('"', k + 10) - k - 10);
}

/// Polls `ready` every 2 ms for at most `seconds`; returns its last answer.
inline bool wait_until(const std::function<bool()>& ready, int seconds = 120) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (!ready() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  return ready();
}

/// Waits (at most 2 minutes) until run/metrics.jsonl has at least `lines` lines.
inline bool wait_for_metric_lines(const std::filesystem::path& run, std::size_t lines) {
  return wait_until([&] { return metric_lines(run).size() >= lines; });
}

}  // namespace nsdf::test
