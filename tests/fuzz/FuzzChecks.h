#pragma once
// What every fuzz target treats as a finding besides crashes and sanitizer reports: a parsed
// result that breaks the readers' promises. Reported with an "nsdf fuzz finding" line and
// abort(), so libFuzzer keeps the input.

#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/Error.h"
#include "geometry/MeshIo.h"

namespace nsdf::fuzz {

[[noreturn]] inline void finding(const char* what, const char* detail = "") {
  std::fprintf(stderr, "nsdf fuzz finding: %s %s\n", what, detail);
  std::abort();
}

/// A mesh (or a cloud as a Mesh without faces) a reader accepted must pass the same validation
/// every read applies: finite coordinates, face indices in range, one normal per vertex or none.
inline void check_mesh(const geometry::Mesh& mesh) {
  try {
    geometry::validate_mesh(mesh, "fuzz input");
  } catch (const core::Error& e) {
    finding("a reader accepted an invalid mesh:", e.what());
  }
}

}  // namespace nsdf::fuzz
