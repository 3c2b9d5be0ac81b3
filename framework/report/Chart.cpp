#include "report/Chart.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "report/Html.h"

namespace nsdf::report {

namespace {

// Matplotlib's tab10: distinct, readable on white, familiar to researchers.
constexpr std::array<const char*, 10> kPalette = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                                  "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                                                  "#bcbd22", "#17becf"};
constexpr int kLeft = 58, kRight = 12, kTop = 26, kBottom = 34;
constexpr std::size_t kMaxLegend = 8;

bool finite(double v) { return std::isfinite(v); }

// At most kMaxPointsPerSeries points: the minimum and the maximum y of each bucket of
// consecutive points, in their original order.
void thin(const Series& s, std::vector<double>& x, std::vector<double>& y) {
  const std::size_t n = std::min(s.x.size(), s.y.size());
  if (n <= kMaxPointsPerSeries) {
    x.assign(s.x.begin(), s.x.begin() + static_cast<std::ptrdiff_t>(n));
    y.assign(s.y.begin(), s.y.begin() + static_cast<std::ptrdiff_t>(n));
    return;
  }
  const std::size_t buckets = kMaxPointsPerSeries / 2;
  for (std::size_t b = 0; b < buckets; ++b) {
    const std::size_t begin = b * n / buckets, end = (b + 1) * n / buckets;
    std::size_t lo = begin, hi = begin;
    bool gap = false;
    for (std::size_t i = begin; i < end; ++i) {
      if (!finite(s.y[i]) || !finite(s.x[i])) {
        gap = true;
        continue;
      }
      if (!finite(s.y[lo]) || s.y[i] < s.y[lo]) lo = i;
      if (!finite(s.y[hi]) || s.y[i] > s.y[hi]) hi = i;
    }
    if (gap) {  // keep the break visible
      x.push_back(std::numeric_limits<double>::quiet_NaN());
      y.push_back(std::numeric_limits<double>::quiet_NaN());
    }
    for (std::size_t i : {std::min(lo, hi), std::max(lo, hi)}) {
      if (!finite(s.y[i]) || !finite(s.x[i])) continue;
      x.push_back(s.x[i]);
      y.push_back(s.y[i]);
      if (lo == hi) break;
    }
  }
}

}  // namespace

std::vector<double> nice_ticks(double lo, double hi, int count) {
  std::vector<double> ticks;
  if (!finite(lo) || !finite(hi) || hi < lo || count < 1) return ticks;
  if (hi == lo) return {lo};
  const double raw = (hi - lo) / count;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double norm = raw / mag;
  const double step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  for (double k = std::ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k += 1) {
    // k * step carries binary rounding (0.6000000000000001): keep 12 significant digits.
    const double t = std::stod(fmt::format("{:.12g}", k * step));
    ticks.push_back(std::abs(t) < step * 1e-9 ? 0.0 : t);
  }
  return ticks;
}

std::string short_number(double v) {
  if (!finite(v)) return std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf");
  if (v == 0) return "0";
  const double a = std::abs(v);
  if (a >= 1e-3 && a < 1e5) return fmt::format("{:.4g}", v);
  int exponent = static_cast<int>(std::floor(std::log10(a)));
  double mantissa = v / std::pow(10.0, exponent);
  if (std::abs(std::stod(fmt::format("{:.3g}", mantissa))) >= 10) {  // 9.9996e-5 -> 1e-04
    ++exponent;
    mantissa /= 10;
  }
  return fmt::format("{:.3g}e{}{:02d}", mantissa, exponent < 0 ? '-' : '+', std::abs(exponent));
}

std::string chart_svg(const Chart& chart) {
  const int w = std::max(chart.width, kLeft + kRight + 40);
  const int h = std::max(chart.height, kTop + kBottom + 40);
  const double pw = w - kLeft - kRight, ph = h - kTop - kBottom;

  std::vector<std::vector<double>> xs(chart.series.size()), ys(chart.series.size());
  double x_lo = std::numeric_limits<double>::infinity(), x_hi = -x_lo;
  double y_lo = x_lo, y_hi = -x_lo;
  bool all_positive = true;
  for (std::size_t k = 0; k < chart.series.size(); ++k) {
    thin(chart.series[k], xs[k], ys[k]);
    for (std::size_t i = 0; i < xs[k].size(); ++i) {
      if (!finite(xs[k][i]) || !finite(ys[k][i])) continue;
      x_lo = std::min(x_lo, xs[k][i]);
      x_hi = std::max(x_hi, xs[k][i]);
      y_lo = std::min(y_lo, ys[k][i]);
      y_hi = std::max(y_hi, ys[k][i]);
      if (ys[k][i] <= 0) all_positive = false;
    }
  }
  const bool has_data = finite(x_lo);

  std::string out = fmt::format(
      "<svg class=\"curve\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" "
      "viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{}\" font-family=\"sans-serif\" "
      "font-size=\"11\">\n<rect width=\"{}\" height=\"{}\" fill=\"white\"/>\n"
      "<text x=\"{}\" y=\"16\" font-size=\"12\" font-weight=\"bold\">{}</text>\n",
      w, h, w, h, html_escape(chart.title), w, h, kLeft, html_escape(chart.title));
  out += fmt::format(
      "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#999\"/>\n",
      kLeft, kTop, pw, ph);
  out += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#444\">{}</text>\n",
                     kLeft + pw / 2, h - 4, html_escape(chart.x_label));
  if (!has_data) {
    out += fmt::format(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"#888\">no data</text>\n</svg>\n",
        kLeft + pw / 2, kTop + ph / 2);
    return out;
  }

