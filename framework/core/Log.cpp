#include "core/Log.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <string>

namespace nsdf::core::log {

namespace {

struct State {
  std::mutex mutex;
  Level level = Level::Info;
  std::FILE* file = nullptr;
  int rank = 0;
  bool console = true;

  State() {
    if (const char* env = std::getenv("NSDF_LOG_LEVEL")) {
      const std::string v(env);
      if (v == "debug") level = Level::Debug;
      if (v == "warn") level = Level::Warn;
      if (v == "error") level = Level::Error;
    }
  }
  ~State() {
    if (file) std::fclose(file);
  }
};

State& state() {
  static State s;
  return s;
}

const char* prefix(Level level) {
  switch (level) {
    case Level::Debug: return "debug: ";
    case Level::Warn: return "warning: ";
    case Level::Error: return "error: ";
    default: return "";
  }
}

std::string timestamp() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

}  // namespace

void set_level(Level level) { state().level = level; }
Level level() { return state().level; }
void set_rank(int rank) { state().rank = rank; }
int rank() { return state().rank; }
void set_console(bool enabled) { state().console = enabled; }

void set_file(const std::string& path) {
  State& s = state();
  std::lock_guard<std::mutex> lock(s.mutex);
  if (s.file) std::fclose(s.file);
  s.file = path.empty() ? nullptr : std::fopen(path.c_str(), "a");
}

void write(Level level, const std::string& message) {
  State& s = state();
  if (s.rank != 0 || level < s.level) return;
  std::lock_guard<std::mutex> lock(s.mutex);
  if (s.console) {
    std::fprintf(stderr, "%s%s\n", prefix(level), message.c_str());
    std::fflush(stderr);
  }
  if (s.file) {
    std::fprintf(s.file, "[%s] %s%s\n", timestamp().c_str(), prefix(level), message.c_str());
    std::fflush(s.file);
  }
}

void write_file_only(const std::string& text) {
  State& s = state();
  if (s.rank != 0) return;
  std::lock_guard<std::mutex> lock(s.mutex);
  if (s.file) {
    std::fprintf(s.file, "[%s] %s\n", timestamp().c_str(), text.c_str());
    std::fflush(s.file);
  }
}

}  // namespace nsdf::core::log
