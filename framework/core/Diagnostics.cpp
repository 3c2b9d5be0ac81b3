#include "core/Diagnostics.h"

#include "core/Error.h"
#include "core/Strings.h"

namespace nsdf::core {

void Diagnostics::error(const SourceMark& mark, const std::string& path,
                        const std::string& message, const std::string& context) {
  std::string m = mark.str() + ": error: ";
  if (!path.empty()) m += path + ": ";
  m += message;
  if (!context.empty()) m += "\n  " + context;
  messages_.push_back(std::move(m));
}

void Diagnostics::error(const ConfigNode& at, const std::string& message) {
  error(at.mark(), at.path(), message, at.context());
}

void Diagnostics::error_at_key(const ConfigNode& at, const std::string& message) {
  error(at.key_mark(), at.path(), message, at.context());
}

std::string Diagnostics::str() const { return join(messages_, "\n"); }

void Diagnostics::throw_if_any() const {
  if (!messages_.empty()) throw ConfigError(str());
}

std::string Diagnostics::component_context(const std::string& family, const std::string& type,
                                           const ConfigNode& map) {
  return "in " + family + " '" + type + "' (" + map.mark().str() + ")";
}

namespace {

void report(const ConfigNode& node, Diagnostics& diag) {
  if (!node.is_map()) return;
  for (const auto& [key, value] : node.entries()) {
    if (!value.was_read()) {
      if (value.created_by_override()) {
        diag.error(value.key_mark(), value.path(),
                   "no such key to override" + did_you_mean(key, node.expected_keys()) +
                       "; write +" + value.path() + "=... to add a new key",
                   node.context());
      } else {
        diag.error(value.key_mark(), value.path(),
                   "unknown key" + did_you_mean(key, node.expected_keys()), node.context());
      }
      continue;
    }
    report(value, diag);
  }
}

}  // namespace

void report_unread_keys(const ConfigNode& root, Diagnostics& diag) { report(root, diag); }

}  // namespace nsdf::core
