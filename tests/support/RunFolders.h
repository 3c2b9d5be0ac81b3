#pragma once
// What a run folder says, for tests that run `nsdf`: its metric lines and its state.

#include <filesystem>
#include <fstream>
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

}  // namespace nsdf::test
