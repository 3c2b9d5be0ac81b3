#pragma once
// One typed registry per component family (dataset, model, latent, loss, evaluator, optimizer,
// schedule, experiment). A component is registered explicitly, by name, from a
// register_builtin_*() function or a user's own code; a duplicate name is an error. Building
// from config is two-phase: parse() validates a `{type: name, ...}` map into a Spec (every error
// collected, nothing constructed), then Spec::build(args...) constructs the component from its
// typed options. Tests construct components from Options directly, without YAML.
// parse_component() reads a required component section of a config (`loss: {type: ...}`).

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "core/ConfigNode.h"
#include "core/Diagnostics.h"
#include "core/Error.h"
#include "core/Options.h"
#include "core/Strings.h"

namespace nsdf::core {

/// What `nsdf list` shows of one registered component.
struct ComponentInfo {
  std::string family;
  std::string name;
  std::string doc;
  std::vector<OptionInfo> options;
  /// A small working config (YAML flow map without `type`), for tests and docs: a component
  /// whose defaults need files or are heavy declares `static constexpr const char* kExample`.
  std::string example = "{}";
};

namespace detail {
template <class T, class = void>
struct ExampleOf {
  static const char* get() { return "{}"; }
};
template <class T>
struct ExampleOf<T, std::void_t<decltype(T::kExample)>> {
  static const char* get() { return T::kExample; }
};
}  // namespace detail

/// Type-erased view of a registry, for listing.
class RegistryBase {
 public:
  virtual ~RegistryBase() = default;
  virtual const std::string& family() const = 0;
  virtual std::vector<std::string> names() const = 0;
  virtual ComponentInfo info(const std::string& name) const = 0;
};

template <class Base, class... Args>
class Registry : public RegistryBase {
 public:
  using Ptr = std::shared_ptr<Base>;

  /// A validated component description: its resolved config (type + every option) and a
  /// builder holding the parsed options. Empty (false) when the config had errors.
  struct Spec {
    std::string type;
    ConfigNode resolved;
    std::function<Ptr(Args...)> build;
    explicit operator bool() const { return static_cast<bool>(build); }
  };

  explicit Registry(std::string family) : family_(std::move(family)) {}

  /// Registers T under `name`: T::Options (with a static declare()), T::kDoc, and a
  /// constructor T(const T::Options&, Args...).
  template <class T>
  void add(const std::string& name) {
    using Options = typename T::Options;
    add<Options>(name, T::kDoc, [](const Options& o, Args... args) -> Ptr {
      return std::make_shared<T>(o, std::forward<Args>(args)...);
    });
    entries_.at(name).info.example = detail::ExampleOf<T>::get();
  }

  /// Registers a factory for components that are not constructed from Options directly.
  template <class Options>
  void add(const std::string& name, std::string doc,
           std::function<Ptr(const Options&, Args...)> make) {
    NSDF_CHECK(!entries_.count(name), ConfigError,
               "{} '{}' is registered twice: component names must be unique per family",
               family_, name);
    Entry e;
    e.info = ComponentInfo{family_, name, std::move(doc), option_set<Options>().info()};
    e.parse = [name, make, family = family_](const ConfigNode& map, Diagnostics& diag) {
      map.set_context(Diagnostics::component_context(family, name, map));
      const size_t errors_before = diag.size();
      Options options = option_set<Options>().parse(map, diag);
      Spec spec;
      spec.type = name;
      spec.resolved = ConfigNode::map();
      spec.resolved.set("type", ConfigNode::scalar(name));
      option_set<Options>().write(options, spec.resolved);
      if (diag.size() == errors_before) {
        spec.build = [make, options](Args... args) {
          return make(options, std::forward<Args>(args)...);
        };
      }
      return spec;
    };
    entries_.emplace(name, std::move(e));
  }

