#pragma once
// `nsdf preprocess`: run a preprocessing config, check a sample file's signs, and move data to
// and from DeepSDF's layout. No LibTorch here.

#include <string>
#include <vector>

#include "preprocessing/Source.h"

namespace nsdf::tools {

/// The whole `nsdf preprocess ...` command; returns the exit code (1 when any shape failed or a
/// check exceeded --max-fraction). Throws UsageError for a wrong command line.
int cmd_preprocess(const std::vector<std::string>& args,
                   const preprocessing::SourceRegistry& sources);

}  // namespace nsdf::tools
