#pragma once
// The arguments of the commands that take a file and overrides, `nsdf <command> FILE
// [key=value ...] [options]` (run, config, preprocess, sweep): the file is the first argument
// that is not key=value, every other one must be key=value, options may stand anywhere.

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace nsdf::tools {

struct CommandLine {
  std::string file;                              ///< "" when none was given
  std::vector<std::string> overrides;            ///< key=value, in order
  std::map<std::string, std::string> options;    ///< given options -> value ("" for flags)

  bool has(const std::string& option) const { return options.count(option) > 0; }
  /// The option's value; "" when it was not given.
  std::string value(const std::string& option) const;
};

/// Parses `args`. `valued`: options that take a value, with its name for messages ({"--dir",
/// "RUN_DIR"}); `flags`: options without one. Throws UsageError "<command>: ..." for an unknown
/// option (with `usage`), an option without its value, and a second FILE (not key=value).
CommandLine parse_command_line(const std::string& command, const std::vector<std::string>& args,
                               const std::vector<std::pair<std::string, std::string>>& valued,
                               const std::vector<std::string>& flags, const std::string& usage);

}  // namespace nsdf::tools
