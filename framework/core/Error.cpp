#include "core/Error.h"

namespace nsdf::core::detail {

void throw_internal(const char* cond, const char* file, int line, const std::string& msg) {
  throw InternalError(fmt::format("internal error (a bug in nsdf): {} [{}] at {}:{}", msg, cond,
                                  file, line));
}

}  // namespace nsdf::core::detail
