#pragma once
// Errors a user can cause, as a small typed set, and the checks that raise them.
//
// NSDF_CHECK(cond, fmt, args...) is for conditions the user controls (a file, a config value);
// it throws the given error type with a formatted message. NSDF_ASSERT is for invariants of
// our own code: when it fails, nsdf has a bug. Only `main` catches.

#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace nsdf::core {

/// Base of every error nsdf raises for something the user can fix.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A config file or override is wrong (unknown key, bad type, out of range, ...).
class ConfigError : public Error {
 public:
  using Error::Error;
};

/// Input data is wrong (malformed file contents, inconsistent shapes, NaN coordinates, ...).
class DataError : public Error {
 public:
  using Error::Error;
};

/// A file or folder could not be read or written.
class IoError : public Error {
 public:
  using Error::Error;
};

/// The command line is wrong.
class UsageError : public Error {
 public:
  using Error::Error;
};

/// An internal invariant failed: a bug in nsdf, not a user error.
class InternalError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

namespace detail {
[[noreturn]] void throw_internal(const char* cond, const char* file, int line,
                                 const std::string& msg);
}  // namespace detail

}  // namespace nsdf::core

/// Throws ErrorType(fmt::format(...)) unless cond holds.
#define NSDF_CHECK(cond, ErrorType, ...)                   \
  do {                                                     \
    if (!(cond)) throw ErrorType(fmt::format(__VA_ARGS__)); \
  } while (false)

/// Throws InternalError with the location unless cond holds.
#define NSDF_ASSERT(cond, ...)                                                            \
  do {                                                                                    \
    if (!(cond))                                                                          \
      ::nsdf::core::detail::throw_internal(#cond, __FILE__, __LINE__, fmt::format(__VA_ARGS__)); \
  } while (false)
