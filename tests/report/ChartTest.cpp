#include "report/Chart.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <regex>
#include <string>

namespace nsdf::report {
namespace {

int count(const std::string& s, const std::string& what) {
  int n = 0;
  for (auto p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

// Every "x,y" pair of the polylines of an SVG.
std::vector<std::pair<double, double>> points_of(const std::string& svg) {
  std::vector<std::pair<double, double>> out;
  const std::regex poly("points=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), poly); it != std::sregex_iterator();
       ++it) {
    const std::string pts = (*it)[1];
    const std::regex pair("(-?[0-9.]+),(-?[0-9.]+)");
    for (auto p = std::sregex_iterator(pts.begin(), pts.end(), pair); p != std::sregex_iterator();
         ++p)
      out.emplace_back(std::stod((*p)[1]), std::stod((*p)[2]));
  }
  return out;
}

TEST(Chart, DrawsEachSeriesAsAPolylineInsideThePlot) {
  Chart c;
  c.title = "loss";
  c.series = {{"a", {1, 2, 3, 4}, {4, 3, 2, 1}}, {"b", {1, 2, 3, 4}, {1, 2, 3, 4}}};
  const std::string svg = chart_svg(c);
  EXPECT_EQ(svg.rfind("<svg class=\"curve\"", 0), 0u);
  EXPECT_EQ(count(svg, "<polyline"), 2);
  const auto pts = points_of(svg);
  ASSERT_EQ(pts.size(), 8u);
  for (const auto& [x, y] : pts) {
    EXPECT_GE(x, 0);
    EXPECT_LE(x, c.width);
    EXPECT_GE(y, 0);
    EXPECT_LE(y, c.height);
  }
  // Series a falls: its last point is lower on screen (larger y) than its first.
  EXPECT_GT(pts[3].second, pts[0].second);
  // The legend names both series.
  EXPECT_NE(svg.find(">a</text>"), std::string::npos);
  EXPECT_NE(svg.find(">b</text>"), std::string::npos);
}

TEST(Chart, NonFiniteValuesBreakTheLine) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  Chart c;
  c.series = {{"x", {1, 2, 3, 4, 5}, {1, 2, nan, 4, 5}}};
  const std::string svg = chart_svg(c);
  EXPECT_EQ(count(svg, "<polyline"), 2);
  EXPECT_EQ(points_of(svg).size(), 4u);
}

TEST(Chart, NoDataDrawsAFrameAndSaysSo) {
  Chart c;
  c.series = {{"x", {}, {}}};
  const std::string svg = chart_svg(c);
  EXPECT_EQ(count(svg, "<polyline"), 0);
  EXPECT_NE(svg.find("no data"), std::string::npos);
}

TEST(Chart, LongSeriesAreThinnedKeepingExtremes) {
  Chart c;
  Series s{"long", {}, {}};
  for (int i = 0; i < 100000; ++i) {
    s.x.push_back(i);
    s.y.push_back(i == 54321 ? 100.0 : 1.0);  // one spike
  }
  c.series = {s};
  const std::string svg = chart_svg(c);
  const auto pts = points_of(svg);
  EXPECT_LE(pts.size(), kMaxPointsPerSeries);
  double top = 1e9;
  for (const auto& p : pts) top = std::min(top, p.second);
  EXPECT_LT(top, 30);  // the spike reaches the top of the plot
}

TEST(Chart, LogAxisUsesPowersOfTen) {
  Chart c;
  c.log_y = true;
  c.series = {{"loss", {1, 2, 3}, {1.0, 0.01, 0.0001}}};
  const std::string svg = chart_svg(c);
  EXPECT_NE(svg.find(">1e-04<"), std::string::npos);
  EXPECT_NE(svg.find(">0.01<"), std::string::npos);
  // Equal ratios are equal distances on screen.
  const auto pts = points_of(svg);
  ASSERT_EQ(pts.size(), 3u);
  EXPECT_NEAR(pts[1].second - pts[0].second, pts[2].second - pts[1].second, 0.2);
}

TEST(Chart, LabelsAreEscaped) {
  Chart c;
  c.title = "a<b & \"c\"";
  c.series = {{"<x>", {1, 2}, {1, 2}}, {"y", {1, 2}, {2, 1}}};
  const std::string svg = chart_svg(c);
  EXPECT_EQ(svg.find("a<b"), std::string::npos);
  EXPECT_NE(svg.find("a&lt;b &amp; &quot;c&quot;"), std::string::npos);
  EXPECT_NE(svg.find("&lt;x&gt;"), std::string::npos);
}

TEST(Chart, NiceTicksAreRoundAndCoverTheRange) {
  EXPECT_EQ(nice_ticks(0, 10, 5), (std::vector<double>{0, 2, 4, 6, 8, 10}));
  EXPECT_EQ(nice_ticks(0.13, 0.87, 4), (std::vector<double>{0.2, 0.4, 0.6, 0.8}));
  EXPECT_EQ(short_number(0.000123), "1.23e-04");
  EXPECT_EQ(short_number(0.00123), "0.00123");
  EXPECT_EQ(short_number(1.5e-5), "1.5e-05");
  EXPECT_EQ(short_number(2000), "2000");
  EXPECT_EQ(short_number(-2.5e6), "-2.5e+06");
}

}  // namespace
}  // namespace nsdf::report
