#include "core/ConfigLoader.h"

#include <gtest/gtest.h>

#include "core/Error.h"
#include "support/TestFiles.h"

namespace nsdf::core {
namespace {

using test::TempDir;

std::string message_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ConfigLoader, RemembersLineColumnAndPath) {
  TempDir dir;
  const auto file = dir.write("a.yaml", "model:\n  dims: [1, 2]\n  dropout: 0.2\n");
  const ConfigNode root = load_config(file);
  const ConfigNode dropout = root.peek("model").peek("dropout");
  EXPECT_EQ(dropout.as_scalar(), "0.2");
  EXPECT_EQ(dropout.path(), "model.dropout");
  EXPECT_EQ(dropout.mark().line, 3);
  EXPECT_EQ(dropout.mark().column, 12);
  EXPECT_EQ(dropout.key_mark().column, 3);
  EXPECT_EQ(root.peek("model").peek("dims").items()[1].path(), "model.dims[1]");
}

TEST(ConfigLoader, DefaultsDeepMergeMapsAndReplaceLists) {
  TempDir dir;
  dir.write("base/b.yaml", "model: {dims: [1, 2, 3], dropout: 0.1}\nseed: 1\n");
  const auto top = dir.write("top.yaml",
                             "defaults: [base/b.yaml]\nmodel:\n  dims: [7]\nseed: 2\n");
  const ConfigNode root = load_config(top);
  EXPECT_FALSE(root.has("defaults"));
  const ConfigNode model = root.peek("model");
  ASSERT_EQ(model.peek("dims").items().size(), 1u);  // lists replace
  EXPECT_EQ(model.peek("dims").items()[0].as_scalar(), "7");
  EXPECT_EQ(model.peek("dropout").as_scalar(), "0.1");  // maps merge
  EXPECT_EQ(root.peek("seed").as_scalar(), "2");
  // The replaced value is remembered, for --explain.
  ASSERT_EQ(root.peek("seed").history().size(), 1u);
  EXPECT_NE(root.peek("seed").history()[0].file.find("base/b.yaml"), std::string::npos);
}

TEST(ConfigLoader, DefaultsChainResolvesAgainstEachFilesFolder) {
  TempDir dir;
  dir.write("x/base.yaml", "a: 1\n");
  dir.write("x/mid.yaml", "defaults: [base.yaml]\nb: 2\n");
  const auto top = dir.write("top.yaml", "defaults: [x/mid.yaml]\nc: 3\n");
  const ConfigNode root = load_config(top);
  EXPECT_EQ(root.keys(), (std::vector<std::string>{"a", "b", "c"}));
}

TEST(ConfigLoader, DefaultsCycleIsAnError) {
  TempDir dir;
  dir.write("a.yaml", "defaults: [b.yaml]\n");
  const auto b = dir.write("b.yaml", "defaults: [a.yaml]\n");
  EXPECT_NE(message_of([&] { load_config(b); }).find("cycle"), std::string::npos);
}

TEST(ConfigLoader, MissingDefaultsFileNamesTheLine) {
  TempDir dir;
  const auto a = dir.write("a.yaml", "seed: 1\ndefaults: [nope.yaml]\n");
  const std::string msg = message_of([&] { load_config(a); });
  EXPECT_NE(msg.find("a.yaml:2:12: error: defaults: no such file"), std::string::npos) << msg;
}

TEST(ConfigLoader, AFolderIsNotAConfigFile) {
  TempDir dir;
  const std::string folder = (dir.path() / "sub").string();
  std::filesystem::create_directories(folder);
  const auto a = dir.write("a.yaml", "defaults: [sub]\n");
  for (const std::string& path : {folder, a}) {
    try {
      load_config(path);
      ADD_FAILURE() << path;
    } catch (const IoError& e) {
      EXPECT_EQ(std::string(e.what()), folder + ": is a folder, not a config file");
    }
  }
}

TEST(ConfigLoader, SyntaxErrorHasPosition) {
  TempDir dir;
  const auto a = dir.write("bad.yaml", "model:\n  dims: [1, 2\n");
  const std::string msg = message_of([&] { load_config(a); });
  EXPECT_NE(msg.find("bad.yaml:"), std::string::npos) << msg;
  EXPECT_NE(msg.find("error: invalid YAML"), std::string::npos) << msg;
}

TEST(ConfigLoader, DuplicateKeyIsAnError) {
  TempDir dir;
  const auto a = dir.write("dup.yaml", "seed: 1\nseed: 2\n");
  EXPECT_EQ(message_of([&] { load_config(a); }),
            dir.path().string() + "/dup.yaml:2:1: error: seed: duplicate key (first at " +
                dir.path().string() + "/dup.yaml:1:1)");
}

TEST(ConfigLoader, OverridesReplaceAndAdd) {
  TempDir dir;
  const auto a = dir.write("a.yaml", "model: {dims: [1], dropout: 0.1}\n");
  ConfigNode root = load_config(a, {"model.dims=[4, 5]", "+extra.deep.key=hello"});
  EXPECT_EQ(root.peek("model").peek("dims").items().size(), 2u);
  EXPECT_EQ(root.peek("model").peek("dims").mark().file, "<command line>");
  EXPECT_EQ(root.peek("extra").peek("deep").peek("key").as_scalar(), "hello");
  EXPECT_EQ(root.peek("extra").peek("deep").peek("key").path(), "extra.deep.key");
  // A replaced value keeps the file position it came from.
  EXPECT_EQ(root.peek("model").peek("dims").history().at(0).line, 1);
}

TEST(ConfigLoader, OverrideOfMissingSectionNeedsPlus) {
  TempDir dir;
  const auto a = dir.write("a.yaml", "model: {dims: [1]}\n");
  EXPECT_EQ(message_of([&] { load_config(a, {"modle.dims=[2]"}); }),
            "<command line>:1:1: error: modle: no such section to override (did you mean "
            "'model'?); write +modle.dims=... to add it");
  EXPECT_NE(message_of([&] { load_config(a, {"model"}); }).find("expected key=value"),
            std::string::npos);
}

TEST(ConfigLoader, NewKeyWithoutPlusIsFlaggedForLaterCheck) {
  TempDir dir;
  const auto a = dir.write("a.yaml", "model: {dims: [1]}\n");
  ConfigNode root = load_config(a, {"model.dropout=0.3", "+model.x=1"});
  EXPECT_TRUE(root.peek("model").peek("dropout").created_by_override());
  EXPECT_FALSE(root.peek("model").peek("x").created_by_override());
}

TEST(ConfigNode, YamlRoundTrip) {
  TempDir dir;
  const auto a = dir.write("a.yaml",
                           "experiment: {type: train, name: x}\nmodel:\n  dims: [1, 2]\n  "
                           "note: 'true'\nempty: {}\n");
  const ConfigNode root = load_config(a);
  const ConfigNode again = parse_yaml(root.to_yaml(), "again.yaml");
  EXPECT_EQ(again.to_yaml(), root.to_yaml());
  EXPECT_EQ(again.peek("model").peek("note").as_scalar(), "true");
}

}  // namespace
}  // namespace nsdf::core
