#pragma once
// The `nsdf` command line: run, config, list, inspect, eval, render, preprocess and --version.
// A thin layer over the runner and the preprocessing pipeline; every user error ends as a short
// message and a non-zero exit, never a stack trace.
//
// A program with its own components calls cli_main() with registries it has extended:
//
//   nsdf::tools::Registries r;
//   nsdf::tools::register_builtins(r);
//   r.losses.add<MyLoss>("my_loss");
//   return nsdf::tools::cli_main(argc, argv, r);

#include <vector>

#include "experiments/Registries.h"
#include "preprocessing/Source.h"
#include "sweep/Launcher.h"

namespace nsdf::tools {

/// The experiments' registries plus the mesh sources of `nsdf preprocess`: only the command line
/// needs both, so experiments do not depend on preprocessing (and HDF5).
struct Registries : experiments::Registries {
  preprocessing::SourceRegistry sources{"source"};
  sweep::LauncherRegistry launchers{"launcher"};

  /// All families, for listing: the experiments' families, then source and launcher.
  std::vector<const core::RegistryBase*> all() const {
    std::vector<const core::RegistryBase*> out = experiments::Registries::all();
    out.push_back(&sources);
    out.push_back(&launchers);
    return out;
  }
};

/// Fills every registry with nsdf's built-in components (experiments::register_builtins and
/// the built-in sources).
void register_builtins(Registries& registries);

/// Exit codes: 0 success, 1 a user error (config, data, files), 2 a command-line error,
/// 3 an internal error (a bug in nsdf), 75 a run stopped by a signal after its checkpoint.
int cli_main(int argc, char** argv, const Registries& registries);

}  // namespace nsdf::tools
