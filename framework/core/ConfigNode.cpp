#include "core/ConfigNode.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "core/Error.h"

namespace nsdf::core {

struct ConfigNode::Impl {
  Kind kind = Kind::Null;
  std::string scalar;
  std::vector<ConfigNode> items;
  std::vector<Entry> entries;
  SourceMark mark;
  SourceMark key_mark;
  std::string path;
  std::vector<SourceMark> history;
  bool created_by_override = false;
  mutable bool read = false;
  mutable std::vector<std::string> expected;
  mutable std::string context;
};

std::string SourceMark::str() const {
  if (line <= 0) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

ConfigNode ConfigNode::null(SourceMark mark) {
  auto impl = std::make_shared<Impl>();
  impl->mark = std::move(mark);
  return ConfigNode(impl);
}

ConfigNode ConfigNode::scalar(std::string value, SourceMark mark) {
  auto impl = std::make_shared<Impl>();
  impl->kind = Kind::Scalar;
  impl->scalar = std::move(value);
  impl->mark = std::move(mark);
  return ConfigNode(impl);
}

ConfigNode ConfigNode::sequence(SourceMark mark) {
  auto impl = std::make_shared<Impl>();
  impl->kind = Kind::Sequence;
  impl->mark = std::move(mark);
  return ConfigNode(impl);
}

ConfigNode ConfigNode::map(SourceMark mark) {
  auto impl = std::make_shared<Impl>();
  impl->kind = Kind::Map;
  impl->mark = std::move(mark);
  return ConfigNode(impl);
}

ConfigNode::Impl& ConfigNode::impl() const {
  NSDF_ASSERT(impl_, "use of a missing config node");
  return *impl_;
}

ConfigNode::Kind ConfigNode::kind() const { return impl().kind; }

std::string ConfigNode::kind_name() const {
  switch (kind()) {
    case Kind::Null: return "null";
    case Kind::Scalar: return "a scalar";
    case Kind::Sequence: return "a list";
    case Kind::Map: return "a map";
  }
  return "?";
}

const SourceMark& ConfigNode::mark() const { return impl().mark; }
const SourceMark& ConfigNode::key_mark() const {
  return impl().key_mark.file.empty() ? impl().mark : impl().key_mark;
}
const std::string& ConfigNode::path() const { return impl().path; }
const std::vector<SourceMark>& ConfigNode::history() const { return impl().history; }

const std::string& ConfigNode::as_scalar() const {
  NSDF_ASSERT(is_scalar(), "{} is not a scalar", path());
  return impl().scalar;
}
const std::vector<ConfigNode>& ConfigNode::items() const {
  NSDF_ASSERT(is_sequence(), "{} is not a list", path());
  return impl().items;
}
const std::vector<ConfigNode::Entry>& ConfigNode::entries() const {
  NSDF_ASSERT(is_map(), "{} is not a map", path());
  return impl().entries;
}

ConfigNode ConfigNode::peek(const std::string& key) const {
  if (!impl_ || !is_map()) return {};
  for (const auto& [k, v] : impl().entries)
    if (k == key) return v;
  return {};
}

ConfigNode ConfigNode::get(const std::string& key) const {
  ConfigNode v = peek(key);
  if (v) v.mark_read();
  return v;
}

std::vector<std::string> ConfigNode::keys() const {
  std::vector<std::string> out;
  for (const auto& e : entries()) out.push_back(e.first);
  return out;
}

void ConfigNode::set(const std::string& key, ConfigNode value, SourceMark key_mark) {
  NSDF_ASSERT(is_map(), "set() on a non-map node {}", path());
  NSDF_ASSERT(value, "set() of a missing node");
  if (!key_mark.file.empty()) value.impl().key_mark = std::move(key_mark);
  value.assign_paths(path().empty() ? key : path() + "." + key);
  for (auto& [k, v] : impl().entries) {
    if (k == key) {
      auto& h = value.impl().history;
      std::vector<SourceMark> old = v.history();
      old.push_back(v.mark());
      h.insert(h.begin(), old.begin(), old.end());
      v = value;
      return;
    }
  }
  impl().entries.emplace_back(key, value);
}

void ConfigNode::erase(const std::string& key) {
  auto& e = impl().entries;
  e.erase(std::remove_if(e.begin(), e.end(), [&](const Entry& x) { return x.first == key; }),
          e.end());
}

void ConfigNode::push_back(ConfigNode item) {
  NSDF_ASSERT(is_sequence(), "push_back() on a non-list node {}", path());
  item.assign_paths(path() + "[" + std::to_string(impl().items.size()) + "]");
  impl().items.push_back(std::move(item));
}

void ConfigNode::mark_read() const { impl().read = true; }
void ConfigNode::mark_subtree_read() const {
  impl().read = true;
  for (const auto& item : impl().items) item.mark_subtree_read();
  for (const auto& e : impl().entries) e.second.mark_subtree_read();
}
bool ConfigNode::was_read() const { return impl().read; }
void ConfigNode::expect_keys(const std::vector<std::string>& names) const {
  auto& e = impl().expected;
  for (const auto& n : names)
    if (std::find(e.begin(), e.end(), n) == e.end()) e.push_back(n);
}
const std::vector<std::string>& ConfigNode::expected_keys() const { return impl().expected; }
void ConfigNode::set_context(std::string context) const { impl().context = std::move(context); }
const std::string& ConfigNode::context() const { return impl().context; }
void ConfigNode::set_created_by_override(bool v) { impl().created_by_override = v; }
bool ConfigNode::created_by_override() const { return impl().created_by_override; }

ConfigNode ConfigNode::clone() const {
  auto impl = std::make_shared<Impl>();
  const Impl& src = this->impl();
  impl->kind = src.kind;
  impl->scalar = src.scalar;
  impl->mark = src.mark;
  impl->key_mark = src.key_mark;
  impl->path = src.path;
  impl->history = src.history;
  impl->created_by_override = src.created_by_override;
  for (const auto& item : src.items) impl->items.push_back(item.clone());
  for (const auto& [k, v] : src.entries) impl->entries.emplace_back(k, v.clone());
  return ConfigNode(impl);
}

void ConfigNode::assign_paths(const std::string& path) {
  impl().path = path;
  for (size_t i = 0; i < impl().items.size(); ++i)
    impl().items[i].assign_paths(path + "[" + std::to_string(i) + "]");
  for (auto& [k, v] : impl().entries) v.assign_paths(path.empty() ? k : path + "." + k);
}

namespace {

void emit(YAML::Emitter& out, const ConfigNode& node) {
  switch (node.kind()) {
    case ConfigNode::Kind::Null:
      out << YAML::Null;
      break;
    case ConfigNode::Kind::Scalar:
      out << node.as_scalar();
      break;
    case ConfigNode::Kind::Sequence: {
      const bool flat = std::all_of(node.items().begin(), node.items().end(),
                                    [](const ConfigNode& n) { return n.is_scalar(); });
      if (flat) out << YAML::Flow;
      out << YAML::BeginSeq;
      for (const auto& item : node.items()) emit(out, item);
      out << YAML::EndSeq;
      break;
    }
    case ConfigNode::Kind::Map:
      if (node.entries().empty()) out << YAML::Flow;
      out << YAML::BeginMap;
      for (const auto& [k, v] : node.entries()) {
        out << YAML::Key << k << YAML::Value;
        emit(out, v);
      }
      out << YAML::EndMap;
      break;
  }
}

}  // namespace

std::string ConfigNode::to_flow() const {
  YAML::Emitter out;
  out.SetSeqFormat(YAML::Flow);
  out.SetMapFormat(YAML::Flow);
  emit(out, *this);
  return out.c_str();
}

std::string ConfigNode::to_yaml() const {
  YAML::Emitter out;
  emit(out, *this);
  return std::string(out.c_str()) + "\n";
}

}  // namespace nsdf::core
