// Nested option sections (OptionSet::section): parsing, defaults, errors with their context,
// the resolved config and the `nsdf list` names.

#include <gtest/gtest.h>

#include "core/ConfigLoader.h"
#include "core/Registry.h"
#include "support/TestFiles.h"

namespace nsdf::core {
namespace {

using test::TempDir;

struct BeamOptions {
  int64_t count = 2;
  double angle = 30.0;
  std::string color = "white";
  static void declare(OptionSet<BeamOptions>& s) {
    s.add("count", &BeamOptions::count, "beams").non_negative();
    s.add("angle", &BeamOptions::angle, "opening angle in degrees").range(1, 179);
    s.add("color", &BeamOptions::color, "light color").one_of({"white", "warm"});
    s.validate([](const BeamOptions& o) {
      return o.count == 0 && o.color != "white" ? std::string("a color needs a beam")
                                                : std::string();
    });
  }
};

struct LampOptions {
  double power = 1.0;
  BeamOptions beam = [] {
    BeamOptions b;
    b.count = 5;  // the enclosing struct's default differs from BeamOptions' own
    return b;
  }();
  bool dimmable = false;
  static void declare(OptionSet<LampOptions>& s) {
    s.add("power", &LampOptions::power, "watts").positive();
    s.section("beam", &LampOptions::beam, "beam");
    s.add("dimmable", &LampOptions::dimmable, "dimmable");
  }
};

class Lamp {
 public:
  using Options = LampOptions;
  static constexpr const char* kDoc = "A lamp.";
  explicit Lamp(const Options& o) : options(o) {}
  Options options;
};

using LampRegistry = Registry<Lamp>;

LampRegistry lamps() {
  LampRegistry r("lamp");
  r.add<Lamp>("desk");
  return r;
}

// The errors of parsing `yaml` (file a.yaml) with the lamp registry under key `lamp`.
std::string errors_of(const TempDir& dir, const std::string& yaml) {
  const LampRegistry r = lamps();
  const ConfigNode root = load_config(dir.write("a.yaml", yaml));
  Diagnostics diag;
  root.expect_keys({"lamp"});
  const ConfigNode node = root.get("lamp");
  if (node) r.parse(node, diag);
  report_unread_keys(root, diag);
  return diag.str();
}

// The context line under errors about the keys of the lamp at a.yaml:2:3.
std::string in_desk(const std::string& file) { return "\n  in lamp 'desk' (" + file + ":2:3)"; }

TEST(OptionSections, ParseRecursesAndKeepsDefaults) {
  TempDir dir;
  const ConfigNode root =
      load_config(dir.write("a.yaml", "lamp: {type: desk, beam: {angle: 45, color: warm}}\n"));
  const auto lamp = lamps().create(root.get("lamp"));
  EXPECT_EQ(lamp->options.beam.count, 5);
  EXPECT_DOUBLE_EQ(lamp->options.beam.angle, 45.0);
  EXPECT_EQ(lamp->options.beam.color, "warm");

  const ConfigNode none = load_config(dir.write("b.yaml", "lamp: {type: desk, power: 2}\n"));
  const auto plain = lamps().create(none.get("lamp"));
  EXPECT_EQ(plain->options.beam.count, 5);
  EXPECT_DOUBLE_EQ(plain->options.beam.angle, 30.0);
}

TEST(OptionSections, ResolvedConfigIsANestedMapThatRoundTrips) {
  TempDir dir;
  const ConfigNode root =
      load_config(dir.write("a.yaml", "lamp: {type: desk, beam: {count: 1}}\n"));
  Diagnostics diag;
  const auto spec = lamps().parse(root.get("lamp"), diag);
  ASSERT_TRUE(diag.empty()) << diag.str();
  const std::string yaml = spec.resolved.to_yaml();
  EXPECT_EQ(yaml,
            "type: desk\npower: 1.0\nbeam:\n  count: 1\n  angle: 30.0\n  color: white\n"
            "dimmable: false\n");
  Diagnostics diag2;
  const auto again = lamps().parse(parse_yaml(yaml, "resolved.yaml"), diag2);
  ASSERT_TRUE(diag2.empty()) << diag2.str();
  EXPECT_EQ(again.resolved.to_yaml(), yaml);
}

TEST(OptionSections, InfoListsNestedOptionsWithDottedNames) {
  const ComponentInfo info = lamps().info("desk");
  std::vector<std::string> names;
  for (const auto& o : info.options) names.push_back(o.name);
  EXPECT_EQ(names, (std::vector<std::string>{"power", "beam.count", "beam.angle", "beam.color",
                                             "dimmable"}));
  EXPECT_EQ(info.options[1].type, "int");
  EXPECT_EQ(info.options[1].default_value, "5");  // the enclosing struct's default
  EXPECT_EQ(info.options[1].check, ">= 0");
  EXPECT_EQ(info.options[3].doc, "light color");
}

TEST(OptionSectionsGolden, NotAMap) {
  TempDir dir;
  const std::string f = dir.path().string() + "/a.yaml";
  EXPECT_EQ(
      errors_of(dir, "lamp:\n  type: desk\n  beam: 3\n"),
      f + ":3:9: error: lamp.beam: expected a map of beam options, got a scalar" + in_desk(f));
  EXPECT_EQ(errors_of(dir, "lamp:\n  type: desk\n  beam: [1, {count: 2}]\n"),
            f + ":3:9: error: lamp.beam: expected a map of beam options, got a list" + in_desk(f));
}

TEST(OptionSectionsGolden, UnknownNestedKeyWithContext) {
  TempDir dir;
  const std::string f = dir.path().string() + "/a.yaml";
  EXPECT_EQ(errors_of(dir, "lamp:\n  type: desk\n  beam:\n    cuont: 3\n"),
            f + ":4:5: error: lamp.beam.cuont: unknown key (did you mean 'count'?)" + in_desk(f));
}

TEST(OptionSectionsGolden, NestedChecksAndValidators) {
  TempDir dir;
  const std::string f = dir.path().string() + "/a.yaml";
  EXPECT_EQ(errors_of(dir, "lamp:\n  type: desk\n  beam: {count: -1, angle: 0}\n"),
            f + ":3:17: error: lamp.beam.count: must be >= 0, got -1" + in_desk(f) + "\n" + f +
                ":3:28: error: lamp.beam.angle: must be in [1, 179], got 0" + in_desk(f));
  EXPECT_EQ(errors_of(dir, "lamp:\n  type: desk\n  beam: {count: 0, color: warm}\n"),
            f + ":3:9: error: lamp.beam: a color needs a beam" + in_desk(f));
}

TEST(OptionSections, PlainStructParseAndWrite) {
  TempDir dir;
  const ConfigNode root = load_config(dir.write("a.yaml", "power: 3\nbeam: {color: warm}\n"));
  Diagnostics diag;
  const LampOptions o = option_set<LampOptions>().parse(root, diag);
  report_unread_keys(root, diag);
  ASSERT_TRUE(diag.empty()) << diag.str();
  EXPECT_EQ(o.beam.color, "warm");
  ConfigNode out = ConfigNode::map();
  option_set<LampOptions>().write(o, out);
  EXPECT_EQ(out.peek("beam").peek("count").as_scalar(), "5");
  EXPECT_EQ(out.peek("beam").path(), "beam");
}

}  // namespace
}  // namespace nsdf::core
