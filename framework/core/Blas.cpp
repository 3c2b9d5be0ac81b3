#include "core/Blas.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

namespace nsdf::core {

const char* blas_core_name() {
  using CoreName = char* (*)();
  const auto fn = reinterpret_cast<CoreName>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  return fn ? fn() : "";
}

namespace {

bool cpu_has(const std::string& flags, const char* flag) {
  return (" " + flags + " ").find(std::string(" ") + flag + " ") != std::string::npos;
}

std::string cpu_flags() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("flags", 0) == 0) return line.substr(line.find(':') + 1);
  return {};
}

}  // namespace

void ensure_fast_blas(char** argv) {
  if (std::getenv("OPENBLAS_CORETYPE")) return;
  if (const char* v = std::getenv("NSDF_BLAS_AUTOTUNE"); v && std::strcmp(v, "0") == 0) return;
  if (std::strcmp(blas_core_name(), "Prescott") != 0) return;  // not OpenBLAS, or it knows the CPU
  const std::string flags = cpu_flags();
  const char* core = cpu_has(flags, "avx512f") && cpu_has(flags, "avx512bw") ? "SkylakeX"
                     : cpu_has(flags, "avx2")                                ? "Haswell"
                                                                             : nullptr;
  if (!core) return;
  setenv("OPENBLAS_CORETYPE", core, 1);
  execv("/proc/self/exe", argv);  // returns only on failure: then run on as we are
}

}  // namespace nsdf::core
