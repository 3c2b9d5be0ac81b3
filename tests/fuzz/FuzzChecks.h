#pragma once
// What the fuzz targets share: what every target treats as a finding besides crashes and
// sanitizer reports (a parsed result that breaks the readers' promises, reported with an
// "nsdf fuzz finding" line and abort(), so libFuzzer keeps the input), and the libFuzzer entry
// points, which also write a target's seed files on request (NSDF_FUZZ_TARGET).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>

#include "core/Error.h"
#include "core/Files.h"
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

/// The folder a target writes its seed files into; created when missing.
class SeedFolder {
 public:
  explicit SeedFolder(std::filesystem::path dir) : dir_(std::move(dir)) {
    std::filesystem::create_directories(dir_);
  }
  /// Writes the seed file `name` holding `bytes`.
  void operator()(const char* name, const std::string& bytes) const {
    core::write_file_atomic((dir_ / name).string(), bytes);
  }

 private:
  std::filesystem::path dir_;
};

/// LLVMFuzzerInitialize's work: with NSDF_FUZZ_WRITE_SEEDS=<folder> set, the target writes its
/// seed files into that folder and the process exits (tests/fuzz/run_fuzzers.sh builds its seed
/// corpus that way); otherwise nothing.
inline int write_seeds_if_asked(void (*write_seeds)(const SeedFolder&)) {
  if (const char* dir = std::getenv("NSDF_FUZZ_WRITE_SEEDS")) {
    write_seeds(SeedFolder(dir));
    std::exit(0);
  }
  return 0;
}

}  // namespace nsdf::fuzz

/// Defines the libFuzzer entry points of a target from its two functions:
/// `void write_seeds(const nsdf::fuzz::SeedFolder& seed)` writes its seed files (see
/// write_seeds_if_asked), and `void test_one_input(std::string_view bytes)` runs the target on
/// one input: a DataError or IoError is the expected answer to a malformed file, anything else
/// a finding.
#define NSDF_FUZZ_TARGET(write_seeds, test_one_input)                            \
  extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {         \
    return nsdf::fuzz::write_seeds_if_asked(write_seeds);                        \
  }                                                                              \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {      \
    test_one_input(std::string_view(reinterpret_cast<const char*>(data), size)); \
    return 0;                                                                    \
  }
