#pragma once
// Options declared once. A component's options are a plain struct with defaults and a static
// `declare(OptionSet<Options>&)` that lists each option: name, member, doc, and checks. That one
// list parses a config map (type errors, range checks, missing required keys, with file:line:col),
// writes the resolved options back as a config map, and prints the `nsdf list` table.
//
//   struct ClampedL1Options {
//     double delta = 0.1;
//     static void declare(OptionSet<ClampedL1Options>& s) {
//       s.add("delta", &ClampedL1Options::delta, "clamp distance").positive();
//     }
//   };
//
// A nested section is a member that is itself such an options struct: declared with section(),
// parsing, writing and the table recurse into it (like Drake's YAML visitor), never by hand:
//
//   s.section("views", &PreprocessOptions::views, "view");  // `views: {count: 4, ...}`

#include <functional>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "core/ConfigNode.h"
#include "core/Diagnostics.h"

namespace nsdf::core {

/// A filesystem path option: relative values resolve against the folder of the config file
/// that set them (the working directory for command-line values). Written back absolute.
struct Path {
  std::string value;
  bool empty() const { return value.empty(); }
  const std::string& str() const { return value; }
  bool operator==(const Path& o) const { return value == o.value; }
};

/// A map whose keys the user chooses (dotted config keys of a sweep's axes), each value kept as
/// its config node (file:line:col included) for the reader to interpret.
struct KeyedValues {
  std::vector<std::pair<std::string, ConfigNode>> entries;
  bool empty() const { return entries.empty(); }
};

/// How values of one C++ type are read from and written to config nodes.
/// parse() returns "" on success or the message for the user ("expected an integer, got 'x'").
template <class T, class Enable = void>
struct OptionTraits;

#define NSDF_DECLARE_OPTION_TRAITS(T)                              \
  template <>                                                      \
  struct OptionTraits<T> {                                         \
    static const char* type_name();                                \
    static std::string parse(const ConfigNode& node, T& out);      \
    static ConfigNode write(const T& value);                       \
  }

NSDF_DECLARE_OPTION_TRAITS(bool);
NSDF_DECLARE_OPTION_TRAITS(int64_t);
NSDF_DECLARE_OPTION_TRAITS(double);
NSDF_DECLARE_OPTION_TRAITS(std::string);
NSDF_DECLARE_OPTION_TRAITS(Path);
NSDF_DECLARE_OPTION_TRAITS(std::vector<int64_t>);
NSDF_DECLARE_OPTION_TRAITS(std::vector<double>);
NSDF_DECLARE_OPTION_TRAITS(std::vector<std::string>);
NSDF_DECLARE_OPTION_TRAITS(std::vector<Path>);
NSDF_DECLARE_OPTION_TRAITS(KeyedValues);
#undef NSDF_DECLARE_OPTION_TRAITS

namespace detail {
std::string format_number(double v);
Path resolve_path(const ConfigNode& node, const Path& p);
std::string check_choice(const std::string& value, const std::vector<std::string>& choices);

template <class V, class Pred>
std::string check_each(const V& value, Pred pred, const char* what) {
  if constexpr (std::is_arithmetic_v<V>) {
    return pred(static_cast<double>(value))
               ? std::string()
               : std::string("must be ") + what + ", got " + format_number(value);
  } else {
    for (size_t i = 0; i < value.size(); ++i) {
      if (!pred(static_cast<double>(value[i]))) {
        return std::string("every element must be ") + what + ", got " +
               format_number(value[i]) + " at index " + std::to_string(i);
      }
    }
    return {};
  }
}
}  // namespace detail

template <class Options>
class OptionSet;

/// The OptionSet of an options struct, built once from its static declare().
template <class Options>
const OptionSet<Options>& option_set();

/// One option as `nsdf list` shows it.
struct OptionInfo {
  std::string name;
  std::string type;
  std::string default_value;  // YAML text; "(required)" when there is none
  std::string doc;
  std::string check;  // "> 0", "one of: a, b", ...
};

template <class Options>
class OptionSet {
 public:
  template <class V>
  class Field;

  /// Declares option `name` stored in `member` (of Options or of a base of it, so option groups
  /// can be shared). Returns the field to chain checks on.
  template <class V, class Owner>
  Field<V> add(std::string name, V Owner::*member, std::string doc) {
    static_assert(std::is_base_of_v<Owner, Options>, "member of another struct");
    auto f = std::make_shared<FieldImpl<V>>();
    f->name = std::move(name);
    f->doc = std::move(doc);
    f->member = static_cast<V Options::*>(member);
    fields_.push_back(f);
    return Field<V>(f.get());
  }

