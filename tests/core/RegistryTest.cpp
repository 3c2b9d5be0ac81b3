#include "core/Registry.h"

#include <gtest/gtest.h>

#include "core/ConfigLoader.h"
#include "support/TestFiles.h"

namespace nsdf::core {
namespace {

using test::TempDir;

// A component family without LibTorch, to test the registry and config errors exactly.
class Shape {
 public:
  virtual ~Shape() = default;
  virtual double size() const = 0;
};

struct BallOptions {
  double radius = 1.0;
  std::string mode = "solid";
  std::vector<int64_t> dims{2, 3};
  Path mesh;
  bool smooth = false;
  static void declare(OptionSet<BallOptions>& s) {
    s.add("radius", &BallOptions::radius, "ball radius").positive();
    s.add("mode", &BallOptions::mode, "fill mode").one_of({"solid", "shell"});
    s.add("dims", &BallOptions::dims, "widths").non_empty().positive();
    s.add("mesh", &BallOptions::mesh, "mesh file").required();
    s.add("smooth", &BallOptions::smooth, "smooth it");
  }
};

class Ball : public Shape {
 public:
  using Options = BallOptions;
  static constexpr const char* kDoc = "A ball.";
  Ball(const Options& o, double scale) : o_(o), scale_(scale) {}
  double size() const override { return o_.radius * scale_; }
  const Options& options() const { return o_; }

 private:
  Options o_;
  double scale_;
};

struct CubeOptions {
  double side = 2.0;
  static void declare(OptionSet<CubeOptions>& s) {
    s.add("side", &CubeOptions::side, "side length").positive();
  }
};

class Cube : public Shape {
 public:
  using Options = CubeOptions;
  static constexpr const char* kDoc = "A cube.";
  Cube(const Options& o, double scale) : side_(o.side * scale) {}
  double size() const override { return side_; }

