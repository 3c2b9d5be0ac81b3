#include "preprocessing/Split.h"

#include <gtest/gtest.h>

#include "core/Error.h"
#include "support/TestFiles.h"
#include "support/ErrorMessage.h"

namespace nsdf::preprocessing {
namespace {

using Entries = std::vector<std::vector<std::string>>;

using test::message_of;

// The DataError message read_split gives for `text` (file <dir>/s.json), with the folder cut.
std::string split_error(const std::string& text, int depth) {
  test::TempDir dir;
  const std::string path = dir.write("s.json", text);
  std::string msg = message_of<core::DataError>([&] { read_split(path, depth); });
  const std::string prefix = (dir.path() / "").string();
  if (msg.rfind(prefix, 0) == 0) msg.erase(0, prefix.size());
  return msg;
}

TEST(Split, ReadsDeepSdfSplitInFileOrder) {
  test::TempDir dir;
  const std::string path = dir.write("s.json",
                                     "{\n"
                                     "  \"ShapeNetV2\": {\n"
                                     "    \"04379243\": [\"zeta\", \"alpha\"],\n"
                                     "    \"03001627\": [\"mid\", \"1a6f\"]\n"
                                     "  },\n"
                                     "  \"Other\": {\"b\": [], \"a\": [\"x\"]}\n"
                                     "}\n");
  const Entries expected = {{"ShapeNetV2", "04379243", "zeta"},
                            {"ShapeNetV2", "04379243", "alpha"},
                            {"ShapeNetV2", "03001627", "mid"},
                            {"ShapeNetV2", "03001627", "1a6f"},
                            {"Other", "a", "x"}};
  EXPECT_EQ(read_split(path, 3), expected);
  EXPECT_EQ(read_split(path), expected);
}

TEST(Split, ReadsIgrDfaustSplit) {
  test::TempDir dir;
  const std::string path = dir.write(
      "s.json",
      R"({"scans": {"50002": {"chicken_wings": ["chicken_wings.000000", "chicken_wings.000010"],
                              "hips": ["hips.000003"]},
                    "50004": {"punching": ["punching.000001"]}}})");
  const Entries expected = {{"scans", "50002", "chicken_wings", "chicken_wings.000000"},
                            {"scans", "50002", "chicken_wings", "chicken_wings.000010"},
                            {"scans", "50002", "hips", "hips.000003"},
                            {"scans", "50004", "punching", "punching.000001"}};
  EXPECT_EQ(read_split(path, 4), expected);
}

TEST(Split, NumbersAndUnquotedNamesAreNames) {
  test::TempDir dir;
  const std::string path = dir.write("s.json", R"({"scans": {50002: [000123, "7"]}})");
  EXPECT_EQ(read_split(path, 3),
            (Entries{{"scans", "50002", "000123"}, {"scans", "50002", "7"}}));
}

TEST(Split, WriteThenReadRoundTripsGroupedByFirstAppearance) {
  test::TempDir dir;
  const std::string path = (dir.path() / "s.json").string();
  const Entries entries = {{"ShapeNetV2", "04379243", "b"},
                           {"ShapeNetV2", "03001627", "z"},
                           {"ShapeNetV2", "04379243", "a"},
                           {"Mine", "x", "q\"uote\\back\tslash é"}};
  write_split(path, entries);
  const Entries grouped = {{"ShapeNetV2", "04379243", "b"},
                           {"ShapeNetV2", "04379243", "a"},
                           {"ShapeNetV2", "03001627", "z"},
                           {"Mine", "x", "q\"uote\\back\tslash é"}};
  EXPECT_EQ(read_split(path, 3), grouped);
  EXPECT_EQ(test::read_text(path),
            "{\n"
            "  \"ShapeNetV2\": {\n"
            "    \"04379243\": [\n"
            "      \"b\",\n"
            "      \"a\"\n"
            "    ],\n"
            "    \"03001627\": [\n"
            "      \"z\"\n"
            "    ]\n"
            "  },\n"
            "  \"Mine\": {\n"
            "    \"x\": [\n"
            "      \"q\\\"uote\\\\back\\tslash é\"\n"
            "    ]\n"
            "  }\n"
            "}\n");
}

TEST(Split, WriteRoundTripsDepthFourAndEmpty) {
  test::TempDir dir;
  const std::string path = (dir.path() / "s.json").string();
  const Entries entries = {{"scans", "50002", "hips", "hips.000003"},
                           {"scans", "50004", "hips", "hips.000001"}};
  write_split(path, entries);
  EXPECT_EQ(read_split(path, 4), entries);
  write_split(path, {});
  EXPECT_EQ(test::read_text(path), "{}\n");
  EXPECT_TRUE(read_split(path, 3).empty());
}

