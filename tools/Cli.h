#pragma once
// The `nsdf` command line: run, config, list, --version. A thin layer over the runner; every
// user error ends as a short message and a non-zero exit, never a stack trace.
//
// A program with its own components calls cli_main() with registries it has extended:
//
//   nsdf::Registries r;
//   nsdf::register_builtins(r);
//   r.losses.add<MyLoss>("my_loss");
//   return nsdf::cli_main(argc, argv, r);

#include "experiments/Registries.h"

namespace nsdf::tools {

/// Exit codes: 0 success, 1 a user error (config, data, files), 2 a command-line error,
/// 3 an internal error (a bug in nsdf).
int cli_main(int argc, char** argv, const experiments::Registries& registries);

}  // namespace nsdf::tools