  // x axis: linear, nice ticks, the data range.
  if (x_hi == x_lo) {
    x_lo -= 1;
    x_hi += 1;
  }
  // y axis: log10 or linear, padded to whole ticks.
  const bool log_y = chart.log_y && all_positive;
  double v_lo = log_y ? std::log10(y_lo) : y_lo, v_hi = log_y ? std::log10(y_hi) : y_hi;
  std::vector<double> y_ticks;
  if (log_y) {
    v_lo = std::floor(v_lo);
    v_hi = std::max(std::ceil(v_hi), v_lo + 1);
    const double stride = std::max(1.0, std::ceil((v_hi - v_lo) / 6));
    for (double k = v_lo; k <= v_hi + 1e-9; k += stride) y_ticks.push_back(k);
  } else {
    if (v_hi == v_lo) {
      const double pad = v_lo == 0 ? 1 : std::abs(v_lo) * 0.1;
      v_lo -= pad;
      v_hi += pad;
    }
    y_ticks = nice_ticks(v_lo, v_hi, 5);
    const double step = y_ticks.size() > 1 ? y_ticks[1] - y_ticks[0] : (v_hi - v_lo);
    v_lo = std::min(v_lo, std::floor(v_lo / step + 1e-9) * step);
    v_hi = std::max(v_hi, std::ceil(v_hi / step - 1e-9) * step);
    y_ticks = nice_ticks(v_lo, v_hi, 5);
  }
  const auto px = [&](double x) { return kLeft + (x - x_lo) / (x_hi - x_lo) * pw; };
  const auto py = [&](double y) {
    const double v = log_y ? std::log10(y) : y;
    return kTop + ph - (v - v_lo) / (v_hi - v_lo) * ph;
  };

  for (double t : nice_ticks(x_lo, x_hi, 5)) {
    const double x = px(t);
    out += fmt::format(
        "<line x1=\"{0:.1f}\" y1=\"{1}\" x2=\"{0:.1f}\" y2=\"{2}\" stroke=\"#eee\"/>"
        "<text x=\"{0:.1f}\" y=\"{3}\" text-anchor=\"middle\" fill=\"#444\">{4}</text>\n",
        x, kTop, kTop + ph, kTop + ph + 13, short_number(t));
  }
  for (double t : y_ticks) {
    const double v = log_y ? std::pow(10.0, t) : t;
    const double y = kTop + ph - (t - v_lo) / (v_hi - v_lo) * ph;
    out += fmt::format(
        "<line x1=\"{0}\" y1=\"{1:.1f}\" x2=\"{2}\" y2=\"{1:.1f}\" stroke=\"#eee\"/>"
        "<text x=\"{3}\" y=\"{4:.1f}\" text-anchor=\"end\" fill=\"#444\">{5}</text>\n",
        kLeft, y, kLeft + pw, kLeft - 4, y + 4, short_number(v));
  }

  for (std::size_t k = 0; k < chart.series.size(); ++k) {
    const char* color = kPalette[k % kPalette.size()];
    out += fmt::format("<g stroke=\"{}\" fill=\"{}\"><title>{}</title>\n", color, color,
                       html_escape(chart.series[k].label));
    std::string points;
    int count = 0;
    const auto flush = [&] {
      if (count == 1) {
        const auto comma = points.find(',');
        out += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"2\"/>\n", points.substr(0, comma),
                           points.substr(comma + 1));
      } else if (count > 1) {
        out += "<polyline fill=\"none\" stroke-width=\"1.5\" points=\"" + points + "\"/>\n";
      }
      points.clear();
      count = 0;
    };
    for (std::size_t i = 0; i < xs[k].size(); ++i) {
      if (!finite(xs[k][i]) || !finite(ys[k][i]) || (log_y && ys[k][i] <= 0)) {
        flush();
        continue;
      }
      if (count > 0) points += ' ';
      points += fmt::format("{:.1f},{:.1f}", px(xs[k][i]), py(ys[k][i]));
      ++count;
    }
    flush();
    out += "</g>\n";
  }

  if (chart.series.size() > 1) {  // legend, top right inside the plot
    const std::size_t shown = std::min(chart.series.size(), kMaxLegend);
    for (std::size_t k = 0; k < shown; ++k) {
      const double y = kTop + 12 + 13.0 * static_cast<double>(k);
      const bool more = k + 1 == kMaxLegend && chart.series.size() > kMaxLegend;
      const std::string label =
          more ? fmt::format("+{} more", chart.series.size() - kMaxLegend + 1)
               : chart.series[k].label;
      out += fmt::format(
          "<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\" fill=\"{}\" "
          "stroke=\"white\" stroke-width=\"3\" paint-order=\"stroke\">{}</text>\n",
          kLeft + pw - 6, y, more ? "#444" : kPalette[k % kPalette.size()],
          html_escape(label));
    }
  }
  out += "</svg>\n";
  return out;
}

}  // namespace nsdf::report
