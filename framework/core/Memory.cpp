#include "core/Memory.h"

#include <cstdlib>
#include <cstring>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace nsdf::core {

bool keep_freed_memory() {
  const char* mode = std::getenv("NSDF_MALLOC");
  if (mode && std::strcmp(mode, "system") == 0) return false;
#if defined(__GLIBC__)
  // No mmap for large blocks, and no trimming of the heap's top.
  return mallopt(M_MMAP_MAX, 0) == 1 && mallopt(M_TRIM_THRESHOLD, -1) == 1;
#else
  return false;
#endif
}

}  // namespace nsdf::core
