#pragma once
// Checks of the pictures experiments write: the panel is not blank, and the object is framed
// (centred, filling the panel as Render.h promises: its outline spans the inner frame in width
// or height).

#include <algorithm>
#include <string>

#include "geometry/Image.h"

namespace nsdf::test {

struct PanelCoverage {
  double fraction = 0;  ///< share of the panel's pixels that are not background
  int x_min = 0, x_max = -1, y_min = 0, y_max = -1;  ///< box around them, panel coordinates
  double centre_x() const { return 0.5 * (x_min + x_max + 1); }
  double centre_y() const { return 0.5 * (y_min + y_max + 1); }
};

/// Pixels of the w x h panel at (x0, y0) that differ from `background` by more than 8 levels.
inline PanelCoverage panel_coverage(const geometry::Image& im, int x0, int y0, int w, int h,
                                    geometry::Rgb8 background = {255, 255, 255}) {
  PanelCoverage c{0, w, -1, h, -1};
  int64_t covered = 0;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const geometry::Rgb8 p = im.pixel(x0 + x, y0 + y);
      bool differs = false;
      for (int k = 0; k < 3; ++k) differs |= std::abs(int(p[k]) - int(background[k])) > 8;
      if (!differs) continue;
      ++covered;
      c.x_min = std::min(c.x_min, x);
      c.x_max = std::max(c.x_max, x);
      c.y_min = std::min(c.y_min, y);
      c.y_max = std::max(c.y_max, y);
    }
  c.fraction = static_cast<double>(covered) / (static_cast<double>(w) * h);
  return c;
}

/// "" when the panel shows a framed object: >= 2% covered, the box around it centred (to 6% of
/// the panel) and spanning >= 85% of the panel's width or height. Otherwise what is wrong.
inline std::string framed_object_problem(const geometry::Image& im, int x0, int y0, int w,
                                         int h) {
  const PanelCoverage c = panel_coverage(im, x0, y0, w, h);
  if (c.fraction < 0.02) return "blank (" + std::to_string(c.fraction) + " covered)";
  if (std::abs(c.centre_x() - 0.5 * w) > 0.06 * w || std::abs(c.centre_y() - 0.5 * h) > 0.06 * h)
    return "off-centre (" + std::to_string(c.centre_x()) + ", " + std::to_string(c.centre_y()) +
           ")";
  if (c.x_max - c.x_min + 1 < 0.85 * w && c.y_max - c.y_min + 1 < 0.85 * h)
    return "not framed (" + std::to_string(c.x_max - c.x_min + 1) + " x " +
           std::to_string(c.y_max - c.y_min + 1) + " px)";
  return "";
}

}  // namespace nsdf::test
