#include "CommandLine.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/Error.h"

namespace nsdf::tools {

std::string CommandLine::value(const std::string& option) const {
  const auto it = options.find(option);
  return it == options.end() ? std::string() : it->second;
}

CommandLine parse_command_line(const std::string& command, const std::vector<std::string>& args,
                               const std::vector<std::pair<std::string, std::string>>& valued,
                               const std::vector<std::string>& flags, const std::string& usage) {
  CommandLine out;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    const auto v = std::find_if(valued.begin(), valued.end(),
                                [&](const auto& option) { return option.first == a; });
    if (v != valued.end()) {
      NSDF_CHECK(i + 1 < args.size(), core::UsageError, "{}: {} needs a {}", command, a,
                 v->second);
      out.options[a] = args[++i];
    } else if (std::find(flags.begin(), flags.end(), a) != flags.end()) {
      out.options[a] = "";
    } else if (a.rfind("--", 0) == 0) {
      throw core::UsageError(fmt::format("{}: unknown option '{}'\n{}", command, a, usage));
    } else if (out.file.empty() && a.find('=') == std::string::npos) {
      out.file = a;
    } else {
      NSDF_CHECK(a.find('=') != std::string::npos, core::UsageError,
                 "{}: unexpected argument '{}' (overrides are key=value)", command, a);
      out.overrides.push_back(a);
    }
  }
  return out;
}

}  // namespace nsdf::tools
