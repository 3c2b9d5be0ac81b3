#include "core/Strings.h"

#include <gtest/gtest.h>

namespace nsdf::core {
namespace {

TEST(Strings, EditDistance) {
  EXPECT_EQ(edit_distance("kitten", "sitting"), 3);
  EXPECT_EQ(edit_distance("", "abc"), 3);
  EXPECT_EQ(edit_distance("same", "same"), 0);
}

TEST(Strings, DidYouMeanOnlyForCloseNames) {
  EXPECT_EQ(did_you_mean("dropuot", {"dropout", "dims"}), " (did you mean 'dropout'?)");
  EXPECT_EQ(did_you_mean("zzzzzz", {"dropout", "dims"}), "");
}

}  // namespace
}  // namespace nsdf::core
