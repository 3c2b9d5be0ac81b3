#include "preprocessing/Split.h"

#include <fmt/format.h>

#include <map>
#include <memory>
#include <unordered_map>
#include <utility>

#include "core/ConfigLoader.h"
#include "core/ConfigNode.h"
#include "core/Error.h"
#include "core/Files.h"
#include "core/Json.h"

namespace nsdf::preprocessing {

namespace {

// "file:line:col" of a node; an empty document has no position of its own, so it is 1:1.
std::string where(const core::ConfigNode& node, const std::string& path) {
  const core::SourceMark& m = node.mark();
  return m.line > 0 ? m.str() : path + ":1:1";
}

std::string key_where(const core::ConfigNode& node, const std::string& path) {
  const core::SourceMark& m = node.key_mark();
  return m.line > 0 ? m.str() : where(node, path);
}

// "line:col" for "first at ..." notes (the file is the same).
std::string line_col(const core::SourceMark& m) {
  return std::to_string(m.line) + ":" + std::to_string(m.column);
}

// " at 'ShapeNetV2/03001627'" (empty at the top level).
std::string at_keys(const std::vector<std::string>& keys) {
  if (keys.empty()) return "";
  std::string s;
  for (const auto& k : keys) s += (s.empty() ? "" : "/") + k;
  return " under '" + s + "'";
}

std::string got(const core::ConfigNode& node) {
  if (node.is_scalar()) return "the scalar '" + node.as_scalar() + "'";
  return node.kind_name();
}

// Walks the nested maps down to the lists of names, in file order.
class SplitReader {
 public:
  SplitReader(std::string path, int depth) : path_(std::move(path)), depth_(depth) {}

  std::vector<std::vector<std::string>> read(const core::ConfigNode& root) {
    if (!root.is_map()) {
      throw core::DataError(fmt::format(
          "{}: expected a split: a map of names to lists of names (or to maps of them), got {}",
          where(root, path_), got(root)));
    }
    walk(root);
    return std::move(entries_);
  }

 private:
  void walk(const core::ConfigNode& node) {
    const int level = static_cast<int>(keys_.size());  // keys above this node
    if (node.is_map()) {
      if (depth_ > 0 && level + 1 >= depth_) {
        throw core::DataError(fmt::format(
            "{}: expected a list of names{}, got a map: entries would have depth {} or more "
            "where {} is expected",
            where(node, path_), at_keys(keys_), level + 2, depth_));
      }
      for (const auto& [key, value] : node.entries()) {
        if (key.empty()) {
          throw core::DataError(fmt::format("{}: empty key{}: names must not be empty",
                                      key_where(value, path_), at_keys(keys_)));
        }
        keys_.push_back(key);
        walk(value);
        keys_.pop_back();
      }
      return;
    }
    if (!node.is_sequence()) {
      throw core::DataError(fmt::format("{}: expected a list of names or a map{}, got {}",
                                  where(node, path_), at_keys(keys_), got(node)));
    }
    const int depth = level + 1;
    if (depth_ > 0 && depth != depth_) {
      throw core::DataError(fmt::format(
          "{}: expected a map{}, got a list: its entries would have depth {} where {} is expected",
          where(node, path_), at_keys(keys_), depth, depth_));
    }
    if (depth_ <= 0) {
      if (first_list_.line == 0) {
        first_list_ = node.mark();
        first_depth_ = depth;
      } else if (depth != first_depth_) {
        throw core::DataError(fmt::format(
            "{}: a list of names{} at depth {}, but the list at {} has depth {} (all entries of "
            "a split have the same depth)",
            where(node, path_), at_keys(keys_), depth, line_col(first_list_), first_depth_));
      }
    }
    std::unordered_map<std::string, core::SourceMark> seen;
    for (const core::ConfigNode& item : node.items()) {
      if (!item.is_scalar()) {
        throw core::DataError(fmt::format("{}: expected a name{}, got {}", where(item, path_),
                                    at_keys(keys_), got(item)));
      }
      const std::string& name = item.as_scalar();
      if (name.empty()) {
        throw core::DataError(fmt::format("{}: empty name{}: names must not be empty",
                                    where(item, path_), at_keys(keys_)));
      }
      const auto [it, inserted] = seen.emplace(name, item.mark());
      if (!inserted) {
        throw core::DataError(fmt::format("{}: '{}'{} is listed twice (first at {})",
                                    where(item, path_), name, at_keys(keys_),
                                    line_col(it->second)));
      }
      std::vector<std::string> entry = keys_;
      entry.push_back(name);
      entries_.push_back(std::move(entry));
    }
  }

