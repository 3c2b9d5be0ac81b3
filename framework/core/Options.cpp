#include "core/Options.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "core/ConfigLoader.h"
#include "core/Strings.h"

namespace nsdf::core {

namespace {

std::string got(const ConfigNode& node) {
  if (node.is_scalar()) return "'" + node.as_scalar() + "'";
  return node.kind_name();
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool parse_int(const std::string& text, int64_t& out) {
  const char* begin = text.data();
  const char* end = begin + text.size();
  if (begin != end && *begin == '+') ++begin;
  auto [ptr, ec] = std::from_chars(begin, end, out);
  return ec == std::errc() && ptr == end && begin != end;
}

bool parse_double(const std::string& text, double& out) {
  if (text.empty()) return false;
  const std::string l = lower(text);
  if (l == ".inf" || l == "+.inf" || l == "-.inf" || l == ".nan") return false;
  errno = 0;
  char* end = nullptr;
  out = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && errno == 0 && std::isfinite(out);
}

template <class T, class ParseOne>
std::string parse_list(const ConfigNode& node, std::vector<T>& out, const char* what,
                       ParseOne parse_one) {
  if (!node.is_sequence()) return std::string("expected a list of ") + what + ", got " + got(node);
  out.clear();
  for (size_t i = 0; i < node.items().size(); ++i) {
    const ConfigNode& item = node.items()[i];
    T v{};
    const std::string msg = parse_one(item, v);
    if (!msg.empty()) return msg + " at index " + std::to_string(i);
    out.push_back(v);
  }
  return {};
}

template <class T>
ConfigNode write_list(const std::vector<T>& values) {
  ConfigNode seq = ConfigNode::sequence();
  for (const auto& v : values) seq.push_back(OptionTraits<T>::write(v));
  return seq;
}

}  // namespace

namespace detail {

std::string format_number(double v) {
  if (std::floor(v) == v && std::abs(v) < 1e15) return fmt::format("{}", static_cast<int64_t>(v));
  return fmt::format("{}", v);
}

Path resolve_path(const ConfigNode& node, const Path& p) {
  namespace fs = std::filesystem;
  if (p.value.empty()) return p;
  fs::path path(p.value);
  if (path.is_relative()) {
    const std::string folder = source_folder(node);
    path = fs::absolute(folder.empty() ? path : fs::path(folder) / path);
  }
  return Path{path.lexically_normal().generic_string()};
}

std::string check_choice(const std::string& value, const std::vector<std::string>& choices) {
  if (std::find(choices.begin(), choices.end(), value) != choices.end()) return {};
  return "'" + value + "' is not one of: " + join(choices, ", ") + did_you_mean(value, choices);
}

}  // namespace detail

const char* OptionTraits<bool>::type_name() { return "bool"; }
std::string OptionTraits<bool>::parse(const ConfigNode& node, bool& out) {
  if (node.is_scalar()) {
    const std::string l = lower(node.as_scalar());
    if (l == "true" || l == "yes" || l == "on") return out = true, std::string();
    if (l == "false" || l == "no" || l == "off") return out = false, std::string();
  }
  return "expected true or false, got " + got(node);
}
ConfigNode OptionTraits<bool>::write(const bool& v) {
  return ConfigNode::scalar(v ? "true" : "false");
}

const char* OptionTraits<int64_t>::type_name() { return "int"; }
std::string OptionTraits<int64_t>::parse(const ConfigNode& node, int64_t& out) {
  if (node.is_scalar() && parse_int(node.as_scalar(), out)) return {};
  return "expected an integer, got " + got(node);
}
ConfigNode OptionTraits<int64_t>::write(const int64_t& v) {
  return ConfigNode::scalar(std::to_string(v));
}

const char* OptionTraits<double>::type_name() { return "float"; }
std::string OptionTraits<double>::parse(const ConfigNode& node, double& out) {
  if (node.is_scalar() && parse_double(node.as_scalar(), out)) return {};
  return "expected a number, got " + got(node);
}
ConfigNode OptionTraits<double>::write(const double& v) {
  // Shortest text that reads back to the same double; always with a '.' or exponent so the
  // value reads as a float in any YAML reader.
  std::string s = fmt::format("{}", v);
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return ConfigNode::scalar(s);
}

const char* OptionTraits<std::string>::type_name() { return "string"; }
std::string OptionTraits<std::string>::parse(const ConfigNode& node, std::string& out) {
  if (!node.is_scalar()) return "expected a string, got " + got(node);
  out = node.as_scalar();
  return {};
}
ConfigNode OptionTraits<std::string>::write(const std::string& v) { return ConfigNode::scalar(v); }

const char* OptionTraits<Path>::type_name() { return "path"; }
std::string OptionTraits<Path>::parse(const ConfigNode& node, Path& out) {
  if (!node.is_scalar()) return "expected a file path, got " + got(node);
  out.value = node.as_scalar();
  return {};
}
ConfigNode OptionTraits<Path>::write(const Path& v) { return ConfigNode::scalar(v.value); }

const char* OptionTraits<std::vector<int64_t>>::type_name() { return "list[int]"; }
std::string OptionTraits<std::vector<int64_t>>::parse(const ConfigNode& node,
                                                      std::vector<int64_t>& out) {
  return parse_list(node, out, "integers", OptionTraits<int64_t>::parse);
}
ConfigNode OptionTraits<std::vector<int64_t>>::write(const std::vector<int64_t>& v) {
  return write_list(v);
}

const char* OptionTraits<std::vector<double>>::type_name() { return "list[float]"; }
std::string OptionTraits<std::vector<double>>::parse(const ConfigNode& node,
                                                     std::vector<double>& out) {
  return parse_list(node, out, "numbers", OptionTraits<double>::parse);
}
ConfigNode OptionTraits<std::vector<double>>::write(const std::vector<double>& v) {
  return write_list(v);
}

const char* OptionTraits<std::vector<std::string>>::type_name() { return "list[string]"; }
std::string OptionTraits<std::vector<std::string>>::parse(const ConfigNode& node,
                                                          std::vector<std::string>& out) {
  return parse_list(node, out, "strings", OptionTraits<std::string>::parse);
}
ConfigNode OptionTraits<std::vector<std::string>>::write(const std::vector<std::string>& v) {
  return write_list(v);
}

const char* OptionTraits<std::vector<Path>>::type_name() { return "list[path]"; }
std::string OptionTraits<std::vector<Path>>::parse(const ConfigNode& node, std::vector<Path>& out) {
  return parse_list(node, out, "file paths", OptionTraits<Path>::parse);
}
ConfigNode OptionTraits<std::vector<Path>>::write(const std::vector<Path>& v) {
  return write_list(v);
}

const char* OptionTraits<KeyedValues>::type_name() { return "map"; }
std::string OptionTraits<KeyedValues>::parse(const ConfigNode& node, KeyedValues& out) {
  if (node.is_null()) {
    out.entries.clear();
    return {};
  }
  if (!node.is_map()) return "expected a map of keys to values, got " + node.kind_name();
  out.entries.clear();
  for (const auto& [key, value] : node.entries()) {
    value.mark_subtree_read();
    out.entries.emplace_back(key, value);
  }
  return {};
}
ConfigNode OptionTraits<KeyedValues>::write(const KeyedValues& v) {
  ConfigNode map = ConfigNode::map();
  for (const auto& [key, value] : v.entries) map.set(key, value.clone());
  return map;
}

}  // namespace nsdf::core