 private:
  double side_;
};

using ShapeRegistry = Registry<Shape, double>;

ShapeRegistry make_registry() {
  ShapeRegistry r("shape");
  r.add<Ball>("ball");
  r.add<Cube>("cube");
  return r;
}

// Parses `yaml` (file a.yaml) with the shape registry under key `shape`; returns all errors.
std::string errors_of(const TempDir& dir, const std::string& yaml,
                      const std::vector<std::string>& overrides = {}) {
  const ShapeRegistry r = make_registry();
  const ConfigNode root = load_config(dir.write("a.yaml", yaml), overrides);
  Diagnostics diag;
  root.expect_keys({"shape"});
  const ConfigNode node = root.get("shape");
  if (node) r.parse(node, diag);
  report_unread_keys(root, diag);
  return diag.str();
}

TEST(Registry, BuildsByNameWithOptionsAndArgs) {
  TempDir dir;
  const ShapeRegistry r = make_registry();
  const ConfigNode root =
      load_config(dir.write("a.yaml", "shape: {type: cube, side: 3}\n"));
  EXPECT_DOUBLE_EQ(r.create(root.get("shape"), 2.0)->size(), 6.0);
  EXPECT_EQ(r.names(), (std::vector<std::string>{"ball", "cube"}));
}

TEST(Registry, TypeSwitchedOnTheCommandLineDropsTheFilesKeysOfTheOldType) {
  TempDir dir;
  const std::string yaml = "shape: {type: ball, radius: 2, mesh: m.ply, smooth: true}\n";
  // Hydra's config groups: the ball's keys from the file go with the ball.
  EXPECT_EQ(errors_of(dir, yaml, {"shape.type=cube"}), "");
  EXPECT_EQ(errors_of(dir, yaml, {"shape.type=cube", "shape.side=3"}), "");
  const ShapeRegistry r = make_registry();
  const ConfigNode root = load_config(dir.write("a.yaml", yaml), {"shape.type=cube"});
  EXPECT_DOUBLE_EQ(r.create(root.get("shape"), 1.0)->size(), 2.0);
  // A key written on the command line that the new type does not declare stays an error.
  EXPECT_NE(errors_of(dir, yaml, {"shape.type=cube", "shape.radius=3"})
                .find("shape.radius: unknown key"),
            std::string::npos);
  // Without a type switch, a file's unknown key is still reported.
  EXPECT_NE(errors_of(dir, "shape: {type: cube, radius: 2}\n").find("shape.radius: unknown key"),
            std::string::npos);
}

TEST(Registry, DuplicateNameIsAnError) {
  ShapeRegistry r = make_registry();
  EXPECT_THROW(r.add<Cube>("cube"), ConfigError);
}

TEST(Registry, UserRegisteredComponentIsBuilt) {
  struct TinyOptions {
    int64_t n = 1;
    static void declare(OptionSet<TinyOptions>& s) { s.add("n", &TinyOptions::n, "count"); }
  };
  ShapeRegistry r = make_registry();
  struct Tiny : Shape {
    double v;
    explicit Tiny(double x) : v(x) {}
    double size() const override { return v; }
  };
  r.add<TinyOptions>("tiny", "user component",
                     [](const TinyOptions& o, double s) -> std::shared_ptr<Shape> {
                       return std::make_shared<Tiny>(o.n * s);
                     });
  TempDir dir;
  const ConfigNode root = load_config(dir.write("a.yaml", "shape: {type: tiny, n: 4}\n"));
  EXPECT_DOUBLE_EQ(r.create(root.get("shape"), 0.5)->size(), 2.0);
  EXPECT_EQ(r.info("tiny").doc, "user component");
}

TEST(Registry, ResolvedConfigHasEveryOptionAndRoundTrips) {
  TempDir dir;
  const ShapeRegistry r = make_registry();
  const ConfigNode root =
      load_config(dir.write("a.yaml", "shape: {type: ball, mesh: m.ply, radius: 0.5}\n"));
  Diagnostics diag;
  const auto spec = r.parse(root.get("shape"), diag);
  ASSERT_TRUE(diag.empty()) << diag.str();
  const std::string yaml = spec.resolved.to_yaml();
  EXPECT_EQ(yaml, "type: ball\nradius: 0.5\nmode: solid\ndims: [2, 3]\nmesh: " +
                      (dir.path() / "m.ply").string() + "\nsmooth: false\n");
  // Parsing the resolved text again gives the same resolved text.
  const ConfigNode again = parse_yaml(yaml, "resolved.yaml");
  Diagnostics diag2;
  const auto spec2 = r.parse(again, diag2);
  ASSERT_TRUE(diag2.empty()) << diag2.str();
  EXPECT_EQ(spec2.resolved.to_yaml(), yaml);
}

TEST(Registry, InfoListsOptionsForNsdfList) {
  const ShapeRegistry r = make_registry();
  const ComponentInfo info = r.info("ball");
  ASSERT_EQ(info.options.size(), 5u);
  EXPECT_EQ(info.options[0].name, "radius");
  EXPECT_EQ(info.options[0].type, "float");
  EXPECT_EQ(info.options[0].default_value, "1.0");
  EXPECT_EQ(info.options[0].check, "> 0");
  EXPECT_EQ(info.options[1].check, "one of: solid, shell");
  EXPECT_EQ(info.options[2].default_value, "[2, 3]");
  EXPECT_EQ(info.options[3].default_value, "(required)");
  EXPECT_THROW(r.info("bal"), UsageError);
}

// Golden messages: the exact text a user sees for each kind of config error.

TEST(ConfigErrorsGolden, UnknownKeyWithSuggestionAndContext) {
  TempDir dir;
  const std::string f = dir.path().string() + "/a.yaml";
  EXPECT_EQ(errors_of(dir, "shape:\n  type: ball\n  mesh: m.ply\n  radiuss: 2\n"),
            f + ":4:3: error: shape.radiuss: unknown key (did you mean 'radius'?)\n"
                "  in shape 'ball' (" + f + ":2:3)");
}

TEST(ConfigErrorsGolden, WrongType) {
  TempDir dir;
  const std::string f = dir.path().string() + "/a.yaml";
  EXPECT_EQ(errors_of(dir, "shape:\n  type: ball\n  mesh: m.ply\n  radius: big\n"),
            f + ":4:11: error: shape.radius: expected a number, got 'big'\n"
                "  in shape 'ball' (" + f + ":2:3)");
  EXPECT_EQ(errors_of(dir, "shape:\n  type: ball\n  mesh: m.ply\n  dims: [1, x]\n"),
            f + ":4:9: error: shape.dims: expected an integer, got 'x' at index 1\n"
                "  in shape 'ball' (" + f + ":2:3)");
  EXPECT_EQ(errors_of(dir, "shape:\n  type: ball\n  mesh: {a: 1}\n"),
            f + ":3:9: error: shape.mesh: expected a file path, got a map\n"
                "  in shape 'ball' (" + f + ":2:3)");
}

TEST(ConfigErrorsGolden, OutOfRange) {
  TempDir dir;
  const std::string f = dir.path().string() + "/a.yaml";
  EXPECT_EQ(errors_of(dir, "shape: {type: ball, mesh: m.ply, radius: -1}\n"),
            f + ":1:42: error: shape.radius: must be > 0, got -1\n"
                "  in shape 'ball' (" + f + ":1:8)");
  EXPECT_EQ(errors_of(dir, "shape: {type: ball, mesh: m.ply, mode: shel}\n"),
            f + ":1:40: error: shape.mode: 'shel' is not one of: solid, shell (did you mean "
                "'shell'?)\n  in shape 'ball' (" + f + ":1:8)");
}

TEST(ConfigErrorsGolden, MissingRequiredKey) {
  TempDir dir;
  const std::string f = dir.path().string() + "/a.yaml";
  EXPECT_EQ(errors_of(dir, "shape:\n  type: ball\n"),
            f + ":2:3: error: shape.mesh: missing required key (mesh file)\n"
                "  in shape 'ball' (" + f + ":2:3)");
}

TEST(ConfigErrorsGolden, UnknownTypeWithSuggestionAndChoices) {
  TempDir dir;
  const std::string f = dir.path().string() + "/a.yaml";
  EXPECT_EQ(errors_of(dir, "shape:\n  type: cub\n  side: 2\n"),
            f + ":2:9: error: shape.type: unknown shape 'cub' (did you mean 'cube'?); valid: "
                "ball, cube");
  EXPECT_EQ(errors_of(dir, "shape:\n  side: 2\n"),
            f + ":2:3: error: shape.type: missing 'type' (valid shape types: ball, cube)");
}

TEST(ConfigErrorsGolden, EveryProblemIsReportedNotJustTheFirst) {
  TempDir dir;
  const std::string f = dir.path().string() + "/a.yaml";
  EXPECT_EQ(errors_of(dir,
                      "shape:\n  type: ball\n  mesh: m.ply\n  radius: 0\n  moed: solid\n"
                      "  smoth: true\nshpe: 1\n"),
            f + ":4:11: error: shape.radius: must be > 0, got 0\n"
                "  in shape 'ball' (" + f + ":2:3)\n" +
            f + ":5:3: error: shape.moed: unknown key (did you mean 'mode'?)\n"
                "  in shape 'ball' (" + f + ":2:3)\n" +
            f + ":6:3: error: shape.smoth: unknown key (did you mean 'smooth'?)\n"
                "  in shape 'ball' (" + f + ":2:3)\n" +
            f + ":7:1: error: shpe: unknown key (did you mean 'shape'?)");
}

TEST(ConfigErrorsGolden, OverrideErrors) {
  TempDir dir;
  const std::string f = dir.path().string() + "/a.yaml";
  // Overriding a declared option that the file leaves at its default is fine.
  EXPECT_EQ(errors_of(dir, "shape: {type: ball, mesh: m.ply}\n", {"shape.radius=2"}), "");
  EXPECT_EQ(errors_of(dir, "shape: {type: ball, mesh: m.ply}\n", {"shape.radius=x"}),
            "<command line>:1:14: error: shape.radius: expected a number, got 'x'\n"
            "  in shape 'ball' (" + f + ":1:8)");
  EXPECT_EQ(errors_of(dir, "shape: {type: ball, mesh: m.ply}\n", {"shape.radus=2"}),
            "<command line>:1:1: error: shape.radus: no such key to override (did you mean "
            "'radius'?); write +shape.radus=... to add a new key\n"
            "  in shape 'ball' (" + f + ":1:8)");
}

TEST(ConfigErrorsGolden, MissingRequiredSection) {
  TempDir dir;
  const std::string f = dir.path().string() + "/a.yaml";
  const ConfigNode root = load_config(dir.write("a.yaml", "seed: 1\nouter: {x: 1}\n"));
  Diagnostics diag;
  EXPECT_FALSE(parse_component(root, "shape", make_registry(), diag));
  EXPECT_FALSE(require_section(root.get("outer"), "inner", "a map of inner things", diag));
  EXPECT_EQ(diag.str(),
            f + ":1:1: error: shape: missing required section (a shape: ball, cube)\n" + f +
                ":2:8: error: outer.inner: missing required section (a map of inner things)");
  // "an" before a vowel: "(an experiment: ...)", "(an optimizer: ...)".
  ShapeRegistry ellipsoids("ellipsoid");
  ellipsoids.add<Ball>("ball");
  Diagnostics diag2;
  EXPECT_FALSE(parse_component(root, "ellipsoid", ellipsoids, diag2));
  EXPECT_EQ(diag2.str(),
            f + ":1:1: error: ellipsoid: missing required section (an ellipsoid: ball)");
}

TEST(Registry, ParseComponentReadsAPresentSection) {
  TempDir dir;
  const ConfigNode root = load_config(dir.write("a.yaml", "shape: {type: cube, side: 3}\n"));
  Diagnostics diag;
  const auto spec = parse_component(root, "shape", make_registry(), diag);
  ASSERT_TRUE(spec) << diag.str();
  EXPECT_EQ(spec.type, "cube");
  EXPECT_DOUBLE_EQ(spec.build(1.0)->size(), 3.0);
  report_unread_keys(root, diag);
  EXPECT_TRUE(diag.empty()) << diag.str();
}

TEST(Options, PathsResolveAgainstTheConfigFolder) {
  TempDir dir;
  const ShapeRegistry r = make_registry();
  const ConfigNode root =
      load_config(dir.write("sub/a.yaml", "shape: {type: ball, mesh: ../data/m.ply}\n"));
  Diagnostics diag;
  r.parse(root.get("shape"), diag);
  const auto spec = r.parse(root.get("shape"), diag);
  EXPECT_EQ(spec.resolved.peek("mesh").as_scalar(), (dir.path() / "data/m.ply").string());
}

TEST(Options, ScalarParsing) {
  auto parse_double = [](const std::string& text) {
    double v = 0;
    const std::string msg = OptionTraits<double>::parse(ConfigNode::scalar(text), v);
    return msg.empty() ? std::to_string(v) : msg;
  };
  EXPECT_EQ(parse_double("1e-4"), std::to_string(1e-4));
  EXPECT_EQ(parse_double("nan"), "expected a number, got 'nan'");
  EXPECT_EQ(parse_double(".inf"), "expected a number, got '.inf'");
  int64_t i = 0;
  EXPECT_EQ(OptionTraits<int64_t>::parse(ConfigNode::scalar("1.5"), i),
            "expected an integer, got '1.5'");
  bool b = false;
  EXPECT_EQ(OptionTraits<bool>::parse(ConfigNode::scalar("yes"), b), "");
  EXPECT_TRUE(b);
  EXPECT_EQ(OptionTraits<double>::write(2.0).as_scalar(), "2.0");
  EXPECT_EQ(OptionTraits<double>::write(1e-4).as_scalar(), "0.0001");
}

}  // namespace
}  // namespace nsdf::core