  /// Validates a component map `{type: name, ...}`; errors go to `diag`.
  Spec parse(const ConfigNode& map, Diagnostics& diag) const {
    if (!map.is_map()) {
      diag.error(map, "expected a map with a 'type' key naming a " + family_ + ", got " +
                          map.kind_name());
      map.mark_subtree_read();
      return {};
    }
    map.expect_keys({"type"});
    const ConfigNode type = map.get("type");
    if (!type) {
      diag.error(map.mark(), map.path().empty() ? "type" : map.path() + ".type",
                 "missing 'type' (valid " + family_ + " types: " + join(names(), ", ") + ")");
      map.mark_subtree_read();
      return {};
    }
    const std::string name = type.is_scalar() ? type.as_scalar() : std::string();
    auto it = entries_.find(name);
    if (it == entries_.end()) {
      diag.error(type, "unknown " + family_ + " '" + name + "'" + did_you_mean(name, names()) +
                           "; valid: " + join(names(), ", "));
      map.mark_subtree_read();
      return {};
    }
    drop_keys_of_replaced_type(map, type, it->second.info);
    return it->second.parse(map, diag);
  }

  /// parse() + report unknown keys + throw ConfigError on any problem + build.
  Ptr create(const ConfigNode& map, Args... args) const {
    Diagnostics diag;
    Spec spec = parse(map, diag);
    report_unread_keys(map, diag);
    diag.throw_if_any();
    return spec.build(std::forward<Args>(args)...);
  }

  bool contains(const std::string& name) const { return entries_.count(name) > 0; }
  const std::string& family() const override { return family_; }
  std::vector<std::string> names() const override {
    std::vector<std::string> out;
    for (const auto& [name, e] : entries_) out.push_back(name);
    return out;
  }
  ComponentInfo info(const std::string& name) const override {
    auto it = entries_.find(name);
    NSDF_CHECK(it != entries_.end(), UsageError, "unknown {} '{}'{}; valid: {}", family_, name,
               did_you_mean(name, names()), join(names(), ", "));
    return it->second.info;
  }

 private:
  struct Entry {
    ComponentInfo info;
    std::function<Spec(const ConfigNode&, Diagnostics&)> parse;
  };

  /// Switching a component's type on the command line (`data.type=sdf_samples` over a file's
  /// `type: deepsdf`) drops the keys the files set that the new type does not declare, as
  /// Hydra's config groups do; keys written on the command line are kept (and stay errors
  /// when the new type does not declare them).
  static void drop_keys_of_replaced_type(const ConfigNode& map, const ConfigNode& type,
                                         const ComponentInfo& info) {
    if (type.mark().file != "<command line>" || type.history().empty()) return;
    std::vector<std::string> declared;
    for (const auto& o : info.options) declared.push_back(o.name.substr(0, o.name.find('.')));
    std::vector<std::string> dropped;
    for (const auto& [key, value] : map.entries()) {
      if (key == "type" || value.mark().file == "<command line>") continue;
      if (std::find(declared.begin(), declared.end(), key) == declared.end())
        dropped.push_back(key);
    }
    ConfigNode editable = map;
    for (const auto& key : dropped) editable.erase(key);
  }

  std::string family_;
  std::map<std::string, Entry> entries_;
};

/// The section `key` of the map `parent`, marked read; when absent, a missing node and the
/// error "<key>: missing required section (<description>)" at the parent.
inline ConfigNode require_section(const ConfigNode& parent, const std::string& key,
                                  const std::string& description, Diagnostics& diag) {
  parent.expect_keys({key});
  ConfigNode node = parent.get(key);
  if (!node) {
    diag.error(parent.mark(), parent.path().empty() ? key : parent.path() + "." + key,
               "missing required section (" + description + ")", parent.context());
  }
  return node;
}

/// Parses the required component section `key` of `parent` with `registry`: "missing required
/// section (a <family>: <names>)" when absent. The Spec is empty when there were errors.
template <class R>
typename R::Spec parse_component(const ConfigNode& parent, const std::string& key,
                                 const R& registry, Diagnostics& diag) {
  const std::string& family = registry.family();
  const bool vowel = !family.empty() && std::string("aeiou").find(family[0]) != std::string::npos;
  const ConfigNode node = require_section(
      parent, key, (vowel ? "an " : "a ") + family + ": " + join(registry.names(), ", "), diag);
  if (!node) return {};
  return registry.parse(node, diag);
}

}  // namespace nsdf::core
