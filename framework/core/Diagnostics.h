#pragma once
// Collects every config error before reporting, so a user sees all of them at once, each in
// compiler style with its context chain:
//
//   configs/chairs.yaml:14:7: error: loss.clamp_distanse: unknown key (did you mean 'delta'?)
//     in loss 'clamped_l1' (configs/chairs.yaml:12:3)

#include <string>
#include <vector>

#include "core/ConfigNode.h"

namespace nsdf::core {

class Diagnostics {
 public:
  /// Records an error at `mark` about the key `path`, under the given context line.
  void error(const SourceMark& mark, const std::string& path, const std::string& message,
             const std::string& context = {});
  /// Records an error about a value: its mark, path and map context.
  void error(const ConfigNode& at, const std::string& message);
  /// Like error(), at the node's key rather than its value.
  void error_at_key(const ConfigNode& at, const std::string& message);

  bool empty() const { return messages_.empty(); }
  size_t size() const { return messages_.size(); }
  /// All messages, one error (with its context lines) after another.
  std::string str() const;
  /// Throws ConfigError(str()) when any error was recorded.
  void throw_if_any() const;

  /// The context line for a component map: "in loss 'clamped_l1' (file:12:3)".
  static std::string component_context(const std::string& family, const std::string& type,
                                       const ConfigNode& map);

 private:
  std::vector<std::string> messages_;
};

/// Reports every key below `root` that no reader marked read, as an unknown key with a
/// did-you-mean from the names its map's reader expected. Keys a command-line override created
/// without '+' get a message saying so.
void report_unread_keys(const ConfigNode& root, Diagnostics& diag);

}  // namespace nsdf::core
