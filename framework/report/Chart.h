#pragma once
// Line charts as standalone SVG, for training curves (metrics.jsonl) in run reports: no
// plotting library, no scripts, readable in any browser or image viewer, and small (long series
// are thinned to at most kMaxPointsPerSeries points, keeping each bucket's minimum and maximum,
// so spikes survive).
//
// Axes get "nice" ticks (1, 2, 5 x 10^k). The y axis is logarithmic when Chart::log_y is set
// and every finite value is > 0; otherwise linear. Non-finite values (NaN, inf: a metric a step
// did not log, or a diverged loss) break the line instead of being drawn.

#include <string>
#include <vector>

namespace nsdf::report {

/// One line: y over x, same length. Points with a non-finite x or y are gaps.
struct Series {
  std::string label;
  std::vector<double> x, y;
};

struct Chart {
  std::string title;
  std::string x_label = "step";
  std::vector<Series> series;
  /// Logarithmic y axis when every finite value is positive.
  bool log_y = false;
  int width = 360;
  int height = 220;
};

constexpr std::size_t kMaxPointsPerSeries = 1200;

/// The chart as an <svg class="curve"> element (no XML prolog: it can be inlined into HTML or
/// written to a .svg file as is). A chart without any finite point draws its frame and a
/// "no data" note (no polyline).
std::string chart_svg(const Chart& chart);

/// Tick positions covering [lo, hi] at 1, 2 or 5 x 10^k steps, about `count` of them.
std::vector<double> nice_ticks(double lo, double hi, int count);

/// A number for axis labels and tables: 4 significant digits, no trailing zeros, exponent
/// notation outside [1e-3, 1e5).
std::string short_number(double v);

}  // namespace nsdf::report
