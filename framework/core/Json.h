#pragma once
// A minimal JSON object writer for metrics.jsonl and eval/metrics.json: ordered keys, numbers
// with full precision (non-finite numbers as null), escaped strings.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace nsdf::core {

class JsonObject {
 public:
  JsonObject& add(const std::string& key, double value);
  JsonObject& add(const std::string& key, int64_t value);
  JsonObject& add(const std::string& key, int value) { return add(key, int64_t{value}); }
  JsonObject& add(const std::string& key, const std::string& value);
  JsonObject& add(const std::string& key, const char* value) {
    return add(key, std::string(value));
  }
  JsonObject& add_raw(const std::string& key, std::string json);
  /// One line: {"a": 1, "b": "x"}.
  std::string str() const;
  /// Indented, one key a line.
  std::string pretty() const;

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

std::string json_escape(const std::string& s);

}  // namespace nsdf::core
