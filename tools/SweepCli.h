#pragma once
// `nsdf sweep SWEEP.yaml [--dry-run]` and `nsdf sweep status SWEEP.yaml` (sweep/Sweep.h).

#include <string>
#include <vector>

#include "Cli.h"

namespace nsdf::tools {

/// The whole `nsdf sweep ...` command; returns the exit code (1 when a run did not finish).
int cmd_sweep(const std::vector<std::string>& args, const Registries& registries);

}  // namespace nsdf::tools
