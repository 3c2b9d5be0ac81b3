#pragma once
// The `nsdf` binary under test as a real process (NSDF_BINARY is set by tests/CMakeLists.txt
// for the cli tests and the torch tests).

#include <filesystem>
#include <string>
#include <vector>

#include "support/TestFiles.h"

namespace nsdf::tools {

/// Runs `nsdf args...` (in `cwd` when given), with `env` ("NAME=value") added to the
/// environment; waits for it.
inline test::ProcessResult nsdf(std::vector<std::string> args, const std::filesystem::path& cwd = {},
                                const std::vector<std::string>& env = {}) {
  args.insert(args.begin(), NSDF_BINARY);
  if (!env.empty()) {
    std::vector<std::string> with_env = {"/usr/bin/env"};
    with_env.insert(with_env.end(), env.begin(), env.end());
    with_env.insert(with_env.end(), args.begin(), args.end());
    return test::run_process(with_env, cwd);
  }
  return test::run_process(args, cwd);
}

}  // namespace nsdf::tools