  std::string path_;
  int depth_;
  std::vector<std::string> keys_;
  std::vector<std::vector<std::string>> entries_;
  core::SourceMark first_list_;
  int first_depth_ = 0;
};

// The nested map that write_split prints: children in order of first appearance.
struct SplitTree {
  std::vector<std::pair<std::string, std::unique_ptr<SplitTree>>> children;
  std::unordered_map<std::string, size_t> index;
  std::vector<std::string> names;  // at the last level

  SplitTree& child(const std::string& key) {
    const auto [it, inserted] = index.emplace(key, children.size());
    if (inserted) children.emplace_back(key, std::make_unique<SplitTree>());
    return *children[it->second].second;
  }

  void print(std::string& out, int indent, int levels_left) const {
    const std::string pad(static_cast<size_t>(2 * (indent + 1)), ' ');
    const std::string close(static_cast<size_t>(2 * indent), ' ');
    if (levels_left == 0) {
      if (names.empty()) {
        out += "[]";
        return;
      }
      out += "[\n";
      for (size_t i = 0; i < names.size(); ++i) {
        out += pad + core::json_escape(names[i]) + (i + 1 < names.size() ? ",\n" : "\n");
      }
      out += close + "]";
      return;
    }
    if (children.empty()) {
      out += "{}";
      return;
    }
    out += "{\n";
    for (size_t i = 0; i < children.size(); ++i) {
      out += pad + core::json_escape(children[i].first) + ": ";
      children[i].second->print(out, indent + 1, levels_left - 1);
      out += i + 1 < children.size() ? ",\n" : "\n";
    }
    out += close + "}";
  }
};

std::string join_entry(const std::vector<std::string>& entry) {
  std::string s;
  for (const auto& k : entry) s += (s.empty() ? "" : "/") + k;
  return s;
}

}  // namespace

std::vector<std::vector<std::string>> read_split(const std::string& path, int depth) {
  const std::string text = core::read_file(path);  // IoError naming the file
  core::ConfigNode root;
  try {
    root = core::parse_yaml(text, path);
  } catch (const core::ConfigError& e) {
    // Syntax errors and duplicate keys: the same "file:line:col: ..." message, as a data error.
    std::string msg = e.what();
    const auto pos = msg.find(": error: ");
    if (pos != std::string::npos) msg.erase(pos, 7);  // keep one ": "
    throw core::DataError(msg);
  }
  return SplitReader(path, depth).read(root);
}

void write_split(const std::string& path, const std::vector<std::vector<std::string>>& entries) {
  SplitTree tree;
  const size_t depth = entries.empty() ? 2 : entries.front().size();
  std::map<std::vector<std::string>, size_t> seen;
  for (size_t i = 0; i < entries.size(); ++i) {
    const auto& entry = entries[i];
    NSDF_CHECK(entry.size() >= 2 && entry.size() == depth, core::DataError,
               "{}: cannot write split entry {} ('{}'): it has {} components, expected {} (all "
               "entries of a split have the same depth, at least 2)",
               path, i, join_entry(entry), entry.size(), std::max<size_t>(depth, 2));
    for (const auto& k : entry) {
      NSDF_CHECK(!k.empty(), core::DataError,
                 "{}: cannot write split entry {} ('{}'): a component is empty", path, i,
                 join_entry(entry));
    }
    const auto [it, inserted] = seen.emplace(entry, i);
    NSDF_CHECK(inserted, core::DataError,
               "{}: cannot write split: entry '{}' is listed twice (entries {} and {})", path,
               join_entry(entry), it->second, i);
    SplitTree* node = &tree;
    for (size_t k = 0; k + 1 < entry.size(); ++k) node = &node->child(entry[k]);
    node->names.push_back(entry.back());
  }
  std::string out;
  tree.print(out, 0, static_cast<int>(depth) - 1);
  out += "\n";
  core::write_file_atomic(path, out);
}

}  // namespace nsdf::preprocessing