  /// Declares the nested section `name` stored in `member`, an options struct with its own
  /// declare(). Parsing recurses into the map under `name` (absent: the struct's defaults; not
  /// a map: "expected a map of <what> options, got ..."), writing gives a nested map, and
  /// info() lists its options as "name.option".
  template <class S, class Owner>
  void section(std::string name, S Owner::*member, std::string what) {
    static_assert(std::is_base_of_v<Owner, Options>, "member of another struct");
    auto f = std::make_shared<SectionImpl<S>>();
    f->name = std::move(name);
    f->doc = std::move(what);
    f->member = static_cast<S Options::*>(member);
    fields_.push_back(f);
  }

  /// A check over the whole struct (relations between options); returns "" or a message.
  void validate(std::function<std::string(const Options&)> check) {
    validators_.push_back(std::move(check));
  }

  /// Parses `map` into options (declared defaults for absent keys), recording every problem in
  /// `diag`. Marks read keys; unknown keys are left unread for report_unread_keys().
  Options parse(const ConfigNode& map, Diagnostics& diag) const {
    Options out;  // every option has a default member initializer
    parse(map, out, diag);
    return out;
  }

  /// Like parse(), into `out`, whose values stand for absent keys (a section's defaults are
  /// its member's value in the enclosing struct's defaults).
  void parse(const ConfigNode& map, Options& out, Diagnostics& diag) const {
    map.expect_keys(names());
    for (const auto& f : fields_) f->parse(map, out, diag);
    for (const auto& v : validators_) {
      const std::string msg = v(out);
      if (!msg.empty()) diag.error(map.mark(), map.path(), msg, map.context());
    }
  }

