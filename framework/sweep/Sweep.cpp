#include "sweep/Sweep.h"

#include <fmt/format.h>

#include <cmath>
#include <map>
#include <random>
#include <set>

namespace nsdf::sweep {

void RandomSearchOptions::declare(core::OptionSet<RandomSearchOptions>& s) {
  using O = RandomSearchOptions;
  s.add("count", &O::count, "random samples (0: no random axes)").non_negative();
  s.add("seed", &O::seed, "seed of the samples: the same seed gives the same runs")
      .non_negative();
  s.add("axes", &O::axes,
        "dotted key -> {uniform: [a, b]} | {log_uniform: [a, b]} (a > 0) | {int_uniform: [a, "
        "b]} (both ends included) | {choice: [v1, v2, ...]}");
}

void SweepOptions::declare(core::OptionSet<SweepOptions>& s) {
  using O = SweepOptions;
  s.add("base", &O::base, "the config every run starts from (relative to the sweep file)")
      .required();
  s.add("name", &O::name, "the sweep's name (default: the sweep file's name)");
  s.add("output", &O::output,
        "the sweep folder, relative to the working directory (default: runs/sweeps/<name>)");
  s.add("overrides", &O::overrides, "key=value overrides of every run");
  s.add("grid", &O::grid, "dotted key -> list of values: every combination");
  s.add("zip", &O::zip, "dotted key -> list of values, all lists as long: taken side by side");
  s.section("random", &O::random, "random search");
  s.add("seeds", &O::seeds, "repeat every run with seed = 0 .. seeds - 1 (0: no repeats)")
      .non_negative();
}

namespace {

// A run under construction: axis values so far.
using Values = std::vector<std::pair<std::string, std::string>>;

std::vector<Values> product(const std::vector<Values>& a, const std::vector<Values>& b) {
  if (b.empty()) return a;
  std::vector<Values> out;
  for (const auto& x : a)
    for (const auto& y : b) {
      Values v = x;
      v.insert(v.end(), y.begin(), y.end());
      out.push_back(std::move(v));
    }
  return out;
}

// The list under an axis key; errors when it is not a non-empty list.
const std::vector<core::ConfigNode>* axis_list(const std::pair<std::string, core::ConfigNode>& axis,
                                               const char* part, core::Diagnostics& diag) {
  const core::ConfigNode& node = axis.second;
  if (!node.is_sequence() || node.items().empty()) {
    diag.error(node, fmt::format("{}: the values of '{}' must be a non-empty list, got {}", part,
                                 axis.first, node.kind_name()));
    return nullptr;
  }
  return &node.items();
}

std::string number_text(double v) { return fmt::format("{:.6g}", v); }

// 53 random bits as a double in [0, 1): the same on every platform (std distributions are not).
double unit(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

}  // namespace

std::vector<SweepRun> expand(const SweepOptions& o, core::Diagnostics& diag) {
  std::vector<Values> runs = {Values{}};
  // Grid: the product, the last key varying fastest.
  for (const auto& axis : o.grid.entries) {
    const auto* list = axis_list(axis, "grid", diag);
    if (!list) continue;
    std::vector<Values> options;
    for (const auto& v : *list) options.push_back({{axis.first, v.to_flow()}});
    runs = product(runs, options);
  }
  // Zip: the i-th value of every list together.
  if (!o.zip.empty()) {
    std::size_t length = 0;
    std::vector<Values> zipped;
    for (const auto& axis : o.zip.entries) {
      const auto* list = axis_list(axis, "zip", diag);
      if (!list) continue;
      if (length == 0) {
        length = list->size();
        zipped.assign(length, {});
      } else if (list->size() != length) {
        diag.error(axis.second,
                   fmt::format("zip: '{}' has {} values, '{}' has {}: zipped lists must be as "
                               "long",
                               axis.first, list->size(), o.zip.entries.front().first, length));
        continue;
      }
      for (std::size_t i = 0; i < length; ++i)
        zipped[i].emplace_back(axis.first, (*list)[i].to_flow());
    }
    runs = product(runs, zipped);
  }
  // Random: count samples, each drawing every axis.
  if (o.random.count > 0 || !o.random.axes.empty()) {
    if (o.random.count == 0 || o.random.axes.empty())
      diag.error(core::SourceMark{}, "random",
                 "random search needs both count > 0 and at least one axis");
    std::mt19937_64 rng(static_cast<uint64_t>(o.random.seed));
    std::vector<Values> samples(static_cast<std::size_t>(o.random.count));
    for (auto& sample : samples)
      for (const auto& [key, spec] : o.random.axes.entries) {
        const std::vector<std::string> kinds = {"uniform", "log_uniform", "int_uniform", "choice"};
        if (!spec.is_map() || spec.entries().size() != 1 ||
            std::find(kinds.begin(), kinds.end(), spec.entries()[0].first) == kinds.end()) {
          diag.error(spec, fmt::format("random.axes.{}: expected one of {{uniform: [a, b]}}, "
                                       "{{log_uniform: [a, b]}}, {{int_uniform: [a, b]}}, "
                                       "{{choice: [...]}}",
                                       key));
          return {};
        }
        const auto& [kind, args] = spec.entries()[0];
        if (kind == "choice") {
          if (!args.is_sequence() || args.items().empty()) {
            diag.error(args, fmt::format("random.axes.{}.choice: expected a non-empty list", key));
            return {};
          }
          const auto k = static_cast<std::size_t>(unit(rng) * static_cast<double>(args.items().size()));
          sample.emplace_back(key, args.items()[std::min(k, args.items().size() - 1)].to_flow());
          continue;
        }
        double a = 0, b = 0;
        const bool two = args.is_sequence() && args.items().size() == 2 &&
                         args.items()[0].is_scalar() && args.items()[1].is_scalar();
        try {
          if (two) {
            a = std::stod(args.items()[0].as_scalar());
            b = std::stod(args.items()[1].as_scalar());
          }
        } catch (const std::exception&) {
          a = b = std::nan("");
        }
        if (!two || !std::isfinite(a) || !std::isfinite(b) || b < a ||
            (kind == "log_uniform" && a <= 0)) {
          diag.error(args, fmt::format("random.axes.{}.{}: expected [a, b] with a <= b{}", key,
                                       kind, kind == "log_uniform" ? " and a > 0" : ""));
          return {};
        }
        const double u = unit(rng);
        std::string text;
        if (kind == "uniform") text = number_text(a + u * (b - a));
        if (kind == "log_uniform")
          text = number_text(std::exp(std::log(a) + u * (std::log(b) - std::log(a))));
        if (kind == "int_uniform")
          text = fmt::format("{}", static_cast<int64_t>(std::floor(a + u * (b - a + 1))));
        sample.emplace_back(key, text);
      }
    runs = product(runs, samples);
  }
  if (o.seeds > 0) {
    std::vector<Values> seeds;
    for (int64_t s = 0; s < o.seeds; ++s) seeds.push_back({{"seed", std::to_string(s)}});
    runs = product(runs, seeds);
  }

  std::vector<SweepRun> out;
  for (auto& values : runs) {
    SweepRun run;
    run.overrides = o.overrides;
    for (const auto& [k, v] : values) run.overrides.push_back(k + "=" + v);
    run.values = std::move(values);
    out.push_back(std::move(run));
  }
  name_runs(out);
  return out;
}

void name_runs(std::vector<SweepRun>& runs) {
  // Keys whose last part is shared by another key are named in full.
  std::map<std::string, std::set<std::string>> keys_of_last;
  for (const auto& r : runs)
    for (const auto& [k, v] : r.values) keys_of_last[k.substr(k.rfind('.') + 1)].insert(k);
  const auto clean = [](const std::string& text, bool value) {
    std::string out;
    for (char c : text) {
      if (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '+' || c == '-')
        out += c;
      else if (value && c == ',')
        out += 'x';
      else if (!value && c == '_')
        out += c;
    }
    return out;
  };
  std::map<std::string, int> used;
  for (auto& r : runs) {
    std::string name;
    for (const auto& [k, v] : r.values) {
      const std::string last = k.substr(k.rfind('.') + 1);
      const std::string label = keys_of_last[last].size() > 1 ? k : last;
      name += (name.empty() ? "" : "_") + clean(label, false) + "-" + clean(v, true);
    }
    if (name.empty()) name = "run";
    if (name.size() > 120) name = name.substr(0, 120);
    const int n = ++used[name];
    r.name = n == 1 ? name : fmt::format("{}-{}", name, n);
  }
}

}  // namespace nsdf::sweep
