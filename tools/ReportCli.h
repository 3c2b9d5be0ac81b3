#pragma once
// `nsdf report RUN_OR_SWEEP_DIR... -o DIR`: the HTML report of runs (report/Report.h), with
// latent maps from the runs' codes (read here: LibTorch stays out of the report library).

#include <string>
#include <vector>

namespace nsdf::tools {

/// The whole `nsdf report ...` command; returns the exit code. Throws UsageError for a wrong
/// command line.
int cmd_report(const std::vector<std::string>& args);

}  // namespace nsdf::tools
