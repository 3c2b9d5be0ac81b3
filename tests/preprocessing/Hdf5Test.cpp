#include "preprocessing/Hdf5.h"

#include <gtest/gtest.h>

#include "core/Error.h"
#include "support/TestFiles.h"

namespace nsdf::preprocessing {
namespace {

TEST(Hdf5, DatasetsAttributesAndStringsRoundTrip) {
  test::TempDir dir;
  const std::string path = (dir.path() / "a.h5").string();
  {
    hdf5::Handle f = hdf5::create_file(path);
    const hdf5::Location root{f.get(), path, "/"};
    const std::vector<float> x = {1, 2, 3, 4, 5, 6};
    hdf5::write_floats(root, "deep/group/x", x.data(), {2, 3});
    hdf5::write_strings(root, "names", {"a", "bé", ""});
    hdf5::write_attribute(root, "text", std::string("hello"));
    hdf5::write_attribute(root, "count", int64_t{7});
    hdf5::write_attribute(root, "offset", std::vector<double>{0.5, -1, 2});
    const std::vector<double> empty;
    hdf5::write_doubles(root, "empty", empty.data(), {0, 4});
  }
  hdf5::Handle f = hdf5::open_file(path);
  const hdf5::Location root{f.get(), path, "/"};
  std::vector<int64_t> dims;
  EXPECT_EQ(hdf5::read_floats(root, "deep/group/x", 2, 3, &dims),
            (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(dims, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ(hdf5::read_doubles(root, "empty", 2, 4).size(), 0u);
  EXPECT_EQ(hdf5::read_strings(root, "names"), (std::vector<std::string>{"a", "bé", ""}));
  EXPECT_EQ(hdf5::read_string_attribute(root, "text"), "hello");
  EXPECT_EQ(hdf5::read_double_attribute(root, "count"), 7.0);
  EXPECT_EQ(hdf5::read_doubles_attribute(root, "offset"), (std::vector<double>{0.5, -1, 2}));
  EXPECT_TRUE(hdf5::exists(root, "deep/group"));
  EXPECT_FALSE(hdf5::exists(root, "deep/nothing/x"));
  EXPECT_EQ(hdf5::child_names(root), (std::vector<std::string>{"deep", "empty", "names"}));
}

TEST(Hdf5, ErrorsNameTheFileAndObject) {
  test::TempDir dir;
  const std::string path = (dir.path() / "a.h5").string();
  {
    hdf5::Handle f = hdf5::create_file(path);
    const hdf5::Location root{f.get(), path, "/"};
    const std::vector<float> x = {1, 2, 3};
    hdf5::write_floats(root, "x", x.data(), {3});
  }
  hdf5::Handle f = hdf5::open_file(path);
  const hdf5::Location root{f.get(), path, "/"};
  try {
    hdf5::read_floats(root, "x", 2, 3);
    FAIL() << "expected DataError";
  } catch (const core::DataError& e) {
    EXPECT_NE(std::string(e.what()).find(path + ": /x: expected 2 dimensions, got 1"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(hdf5::read_floats(root, "y", 1, -1), core::DataError);
  const std::string text = dir.write("not.h5", "plain text");
  EXPECT_THROW(hdf5::open_file(text), core::IoError);
  EXPECT_THROW(hdf5::open_file((dir.path() / "missing.h5").string()), core::IoError);
}

}  // namespace
}  // namespace nsdf::preprocessing
