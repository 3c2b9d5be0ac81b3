// Every `nsdf preprocess` command line and override that a config's comments recommend is a
// valid configuration (tests/support/DocumentedCommands.h). Validation only: the documented
// sources are the user's data sets; tests/preprocessing/PreprocessTest.cpp runs the pipeline.

#include <gtest/gtest.h>

#include <filesystem>

#include "core/Error.h"
#include "core/Strings.h"
#include "preprocessing/Preprocess.h"
#include "preprocessing/Source.h"
#include "support/DocumentedCommands.h"

namespace nsdf::preprocessing {
namespace {

namespace fs = std::filesystem;

TEST(DocumentedCommands, EveryRecommendedPreprocessingIsValid) {
  SourceRegistry sources("source");
  register_builtin_sources(sources);
  int checked = 0;
  for (const auto& c : test::documented_commands(NSDF_SOURCE_DIR)) {
    if (c.command != "preprocess") continue;
    SCOPED_TRACE(c.where() + ": nsdf preprocess " + c.config + " " +
                 core::join(c.overrides, " "));
    try {
      prepare_preprocess(sources, (fs::path(NSDF_SOURCE_DIR) / c.config).string(), c.overrides);
      ++checked;
    } catch (const core::Error& e) {
      ADD_FAILURE() << e.what();
    }
  }
  EXPECT_GE(checked, 5);  // chairs (train, test), shapenet_chairs (train, test), dfaust
}

}  // namespace
}  // namespace nsdf::preprocessing
