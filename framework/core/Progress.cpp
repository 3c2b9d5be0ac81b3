#include "core/Progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

#include "core/Log.h"

namespace nsdf::core {

std::string format_duration(double s) {
  if (s < 60) return fmt::format("{:.1f}s", s);
  const auto total = static_cast<int64_t>(s);
  if (s < 3600) return fmt::format("{}m{:02d}s", total / 60, total % 60);
  return fmt::format("{}h{:02d}m", total / 3600, (total % 3600) / 60);
}

Progress::Progress(std::string label, int64_t total, int64_t start, std::string unit,
                   double interval_seconds)
    : label_(std::move(label)),
      unit_(std::move(unit)),
      total_(total),
      start_(start),
      step_(start),
      interval_(interval_seconds),
      tty_(isatty(STDERR_FILENO) && log::level() <= log::Level::Info && log::rank() == 0),
      t0_(std::chrono::steady_clock::now()),
      last_print_(t0_),
      last_draw_(t0_) {}

std::string Progress::line(int64_t step, const std::string& status) const {
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count();
  const double rate = elapsed > 0 ? (step - start_) / elapsed : 0.0;
  const double eta = rate > 0 ? (total_ - step) / rate : 0.0;
  const int pct = total_ > 0 ? static_cast<int>(100.0 * step / total_) : 100;
  std::string s = fmt::format("{} {}/{} ({}%) {:.1f} {}/s, elapsed {}, eta {}", label_, step,
                              total_, pct, rate, unit_, format_duration(elapsed),
                              format_duration(eta));
  if (!status.empty()) s += ", " + status;
  return s;
}

void Progress::update(int64_t step, const std::string& status) {
  step_ = step;
  const auto now = std::chrono::steady_clock::now();
  if (tty_) {
    if (std::chrono::duration<double>(now - last_draw_).count() < 0.1 && step < total_) return;
    last_draw_ = now;
    const int width = 24;
    const int filled = total_ > 0 ? static_cast<int>(width * step / total_) : width;
    std::fprintf(stderr, "\r[%s%s] %s\033[K", std::string(filled, '#').c_str(),
                 std::string(width - filled, '.').c_str(), line(step, status).c_str());
    std::fflush(stderr);
  }
  if (std::chrono::duration<double>(now - last_print_).count() >= interval_) {
    last_print_ = now;
    if (tty_) {
      log::write_file_only(line(step, status));
    } else {
      log::info("{}", line(step, status));
    }
  }
}

void Progress::finish(const std::string& status) {
  if (tty_) {
    std::fprintf(stderr, "\r\033[K");
    std::fflush(stderr);
  }
  log::info("{}", line(step_, status));
}

}  // namespace nsdf::core