TEST(Split, WriteRejectsMixedDepthDuplicatesAndEmptyNames) {
  test::TempDir dir;
  const std::string path = (dir.path() / "s.json").string();
  EXPECT_NE(message_of<core::DataError>([&] { write_split(path, {{"a", "b", "c"}, {"a", "b"}}); })
                .find("entry 1 ('a/b'): it has 2 components, expected 3"),
            std::string::npos);
  EXPECT_NE(message_of<core::DataError>([&] { write_split(path, {{"a"}}); })
                .find("it has 1 components, expected 2"),
            std::string::npos);
  EXPECT_NE(message_of<core::DataError>([&] { write_split(path, {{"a", "b"}, {"a", "b"}}); })
                .find("entry 'a/b' is listed twice (entries 0 and 1)"),
            std::string::npos);
  EXPECT_NE(message_of<core::DataError>([&] { write_split(path, {{"a", ""}}); })
                .find("a component is empty"),
            std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(Split, MissingFileIsAnIoError) {
  test::TempDir dir;
  const std::string path = (dir.path() / "none.json").string();
  EXPECT_NE(message_of<core::IoError>([&] { read_split(path); }).find(path), std::string::npos);
}

TEST(Split, ListWhereAMapIsExpected) {
  EXPECT_EQ(split_error(R"({"ShapeNetV2": ["a", "b"]})", 3),
            "s.json:1:16: expected a map under 'ShapeNetV2', got a list: its entries would "
            "have depth 2 where 3 is expected");
}

TEST(Split, MapWhereAListIsExpected) {
  EXPECT_EQ(split_error("{\"a\": {\"b\":\n  {\"c\": [\"x\"]}}}", 3),
            "s.json:2:3: expected a list of names under 'a/b', got a map: entries would have "
            "depth 4 or more where 3 is expected");
}

TEST(Split, EntryListedTwice) {
  EXPECT_EQ(split_error("{\"d\": {\"c\": [\n  \"x\",\n  \"y\",\n  \"x\"]}}", 3),
            "s.json:4:3: 'x' under 'd/c' is listed twice (first at 2:3)");
}

TEST(Split, NameThatIsNotAString) {
  EXPECT_EQ(split_error(R"({"d": {"c": ["x", {"y": 1}]}})", 3),
            "s.json:1:19: expected a name under 'd/c', got a map");
  EXPECT_EQ(split_error(R"({"d": {"c": ["x", null]}})", 3),
            "s.json:1:19: expected a name under 'd/c', got null");
  EXPECT_EQ(split_error(R"({"d": {"c": ["x", ""]}})", 3),
            "s.json:1:19: empty name under 'd/c': names must not be empty");
}

TEST(Split, ScalarWhereAListIsExpected) {
  EXPECT_EQ(split_error(R"({"d": {"c": "x"}})", 3),
            "s.json:1:13: expected a list of names or a map under 'd/c', got the scalar 'x'");
}

TEST(Split, TopLevelMustBeAMap) {
  EXPECT_EQ(split_error(R"(["a", "b"])", 0),
            "s.json:1:1: expected a split: a map of names to lists of names (or to maps of "
            "them), got a list");
  EXPECT_EQ(split_error("", 0),
            "s.json:1:1: expected a split: a map of names to lists of names (or to maps of "
            "them), got null");
}

TEST(Split, MixedDepthWithoutAnExpectedDepth) {
  EXPECT_EQ(split_error("{\"a\": {\"b\": [\"x\"]},\n \"c\": [\"y\"]}", 0),
            "s.json:2:7: a list of names under 'c' at depth 2, but the list at 1:13 has depth 3 "
            "(all entries of a split have the same depth)");
}

TEST(Split, SyntaxErrorsAndDuplicateKeysAreDataErrors) {
  const std::string syntax = split_error("{\"a\": {\"b\": [\"x\",]}", 3);
  EXPECT_EQ(syntax.rfind("s.json:1:", 0), 0u) << syntax;
  EXPECT_NE(syntax.find("invalid YAML"), std::string::npos) << syntax;
  EXPECT_EQ(split_error("{\"a\": {\"b\": [\"x\"],\n  \"b\": [\"y\"]}}", 3).rfind("s.json:2:3: ", 0),
            0u);
  EXPECT_NE(split_error("{\"a\": {\"b\": [\"x\"],\n  \"b\": [\"y\"]}}", 3).find("duplicate key"),
            std::string::npos);
}

}  // namespace
}  // namespace nsdf::preprocessing
