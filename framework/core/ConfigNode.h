#pragma once
// The config tree: what yaml-cpp parsed, converted once into a node type that remembers where
// each value came from (file, 1-based line:column, dotted key path), which keys were read, and
// which earlier values it replaced. Every config error and `nsdf config --explain` start here.

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace nsdf::core {

/// A position in a config source: a file, or "<command line>" for overrides.
struct SourceMark {
  std::string file;
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based
  /// "file:line:col" (or just "file" when the position is unknown).
  std::string str() const;
};

class ConfigNode {
 public:
  enum class Kind { Null, Scalar, Sequence, Map };
  using Entry = std::pair<std::string, ConfigNode>;

  /// A missing node: `operator bool` is false. Returned by get() for absent keys.
  ConfigNode() = default;

  static ConfigNode null(SourceMark mark = {});
  static ConfigNode scalar(std::string value, SourceMark mark = {});
  static ConfigNode sequence(SourceMark mark = {});
  static ConfigNode map(SourceMark mark = {});

  explicit operator bool() const { return static_cast<bool>(impl_); }
  Kind kind() const;
  bool is_null() const { return kind() == Kind::Null; }
  bool is_scalar() const { return kind() == Kind::Scalar; }
  bool is_sequence() const { return kind() == Kind::Sequence; }
  bool is_map() const { return kind() == Kind::Map; }
  /// "null", "a scalar", "a list", "a map": for messages.
  std::string kind_name() const;

  /// Where the value starts, and (for map values) where its key starts.
  const SourceMark& mark() const;
  const SourceMark& key_mark() const;
  /// Dotted key path from the root ("loss.delta"; list items as "dims[2]").
  const std::string& path() const;
  /// Earlier values this one replaced (composition, overrides), oldest first.
  const std::vector<SourceMark>& history() const;

  const std::string& as_scalar() const;  // the scalar's text
  const std::vector<ConfigNode>& items() const;
  const std::vector<Entry>& entries() const;

  /// The value under `key` of a map, marked as read; a missing node when absent.
  ConfigNode get(const std::string& key) const;
  /// Like get() but does not mark it read.
  ConfigNode peek(const std::string& key) const;
  bool has(const std::string& key) const { return static_cast<bool>(peek(key)); }
  std::vector<std::string> keys() const;

  /// Inserts or replaces `key` in a map (a replaced value's history is kept).
  void set(const std::string& key, ConfigNode value, SourceMark key_mark = {});
  /// Removes `key` from a map if present.
  void erase(const std::string& key);
  void push_back(ConfigNode item);

  /// Read tracking: every key no component reads is reported as unknown.
  void mark_read() const;
  /// Marks this node and everything below it read (a value consumed whole, or a section
  /// skipped after a fatal error, whose keys must not be reported as unknown).
  void mark_subtree_read() const;
  bool was_read() const;
  /// Names a reader expects in this map (for did-you-mean), and the component context
  /// ("in loss 'clamped_l1' (file:12:3)") shown under errors about this map's keys.
  void expect_keys(const std::vector<std::string>& names) const;
  const std::vector<std::string>& expected_keys() const;
  void set_context(std::string context) const;
  const std::string& context() const;
  /// Set when a command-line override created this key without '+'.
  void set_created_by_override(bool v);
  bool created_by_override() const;

  /// Deep copy with the same marks (read state is not copied).
  ConfigNode clone() const;
  /// Re-derives dotted paths below this node, this node having `path`.
  void assign_paths(const std::string& path);

  /// Plain YAML text (block style; lists of scalars in flow style).
  std::string to_yaml() const;
  /// One line of flow YAML ("[256, 256]", "{a: 1}", a scalar as is, quoted where YAML needs
  /// it): how a value is written in a command-line override.
  std::string to_flow() const;

 private:
  struct Impl;
  explicit ConfigNode(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  Impl& impl() const;
  std::shared_ptr<Impl> impl_;
};

}  // namespace nsdf::core
