#include "core/ConfigLoader.h"

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "core/Error.h"
#include "core/Strings.h"

namespace nsdf::core {

namespace fs = std::filesystem;

namespace {

constexpr const char* kCommandLine = "<command line>";

SourceMark to_mark(const YAML::Mark& m, const std::string& file) {
  if (m.is_null()) return {file, 0, 0};
  return {file, m.line + 1, m.column + 1};
}

ConfigNode convert(const YAML::Node& y, const std::string& file) {
  const SourceMark mark = to_mark(y.Mark(), file);
  switch (y.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return ConfigNode::null(mark);
    case YAML::NodeType::Scalar:
      return ConfigNode::scalar(y.Scalar(), mark);
    case YAML::NodeType::Sequence: {
      ConfigNode seq = ConfigNode::sequence(mark);
      for (const auto& item : y) seq.push_back(convert(item, file));
      return seq;
    }
    case YAML::NodeType::Map: {
      ConfigNode map = ConfigNode::map(mark);
      for (const auto& kv : y) {
        const SourceMark key_mark = to_mark(kv.first.Mark(), file);
        if (!kv.first.IsScalar())
          throw ConfigError(key_mark.str() + ": error: map keys must be plain names");
        const std::string key = kv.first.Scalar();
        if (map.has(key)) {
          throw ConfigError(fmt::format("{}: error: {}: duplicate key (first at {})",
                                        key_mark.str(), key, map.peek(key).key_mark().str()));
        }
        map.set(key, convert(kv.second, file), key_mark);
      }
      return map;
    }
  }
  return ConfigNode::null(mark);
}

std::string display_path(const fs::path& p) { return p.lexically_normal().generic_string(); }

ConfigNode load_recursive(const fs::path& path, std::vector<std::string>& stack) {
  const std::string shown = display_path(path);
  std::error_code ec;
  const std::string canonical = fs::weakly_canonical(path, ec).string();
  for (const auto& s : stack) {
    if (s == canonical) {
      throw ConfigError(fmt::format("{}: error: `defaults:` cycle: {} includes itself", shown,
                                    shown));
    }
  }
  ConfigNode node = read_yaml_file(path.string());
  if (node.is_null()) node = ConfigNode::map({shown, 1, 1});
  if (!node.is_map()) {
    throw ConfigError(fmt::format("{}: error: a config file must be a map of keys, got {}",
                                  node.mark().str(), node.kind_name()));
  }
  ConfigNode defaults = node.peek("defaults");
  node.erase("defaults");
  if (!defaults) return node;

  std::vector<ConfigNode> files;
  if (defaults.is_scalar()) {
    files.push_back(defaults);
  } else if (defaults.is_sequence()) {
    files = defaults.items();
  } else if (!defaults.is_null()) {
    throw ConfigError(fmt::format("{}: error: defaults: expected a list of config files, got {}",
                                  defaults.mark().str(), defaults.kind_name()));
  }
  stack.push_back(canonical);
  ConfigNode merged = ConfigNode::map({shown, 1, 1});
  for (const auto& f : files) {
    if (!f.is_scalar()) {
      throw ConfigError(fmt::format("{}: error: defaults: expected a file name, got {}",
                                    f.mark().str(), f.kind_name()));
    }
    const fs::path base = path.parent_path() / f.as_scalar();
    if (!fs::exists(base)) {
      throw ConfigError(fmt::format("{}: error: defaults: no such file '{}' (resolved against {})",
                                    f.mark().str(), display_path(base),
                                    display_path(path.parent_path().empty()
                                                     ? fs::path(".")
                                                     : path.parent_path())));
    }
    merge_into(merged, load_recursive(base, stack));
  }
  stack.pop_back();
  merge_into(merged, node);
  return merged;
}

// Splits "a.b.c" into its parts; rejects empty parts.
std::vector<std::string> split_key(const std::string& key, const std::string& arg) {
  std::vector<std::string> parts;
  std::string cur;
  for (char c : key) {
    if (c == '.') {
      parts.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  parts.push_back(cur);
  for (const auto& p : parts) {
    if (p.empty()) {
      throw ConfigError(
          fmt::format("{}: error: override '{}': malformed key '{}'", kCommandLine, arg, key));
    }
  }
  return parts;
}

}  // namespace

ConfigNode parse_yaml(const std::string& text, const std::string& file) {
  YAML::Node y;
  try {
    y = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw ConfigError(
        fmt::format("{}: error: invalid YAML: {}", to_mark(e.mark, file).str(), e.msg));
  }
  return convert(y, file);
}

ConfigNode read_yaml_file(const std::string& path) {
  const std::string shown = display_path(path);
  // An ifstream opens a folder and reads nothing, which would pass for an empty config.
  std::error_code ec;
  NSDF_CHECK(!fs::is_directory(path, ec), IoError, "{}: is a folder, not a config file", shown);
  if (!fs::exists(path)) throw ConfigError(fmt::format("{}: error: no such config file", shown));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError(fmt::format("{}: error: cannot open for reading", shown));
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_yaml(ss.str(), shown);
}

void merge_into(ConfigNode& base, const ConfigNode& top) {
  for (const auto& [key, value] : top.entries()) {
    ConfigNode existing = base.peek(key);
    if (existing && existing.is_map() && value.is_map()) {
      merge_into(existing, value);
    } else {
      base.set(key, value.clone(), value.key_mark());
    }
  }
}

ConfigNode load_config(const std::string& path) {
  std::vector<std::string> stack;
  ConfigNode root = load_recursive(fs::path(path), stack);
  root.assign_paths("");
  return root;
}

void apply_overrides(ConfigNode& root, const std::vector<std::string>& overrides) {
  for (size_t i = 0; i < overrides.size(); ++i) {
    const std::string& arg = overrides[i];
    const auto eq = arg.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw ConfigError(fmt::format("{}: error: override '{}': expected key=value", kCommandLine,
                                    arg));
    }
    const bool add = arg[0] == '+';
    const std::string key = arg.substr(add ? 1 : 0, eq - (add ? 1 : 0));
    const std::vector<std::string> parts = split_key(key, arg);
    const int line = static_cast<int>(i) + 1;
    const SourceMark key_mark{kCommandLine, line, add ? 2 : 1};
    const SourceMark value_mark{kCommandLine, line, static_cast<int>(eq) + 2};

    ConfigNode value;
    try {
      value = parse_yaml(arg.substr(eq + 1), kCommandLine);
    } catch (const ConfigError&) {
      throw ConfigError(fmt::format("{}: error: {}: value '{}' is not valid YAML",
                                    value_mark.str(), key, arg.substr(eq + 1)));
    }
    // Marks of the parsed value point into the argument: re-anchor them on the command line.
    struct Reanchor {
      SourceMark at;
      ConfigNode operator()(const ConfigNode& n) const {
        ConfigNode out;
        switch (n.kind()) {
          case ConfigNode::Kind::Null: return ConfigNode::null(at);
          case ConfigNode::Kind::Scalar: return ConfigNode::scalar(n.as_scalar(), at);
          case ConfigNode::Kind::Sequence:
            out = ConfigNode::sequence(at);
            for (const auto& item : n.items()) out.push_back((*this)(item));
            return out;
          case ConfigNode::Kind::Map:
            out = ConfigNode::map(at);
            for (const auto& [k, v] : n.entries()) out.set(k, (*this)(v), at);
            return out;
        }
        return out;
      }
    };
    value = Reanchor{value_mark}(value);

    ConfigNode cur = root;
    std::string walked;
    for (size_t p = 0; p + 1 < parts.size(); ++p) {
      walked += (p ? "." : "") + parts[p];
      ConfigNode next = cur.peek(parts[p]);
      if (!next) {
        if (!add) {
          throw ConfigError(fmt::format(
              "{}: error: {}: no such section to override{}; write +{}=... to add it",
              key_mark.str(), walked, did_you_mean(parts[p], cur.keys()), key));
        }
        cur.set(parts[p], ConfigNode::map(key_mark), key_mark);
        next = cur.peek(parts[p]);
      } else if (!next.is_map()) {
        throw ConfigError(fmt::format("{}: error: {}: is {} ({}), not a map with key '{}'",
                                      key_mark.str(), walked, next.kind_name(),
                                      next.mark().str(), parts[p + 1]));
      }
      cur = next;
    }
    const bool existed = cur.has(parts.back());
    cur.set(parts.back(), value, key_mark);
    if (!existed && !add) cur.peek(parts.back()).set_created_by_override(true);
  }
}

ConfigNode load_config(const std::string& path, const std::vector<std::string>& overrides) {
  ConfigNode root = load_config(path);
  apply_overrides(root, overrides);
  return root;
}

std::string source_folder(const ConfigNode& node) {
  const std::string& file = node.mark().file;
  if (file.empty() || file == kCommandLine) return "";
  return fs::path(file).parent_path().generic_string();
}

}  // namespace nsdf::core
