#pragma once
// A thin fmt-based logging facade with two sinks: the console (stderr) and, once a run
// directory exists, its log.txt. Levels: debug (details for developers), info (what a user
// follows: config, progress, results), warn (something was adjusted or skipped; the run goes
// on), error (the run stops). Under distributed runs only rank 0 logs (set_rank()).

#include <fmt/format.h>

#include <string>

namespace nsdf::core::log {

enum class Level { Debug = 0, Info = 1, Warn = 2, Error = 3 };

/// Messages below `level` are dropped (default Info; NSDF_LOG_LEVEL=debug|info|warn|error).
void set_level(Level level);
Level level();
/// Appends every later message to `path` (plain text); "" closes the file sink.
void set_file(const std::string& path);
/// Ranks other than 0 log nothing (and draw no progress bars).
void set_rank(int rank);
int rank();
/// Console output off (tests); the file sink still gets messages.
void set_console(bool enabled);

void write(Level level, const std::string& message);
/// Writes `text` to the file sink only (progress bars are drawn on the console separately).
void write_file_only(const std::string& text);

template <class... T>
void debug(fmt::format_string<T...> f, T&&... args) {
  if (level() <= Level::Debug) write(Level::Debug, fmt::format(f, std::forward<T>(args)...));
}
template <class... T>
void info(fmt::format_string<T...> f, T&&... args) {
  if (level() <= Level::Info) write(Level::Info, fmt::format(f, std::forward<T>(args)...));
}
template <class... T>
void warn(fmt::format_string<T...> f, T&&... args) {
  if (level() <= Level::Warn) write(Level::Warn, fmt::format(f, std::forward<T>(args)...));
}
template <class... T>
void error(fmt::format_string<T...> f, T&&... args) {
  write(Level::Error, fmt::format(f, std::forward<T>(args)...));
}

}  // namespace nsdf::core::log
