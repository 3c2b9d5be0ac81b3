#pragma once
// Loading an experiment config: YAML files composed through `defaults:` (base files first,
// maps deep-merged, lists and scalars replaced), then command-line overrides `a.b.c=value`
// (the key must exist, or be declared by the component that reads it) and `+a.b.c=value`
// (adds a key). Relative paths in `defaults:` are resolved against the including file's
// folder; nothing ever changes the working directory.

#include <string>
#include <vector>

#include "core/ConfigNode.h"

namespace nsdf::core {

/// Parses YAML text into a ConfigNode; `file` is the name shown in messages.
/// Throws ConfigError with file:line:col for syntax errors and duplicate keys.
ConfigNode parse_yaml(const std::string& text, const std::string& file);

/// Reads a YAML file (no composition). Throws ConfigError when it does not exist, IoError when
/// it is a folder or cannot be read.
ConfigNode read_yaml_file(const std::string& path);

/// Deep-merges `top` into `base` (both maps): maps merge recursively, anything else in `top`
/// replaces. Replaced values are kept in the new value's history.
void merge_into(ConfigNode& base, const ConfigNode& top);

/// Loads `path` with its `defaults:` chain resolved (the key itself is removed).
ConfigNode load_config(const std::string& path);

/// Applies command-line overrides ("a.b=1", "+a.b=1") to `root`, in order.
void apply_overrides(ConfigNode& root, const std::vector<std::string>& overrides);

/// load_config + apply_overrides.
ConfigNode load_config(const std::string& path, const std::vector<std::string>& overrides);

/// The folder of the config file a node came from, for resolving relative paths
/// ("" for nodes from the command line: those resolve against the working directory).
std::string source_folder(const ConfigNode& node);

}  // namespace nsdf::core