  /// Writes every option of `value` into `map` (adding or replacing keys).
  void write(const Options& value, ConfigNode& map) const {
    for (const auto& f : fields_) map.set(f->name, f->write(value));
  }

  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& f : fields_) out.push_back(f->name);
    return out;
  }

  std::vector<OptionInfo> info() const {
    Options defaults;  // (value-init of aggregates with bases trips a GCC 12 false warning)
    return info(defaults);
  }

  /// The table with the defaults taken from `defaults` (a section's defaults are its member's
  /// value in the enclosing struct's defaults).
  std::vector<OptionInfo> info(const Options& defaults) const {
    std::vector<OptionInfo> out;
    for (const auto& f : fields_) f->info(defaults, out);
    return out;
  }

 private:
  struct FieldBase {
    virtual ~FieldBase() = default;
    virtual void parse(const ConfigNode& map, Options& out, Diagnostics& diag) const = 0;
    virtual ConfigNode write(const Options& value) const = 0;
    virtual void info(const Options& defaults, std::vector<OptionInfo>& out) const = 0;
    std::string name;
    std::string doc;
    bool required = false;
  };

  template <class V>
  struct FieldImpl : FieldBase {
    V Options::*member = nullptr;
    std::vector<std::pair<std::function<std::string(const V&)>, std::string>> checks;

    void parse(const ConfigNode& map, Options& out, Diagnostics& diag) const override {
      const ConfigNode node = map.get(this->name);
      if (!node) {
        if (this->required) {
          const std::string path = map.path().empty() ? this->name : map.path() + "." + this->name;
          diag.error(map.mark(), path, "missing required key (" + this->doc + ")", map.context());
        }
        return;
      }
      node.mark_subtree_read();  // a value is consumed whole, even when malformed
      V value{};
      std::string msg = OptionTraits<V>::parse(node, value);
      if (msg.empty()) {
        if constexpr (std::is_same_v<V, Path>) value = detail::resolve_path(node, value);
        if constexpr (std::is_same_v<V, std::vector<Path>>)
          for (auto& p : value) p = detail::resolve_path(node, p);
        for (const auto& [check, desc] : checks) {
          msg = check(value);
          if (!msg.empty()) break;
        }
      }
      if (!msg.empty()) {
        diag.error(node.mark(), node.path(), msg, map.context());
        return;
      }
      out.*member = std::move(value);
    }

    ConfigNode write(const Options& value) const override {
      return OptionTraits<V>::write(value.*member);
    }

    void info(const Options& defaults, std::vector<OptionInfo>& out) const override {
      OptionInfo i;
      i.name = this->name;
      i.type = OptionTraits<V>::type_name();
      if (this->required) {
        i.default_value = "(required)";
      } else {
        std::string text = OptionTraits<V>::write(defaults.*member).to_yaml();
        while (!text.empty() && text.back() == '\n') text.pop_back();
        i.default_value = text;
      }
      i.doc = this->doc;
      for (const auto& c : checks) i.check += (i.check.empty() ? "" : "; ") + c.second;
      out.push_back(std::move(i));
    }
  };

  template <class S>
  struct SectionImpl : FieldBase {
    S Options::*member = nullptr;

    void parse(const ConfigNode& map, Options& out, Diagnostics& diag) const override {
      const ConfigNode node = map.get(this->name);
      if (!node) return;  // the member keeps its defaults
      if (!node.is_map()) {
        diag.error(node.mark(), node.path(),
                   "expected a map of " + this->doc + " options, got " + node.kind_name(),
                   map.context());
        node.mark_subtree_read();
        return;
      }
      // Errors about the section's keys carry the enclosing component's context line.
      if (node.context().empty()) node.set_context(map.context());
      option_set<S>().parse(node, out.*member, diag);
    }

    ConfigNode write(const Options& value) const override {
      ConfigNode map = ConfigNode::map();
      option_set<S>().write(value.*member, map);
      return map;
    }

    void info(const Options& defaults, std::vector<OptionInfo>& out) const override {
      for (OptionInfo i : option_set<S>().info(defaults.*member)) {
        i.name = this->name + "." + i.name;
        out.push_back(std::move(i));
      }
    }
  };

 public:
  /// Chainable checks on one declared option.
  template <class V>
  class Field {
   public:
    explicit Field(FieldImpl<V>* impl) : impl_(impl) {}
    /// The key must be present (no default).
    Field& required() {
      impl_->required = true;
      return *this;
    }
    /// A custom check: returns "" when the value is fine, else the message.
    Field& check(std::function<std::string(const V&)> fn, std::string description) {
      impl_->checks.emplace_back(std::move(fn), std::move(description));
      return *this;
    }
    Field& positive();      // > 0 (each element for lists)
    Field& non_negative();  // >= 0 (each element for lists)
    Field& range(double lo, double hi);  // in [lo, hi]
    Field& one_of(std::vector<std::string> choices);
    Field& non_empty();

   private:
    FieldImpl<V>* impl_;
  };

 private:
  std::vector<std::shared_ptr<FieldBase>> fields_;
  std::vector<std::function<std::string(const Options&)>> validators_;
};

template <class Options>
const OptionSet<Options>& option_set() {
  static const OptionSet<Options> set = [] {
    OptionSet<Options> s;
    Options::declare(s);
    return s;
  }();
  return set;
}

template <class Options>
template <class V>
auto OptionSet<Options>::Field<V>::positive() -> Field& {
  return check(
      [](const V& v) {
        return detail::check_each(
            v, [](double x) { return x > 0; }, "> 0");
      },
      "> 0");
}

template <class Options>
template <class V>
auto OptionSet<Options>::Field<V>::non_negative() -> Field& {
  return check(
      [](const V& v) { return detail::check_each(v, [](double x) { return x >= 0; }, ">= 0"); },
      ">= 0");
}

template <class Options>
template <class V>
auto OptionSet<Options>::Field<V>::range(double lo, double hi) -> Field& {
  const std::string desc =
      "in [" + detail::format_number(lo) + ", " + detail::format_number(hi) + "]";
  return check(
      [lo, hi, desc](const V& v) {
        return detail::check_each(v, [lo, hi](double x) { return x >= lo && x <= hi; },
                                  desc.c_str());
      },
      desc);
}

template <class Options>
template <class V>
auto OptionSet<Options>::Field<V>::one_of(std::vector<std::string> choices) -> Field& {
  std::string desc = "one of: ";
  for (size_t i = 0; i < choices.size(); ++i) desc += (i ? ", " : "") + choices[i];
  return check([choices](const V& v) { return detail::check_choice(v, choices); }, desc);
}

template <class Options>
template <class V>
auto OptionSet<Options>::Field<V>::non_empty() -> Field& {
  return check(
      [](const V& v) { return v.empty() ? std::string("must not be empty") : std::string(); },
      "not empty");
}

}  // namespace nsdf::core
