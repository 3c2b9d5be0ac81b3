// render_panels: camera fitting, triangle and disc rasterization into a supersampled z-buffer,
// and the box-filter downsampling into the image.
#include "geometry/Render.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "core/Error.h"
#include "geometry/VecMath.h"

namespace nsdf::geometry {

namespace {

constexpr int kMaxSide = 16384;
constexpr int kMaxImageWidth = 65536;
// Supersampled rows per band: bands are rasterized in parallel, each by one thread, and every
// band draws its triangles in input order, so the result does not depend on the scheduling.
constexpr int kBandRows = 32;
constexpr int kCheckerSquare = 16;

// Lighting, as fractions of the base colour in linear light. The sRGB curve lifts dark values,
// so the key light must dominate for the shape to read; the head light (from the camera) keeps
// faces turned away from the key from going black, the ambient keeps creases from it.
// Ambient + head + key stays near 1, so a face facing both lights just reaches the base colour.
// The key light comes from the upper left and a little from the front, wrapped a little so that
// its terminator is soft.
constexpr double kAmbient = 0.12;
constexpr double kHead = 0.28;
constexpr double kKey = 0.7;
constexpr double kKeyWrap = 0.1;
const Vec3d kKeyDirection = {-0.6, 0.65, 0.45};  // view space: x right, y up, z to the camera

// Depth ramp for points, far to near: viridis at 0, 1/4, 1/2, 3/4, 1 (sRGB).
constexpr std::array<Rgb, 5> kDepthRamp = {{{0.267f, 0.005f, 0.329f},
                                            {0.229f, 0.322f, 0.546f},
                                            {0.128f, 0.567f, 0.551f},
                                            {0.369f, 0.789f, 0.383f},
                                            {0.993f, 0.906f, 0.144f}}};

float srgb_to_linear(float c) {
  return c <= 0.04045f ? c / 12.92f : std::pow((c + 0.055f) / 1.055f, 2.4f);
}

uint8_t linear_to_srgb8(float c) {
  c = std::clamp(c, 0.0f, 1.0f);
  const float s = c <= 0.0031308f ? 12.92f * c : 1.055f * std::pow(c, 1.0f / 2.4f) - 0.055f;
  return static_cast<uint8_t>(std::lround(s * 255.0f));
}

Rgb to_linear(const Rgb& c) {
  return {srgb_to_linear(c[0]), srgb_to_linear(c[1]), srgb_to_linear(c[2])};
}

// The brightness of a surface with unit view-space normal n facing the camera.
double light(const Vec3d& n) {
  static const Vec3d key = normalized(kKeyDirection);
  const double head = std::max(0.0, n[2]);
  const double wrapped = std::max(0.0, (dot(n, key) + kKeyWrap) / (1 + kKeyWrap));
  return kAmbient + kHead * head + kKey * wrapped;
}

Rgb scaled(const Rgb& c, double s) {
  return {static_cast<float>(c[0] * s), static_cast<float>(c[1] * s), static_cast<float>(c[2] * s)};
}

Rgb depth_color(double t) {  // t = 0 far, 1 near
  const double x = std::clamp(t, 0.0, 1.0) * (kDepthRamp.size() - 1);
  const size_t i = std::min(static_cast<size_t>(x), kDepthRamp.size() - 2);
  const double f = x - static_cast<double>(i);
  Rgb c;
  for (int k = 0; k < 3; ++k) {
    c[k] = static_cast<float>(kDepthRamp[i][k] * (1 - f) + kDepthRamp[i + 1][k] * f);
  }
  return c;
}

void check_options(const RenderOptions& o, size_t panels) {
  NSDF_CHECK(o.width >= 1 && o.width <= kMaxSide && o.height >= 1 && o.height <= kMaxSide,
             core::ConfigError, "render: panel size {} x {} must be within [1, {}]", o.width,
             o.height, kMaxSide);
  NSDF_CHECK(static_cast<int64_t>(o.width) * static_cast<int64_t>(panels) <= kMaxImageWidth,
             core::ConfigError, "render: {} panels of width {} make an image wider than {} pixels",
             panels, o.width, kMaxImageWidth);
  NSDF_CHECK(std::isfinite(o.azimuth) && std::isfinite(o.elevation), core::ConfigError,
             "render: azimuth {} and elevation {} must be finite", o.azimuth, o.elevation);
  NSDF_CHECK(o.fov > 0 && o.fov < 170, core::ConfigError, "render: fov = {} must be in (0, 170)",
             o.fov);
  NSDF_CHECK(o.margin >= 0 && o.margin <= 0.9, core::ConfigError,
             "render: margin = {} must be in [0, 0.9]", o.margin);
  NSDF_CHECK(o.supersample >= 1 && o.supersample <= 8, core::ConfigError,
             "render: supersample = {} must be in [1, 8]", o.supersample);
  NSDF_CHECK(std::isfinite(o.point_radius) && o.point_radius >= 0, core::ConfigError,
             "render: point_radius = {} must be >= 0 (0: automatic)", o.point_radius);
}

Rgb checked_color(const std::optional<Rgb>& item, const Rgb& fallback, const char* what) {
  const Rgb c = item.value_or(fallback);
  for (const float x : c) {
    NSDF_CHECK(x >= 0 && x <= 1, core::ConfigError,
               "render: {} ({}, {}, {}) must have components in [0, 1]", what, c[0], c[1], c[2]);
  }
  return c;
}

void check_item(const RenderItem& item, size_t panel, size_t index) {
  const auto& V = *item.V;
  for (size_t i = 0; i < V.size(); ++i) {
    NSDF_CHECK(finite(V[i]), core::DataError,
               "render: panel {} item {}: vertex {} ({}, {}, {}) is not finite", panel, index, i,
               V[i][0], V[i][1], V[i][2]);
  }
  NSDF_CHECK(item.N->empty() || item.N->size() == V.size(), core::DataError,
             "render: panel {} item {}: {} normals for {} vertices", panel, index, item.N->size(),
             V.size());
  for (size_t i = 0; i < item.N->size(); ++i) {
    NSDF_CHECK(finite((*item.N)[i]), core::DataError,
               "render: panel {} item {}: normal {} is not finite", panel, index, i);
  }
  if (item.F == nullptr) return;
  const auto nv = static_cast<int64_t>(V.size());
  for (size_t f = 0; f < item.F->size(); ++f) {
    for (const int32_t v : (*item.F)[f]) {
      NSDF_CHECK(v >= 0 && v < nv, core::DataError,
                 "render: panel {} item {}: face {} has vertex index {} (the mesh has {} "
                 "vertices)",
                 panel, index, f, v, nv);
    }
  }
}

/// Where the camera is and how view coordinates map to pixels.
struct Camera {
  Vec3d center{0, 0, 0};
  // View basis: right, up, and `back` from the centre to the camera.
  Vec3d right{1, 0, 0};
  Vec3d up{0, 1, 0};
  Vec3d back{0, 0, 1};
  bool perspective = true;
  // Pixels (of the final image) per unit at the centre's depth (orthographic: everywhere).
  double focal = 1;
  // Perspective: distance from the centre to the camera.
  double distance = 1;
  // Where the view axis lands, in pixels from the panel centre: the image is shifted (a lens
  // shift, for perspective) so that the object's outline, not its bounding-box centre, is
  // centred — the two differ for any asymmetric object seen at an angle.
  double shift_x = 0;
  double shift_y = 0;
  // View-space depth range of everything drawn, for depth colouring (z towards the camera).
  double z_near = 0;
  double z_far = 0;

  Vec3d view(const Vec3f& p) const {
    const Vec3d d = sub(to_double(p), center);
    return {dot(d, right), dot(d, up), dot(d, back)};
  }
  // Offset from the panel centre in final pixels (x right, y up) and the depth key: larger is
  // nearer. The key is z (orthographic) or 1 / (distance - z) (perspective): both are affine in
  // screen space over a triangle, so they interpolate linearly between its corners.
  Vec3d project(const Vec3d& v) const {
    if (!perspective) return {focal * v[0] + shift_x, focal * v[1] + shift_y, v[2]};
    const double inv = 1.0 / (distance - v[2]);
    return {focal * v[0] * inv + shift_x, focal * v[1] * inv + shift_y, inv};
  }
};

/// The extent of projected points, in pixels before the shift.
struct Extent {
  double x_min = std::numeric_limits<double>::infinity();
  double x_max = -std::numeric_limits<double>::infinity();
  double y_min = std::numeric_limits<double>::infinity();
  double y_max = -std::numeric_limits<double>::infinity();

  void add(double x, double y) {
    x_min = std::min(x_min, x);
    x_max = std::max(x_max, x);
    y_min = std::min(y_min, y);
    y_max = std::max(y_max, y);
  }
};

Extent projected_extent(const std::vector<Vec3d>& view, const Camera& cam) {
  Extent e;
  for (const Vec3d& v : view) {
    const Vec3d p = cam.project(v);
    e.add(p[0], p[1]);
  }
  return e;
}

Camera fit_camera(const std::vector<RenderPanel>& panels, const RenderOptions& o) {
  Camera cam;
  Vec3d lo, hi;
  lo.fill(std::numeric_limits<double>::infinity());
  hi.fill(-std::numeric_limits<double>::infinity());
  size_t count = 0;
  for (const auto& panel : panels) {
    for (const auto& item : panel) {
      count += item.V->size();
      for (const Vec3f& p : *item.V) {
        for (int k = 0; k < 3; ++k) {
          lo[k] = std::min(lo[k], static_cast<double>(p[k]));
          hi[k] = std::max(hi[k], static_cast<double>(p[k]));
        }
      }
    }
  }
  for (int k = 0; k < 3; ++k) cam.center[k] = 0.5 * (lo[k] + hi[k]);
  const double az = o.azimuth * M_PI / 180;
  const double el = o.elevation * M_PI / 180;
  cam.back = {std::sin(az) * std::cos(el), std::sin(el), std::cos(az) * std::cos(el)};
  // world up x back, normalized: well defined even looking straight down or up.
  cam.right = {std::cos(az), 0, -std::sin(az)};
  cam.up = cross(cam.back, cam.right);
  cam.perspective = o.projection == Projection::Perspective;

  std::vector<Vec3d> view;
  view.reserve(count);
  double radius = 0;
  cam.z_near = -std::numeric_limits<double>::infinity();
  cam.z_far = std::numeric_limits<double>::infinity();
  for (const auto& panel : panels) {
    for (const auto& item : panel) {
      for (const Vec3f& p : *item.V) {
        const Vec3d& v = view.emplace_back(cam.view(p));
        radius = std::max(radius, length(v));
        cam.z_near = std::max(cam.z_near, v[2]);
        cam.z_far = std::min(cam.z_far, v[2]);
      }
    }
  }
  if (radius == 0) radius = 1;  // a single point: any scale frames it

  // The frame inside the margin; the object fits when its projected extent is at most this
  // wide and high, and is then centred by the shift.
  const double inner_w = (1 - o.margin) * o.width;
  const double inner_h = (1 - o.margin) * o.height;
  const auto fits = [&](const Extent& e) {
    return e.x_max - e.x_min <= inner_w && e.y_max - e.y_min <= inner_h;
  };
  if (cam.perspective) {
    // A vertex at view (x, y, z) lands focal * x / (distance - z) pixels from the axis, so with
    // the object centred on the axis it fits when distance >= z + focal * |x| / (inner_w / 2)
    // (and the same for y): that distance always fits. Shifting the image lets the camera come
    // closer until the extent itself fills the frame; the extent shrinks as the camera backs
    // away, so bisection between the nearest vertex and that distance finds where. The camera
    // stays a little in front of the nearest vertex, never on it.
    cam.focal = 0.5 * o.height / std::tan(0.5 * o.fov * M_PI / 180);
    double near = cam.z_near + 1e-3 * radius;
    double far = near;
    for (const Vec3d& v : view) {
      const double need = std::max(std::abs(v[0]) / inner_w, std::abs(v[1]) / inner_h) * 2;
      far = std::max(far, v[2] + cam.focal * need);
    }
    // 50 halvings bring the interval below 1e-15 of its length: exact to the pixel.
    for (int i = 0; i < 50 && far > near; ++i) {
      cam.distance = 0.5 * (near + far);
      (fits(projected_extent(view, cam)) ? far : near) = cam.distance;
    }
    cam.distance = far;
  } else {
    cam.focal = 1;
    const Extent unit = projected_extent(view, cam);
    const double w = unit.x_max - unit.x_min;
    const double h = unit.y_max - unit.y_min;
    cam.focal = std::min(w > 0 ? inner_w / w : std::numeric_limits<double>::infinity(),
                         h > 0 ? inner_h / h : std::numeric_limits<double>::infinity());
    if (!std::isfinite(cam.focal)) cam.focal = 0.5 * std::min(inner_w, inner_h) / radius;
  }
  const Extent e = projected_extent(view, cam);
  cam.shift_x = -0.5 * (e.x_min + e.x_max);
  cam.shift_y = -0.5 * (e.y_min + e.y_max);
  return cam;
}

/// A triangle in supersampled pixel coordinates, counter-clockwise on screen (y down).
struct ScreenTri {
  std::array<double, 3> x, y;
  std::array<double, 3> key;
  Rgb color;  // linear light
};

/// A point as a disc in supersampled pixel coordinates.
struct ScreenDisc {
  double x, y, key, radius;
  Rgb color;  // linear light, before the sphere shading
};

/// The supersampled colour and depth buffers of one panel.
struct Target {
  int width = 0;   // samples
  int height = 0;  // samples
  std::vector<float> key;
  std::vector<Rgb> color;

  Target(int w, int h)
      : width(w),
        height(h),
        key(static_cast<size_t>(w) * h, -std::numeric_limits<float>::infinity()),
        color(static_cast<size_t>(w) * h) {}

  void write(int x, int y, double depth_key, const Rgb& c) {
    const size_t i = static_cast<size_t>(y) * width + x;
    const auto k = static_cast<float>(depth_key);
    // Strict: among equal depths the first drawn stays, as in input order.
    if (k > key[i]) {
      key[i] = k;
      color[i] = c;
    }
  }
};

// Sample (x, y) has its centre at (x + 0.5, y + 0.5); these give the samples whose centres lie
// in [lo, hi].
int first_sample(double lo) { return static_cast<int>(std::ceil(lo - 0.5)); }
int last_sample(double hi) { return static_cast<int>(std::floor(hi - 0.5)); }

double edge(double ax, double ay, double bx, double by, double px, double py) {
  return (bx - ax) * (py - ay) - (by - ay) * (px - ax);
}

// The edge function with the endpoints taken in a fixed order, so that the two triangles sharing
// an edge get exactly opposite values at every sample (edge(a, b) and edge(b, a) round
// differently): with inclusive tests no sample then falls between them, and no background or
// back face shows through a closed mesh.
double shared_edge(double ax, double ay, double bx, double by, double px, double py) {
  if (ax < bx || (ax == bx && ay < by)) return edge(ax, ay, bx, by, px, py);
  return -edge(bx, by, ax, ay, px, py);
}

void draw_triangle(const ScreenTri& t, int row_begin, int row_end, Target& target) {
  const int x0 = std::max(0, first_sample(std::min({t.x[0], t.x[1], t.x[2]})));
  const int x1 = std::min(target.width - 1, last_sample(std::max({t.x[0], t.x[1], t.x[2]})));
  const int y0 = std::max(row_begin, first_sample(std::min({t.y[0], t.y[1], t.y[2]})));
  const int y1 = std::min(row_end - 1, last_sample(std::max({t.y[0], t.y[1], t.y[2]})));
  for (int y = y0; y <= y1; ++y) {
    const double py = y + 0.5;
    for (int x = x0; x <= x1; ++x) {
      const double px = x + 0.5;
      // Inclusive on all edges: a sample on an edge shared by two triangles is drawn by both
      // (the z-test picks one), never by neither, so meshes have no cracks.
      const double w0 = shared_edge(t.x[1], t.y[1], t.x[2], t.y[2], px, py);
      if (w0 < 0) continue;
      const double w1 = shared_edge(t.x[2], t.y[2], t.x[0], t.y[0], px, py);
      if (w1 < 0) continue;
      const double w2 = shared_edge(t.x[0], t.y[0], t.x[1], t.y[1], px, py);
      if (w2 < 0) continue;
      // Normalized by the sum rather than the triangle's area: for a sliver, rounding makes the
      // two differ by much more than the area itself, and the depth would be garbage.
      const double sum = w0 + w1 + w2;
      if (!(sum > 0)) continue;
      const double key = (w0 * t.key[0] + w1 * t.key[1] + w2 * t.key[2]) / sum;
      target.write(x, y, key, t.color);
    }
  }
}

void draw_disc(const ScreenDisc& d, int row_begin, int row_end, Target& target) {
  const int x0 = std::max(0, first_sample(d.x - d.radius));
  const int x1 = std::min(target.width - 1, last_sample(d.x + d.radius));
  const int y0 = std::max(row_begin, first_sample(d.y - d.radius));
  const int y1 = std::min(row_end - 1, last_sample(d.y + d.radius));
  const double inv_r = 1.0 / d.radius;
  for (int y = y0; y <= y1; ++y) {
    const double dy = (y + 0.5 - d.y) * inv_r;
    for (int x = x0; x <= x1; ++x) {
      const double dx = (x + 0.5 - d.x) * inv_r;
      const double r2 = dx * dx + dy * dy;
      if (r2 > 1) continue;
      // Shaded as the front half of a small sphere, so points read as round and lit like the
      // surface they sample.
      const Vec3d n{dx, -dy, std::sqrt(1 - r2)};
      target.write(x, y, d.key, scaled(d.color, light(n)));
    }
  }
}

double auto_point_radius(const RenderOptions& o, size_t points) {
  // N samples of a surface, about half of them facing the camera, spread over about the framed
  // disc of radius R (pixels): a disc of radius r per point covers it about twice over when
  // pi r^2 N / 2 = 2 pi R^2, that is r = 2 R / sqrt(N). Less leaves visible holes between
  // regularly spaced samples; more makes the cloud blobby.
  const double frame = (1 - o.margin) * 0.5 * std::min(o.width, o.height);
  const double r = 2 * frame / std::sqrt(static_cast<double>(std::max<size_t>(points, 1)));
  return std::clamp(r, 0.75, std::max(1.5, 0.01 * std::min(o.width, o.height)));
}

void render_panel(const RenderPanel& panel, const Camera& cam, const RenderOptions& o, int x_offset,
                  Image& image) {
  const int s = o.supersample;
  Target target(o.width * s, o.height * s);
  const double cx = 0.5 * o.width;
  const double cy = 0.5 * o.height;
  const auto to_screen = [&](const Vec3d& proj) {
    return std::array<double, 2>{s * (cx + proj[0]), s * (cy - proj[1])};
  };

  std::vector<ScreenTri> tris;
  std::vector<ScreenDisc> discs;
  for (const RenderItem& item : panel) {
    const Rgb base = to_linear(checked_color(item.color, o.base_color, "colour"));
    const auto& V = *item.V;
    std::vector<Vec3d> view(V.size());
    std::vector<Vec3d> proj(V.size());
    for (size_t i = 0; i < V.size(); ++i) {
      view[i] = cam.view(V[i]);
      proj[i] = cam.project(view[i]);
    }
    if (item.F != nullptr && !item.F->empty()) {
      for (const Tri& f : *item.F) {
        ScreenTri t;
        for (int k = 0; k < 3; ++k) {
          const auto p = to_screen(proj[f[k]]);
          t.x[k] = p[0];
          t.y[k] = p[1];
          t.key[k] = proj[f[k]][2];
        }
        const double area2 = edge(t.x[0], t.y[0], t.x[1], t.y[1], t.x[2], t.y[2]);
        if (!(std::abs(area2) > 0)) continue;  // edge-on or degenerate: covers no sample
        const Vec3d& a = view[f[0]];
        const Vec3d& b = view[f[1]];
        const Vec3d& c = view[f[2]];
        Vec3d n = normalized(cross(sub(b, a), sub(c, a)));
        // Counter-clockwise in the world (the front) is clockwise on screen, y pointing down:
        // area2 < 0. Seen from behind, the face is lit as if its normal pointed to the camera.
        if (area2 > 0) {
          n = {-n[0], -n[1], -n[2]};
        } else {
          // The edge tests want the winding with positive area.
          std::swap(t.x[1], t.x[2]);
          std::swap(t.y[1], t.y[2]);
          std::swap(t.key[1], t.key[2]);
        }
        t.color = scaled(base, light(n));
        tris.push_back(t);
      }
      continue;
    }
    // Points.
    const auto& N = *item.N;
    PointColoring coloring = o.point_coloring;
    if (coloring == PointColoring::Auto) {
      coloring = N.empty() ? PointColoring::Depth : PointColoring::Normal;
    }
    NSDF_CHECK(coloring != PointColoring::Normal || !N.empty(), core::DataError,
               "render: points coloured by normal, but the points have no normals");
    const double radius =
        (o.point_radius > 0 ? o.point_radius : auto_point_radius(o, V.size())) * s;
    const double depth_range = cam.z_near - cam.z_far;
    for (size_t i = 0; i < V.size(); ++i) {
      Rgb color = base;
      if (coloring == PointColoring::Normal) {
        const Vec3d n = normalized(to_double(N[i]));
        color =
            to_linear({static_cast<float>(0.5 * (n[0] + 1)), static_cast<float>(0.5 * (n[1] + 1)),
                       static_cast<float>(0.5 * (n[2] + 1))});
      } else if (coloring == PointColoring::Depth) {
        const double t = depth_range > 0 ? (view[i][2] - cam.z_far) / depth_range : 1.0;
        color = to_linear(depth_color(t));
      }
      const auto p = to_screen(proj[i]);
      discs.push_back({p[0], p[1], proj[i][2], radius, color});
    }
  }

  // Bin by bands of rows, in input order.
  const int bands = (target.height + kBandRows - 1) / kBandRows;
  std::vector<std::vector<int32_t>> band_tris(static_cast<size_t>(bands));
  std::vector<std::vector<int32_t>> band_discs(static_cast<size_t>(bands));
  const auto bin = [&](double y_min, double y_max, int32_t index,
                       std::vector<std::vector<int32_t>>& bins) {
    const int y0 = std::max(0, first_sample(y_min));
    const int y1 = std::min(target.height - 1, last_sample(y_max));
    for (int b = y0 / kBandRows; y0 <= y1 && b <= y1 / kBandRows; ++b) bins[b].push_back(index);
  };
  for (size_t i = 0; i < tris.size(); ++i) {
    const ScreenTri& t = tris[i];
    bin(std::min({t.y[0], t.y[1], t.y[2]}), std::max({t.y[0], t.y[1], t.y[2]}),
        static_cast<int32_t>(i), band_tris);
  }
  for (size_t i = 0; i < discs.size(); ++i) {
    bin(discs[i].y - discs[i].radius, discs[i].y + discs[i].radius, static_cast<int32_t>(i),
        band_discs);
  }
  tbb::parallel_for(tbb::blocked_range<int>(0, bands), [&](const tbb::blocked_range<int>& r) {
    for (int b = r.begin(); b < r.end(); ++b) {
      const int row_begin = b * kBandRows;
      const int row_end = std::min(target.height, row_begin + kBandRows);
      for (const int32_t i : band_tris[b]) draw_triangle(tris[i], row_begin, row_end, target);
      for (const int32_t i : band_discs[b]) draw_disc(discs[i], row_begin, row_end, target);
    }
  });

  // Box filter in linear light: s x s samples per pixel, empty samples showing the background.
  const Rgb white = {1, 1, 1};
  const Rgb grey = to_linear({0.9f, 0.9f, 0.9f});
  const float inv = 1.0f / static_cast<float>(s * s);
  tbb::parallel_for(tbb::blocked_range<int>(0, o.height), [&](const tbb::blocked_range<int>& r) {
    for (int y = r.begin(); y < r.end(); ++y) {
      for (int x = 0; x < o.width; ++x) {
        const bool dark_square = o.background == Background::Checker &&
                                 (x / kCheckerSquare + y / kCheckerSquare) % 2 == 1;
        const Rgb& background = dark_square ? grey : white;
        Rgb sum = {0, 0, 0};
        for (int sy = 0; sy < s; ++sy) {
          for (int sx = 0; sx < s; ++sx) {
            const size_t i = static_cast<size_t>(y * s + sy) * target.width + (x * s + sx);
            const Rgb& c = target.key[i] == -std::numeric_limits<float>::infinity()
                               ? background
                               : target.color[i];
            for (int k = 0; k < 3; ++k) sum[k] += c[k];
          }
        }
        image.set_pixel(x_offset + x, y,
                        {linear_to_srgb8(sum[0] * inv), linear_to_srgb8(sum[1] * inv),
                         linear_to_srgb8(sum[2] * inv)});
      }
    }
  });
}

void check_panels(const std::vector<RenderPanel>& panels, const RenderOptions& options) {
  NSDF_CHECK(!panels.empty(), core::DataError, "render: nothing to draw (no panels)");
  check_options(options, panels.size());
  checked_color(options.base_color, options.base_color, "base_color");
  size_t vertices = 0;
  for (size_t p = 0; p < panels.size(); ++p) {
    for (size_t i = 0; i < panels[p].size(); ++i) {
      check_item(panels[p][i], p, i);
      vertices += panels[p][i].V->size();
    }
  }
  NSDF_CHECK(vertices > 0, core::DataError, "render: nothing to draw (no vertices in {} panel{})",
             panels.size(), panels.size() == 1 ? "" : "s");
}

Image draw_panels(const std::vector<RenderPanel>& panels, const Camera& cam,
                  const RenderOptions& options) {
  Image image(options.width * static_cast<int>(panels.size()), options.height);
  for (size_t p = 0; p < panels.size(); ++p) {
    render_panel(panels[p], cam, options, static_cast<int>(p) * options.width, image);
  }
  return image;
}

}  // namespace

Image render_panels(const std::vector<RenderPanel>& panels, const RenderOptions& options) {
  check_panels(panels, options);
  return draw_panels(panels, fit_camera(panels, options), options);
}

std::vector<Image> render_turntable(const std::vector<RenderPanel>& panels,
                                    const RenderOptions& options, int frames) {
  NSDF_CHECK(frames >= 1 && frames <= 3600, core::ConfigError,
             "render: turntable frames = {} must be in [1, 3600]", frames);
  check_panels(panels, options);
  std::vector<RenderOptions> per_frame(static_cast<size_t>(frames), options);
  std::vector<Camera> cams;
  double distance = 0, focal = std::numeric_limits<double>::infinity();
  for (int k = 0; k < frames; ++k) {
    per_frame[static_cast<size_t>(k)].azimuth = options.azimuth + 360.0 * k / frames;
    cams.push_back(fit_camera(panels, per_frame[static_cast<size_t>(k)]));
    distance = std::max(distance, cams.back().distance);
    focal = std::min(focal, cams.back().focal);
  }
  // One scale for every frame, the one that fits the widest view: the farthest camera
  // (perspective) or the smallest scale (orthographic); each frame is centred again.
  std::vector<Image> images;
  for (int k = 0; k < frames; ++k) {
    Camera& cam = cams[static_cast<size_t>(k)];
    if (cam.perspective)
      cam.distance = distance;
    else
      cam.focal = focal;
    cam.shift_x = cam.shift_y = 0;
    std::vector<Vec3d> view;
    for (const auto& panel : panels)
      for (const auto& item : panel)
        for (const Vec3f& p : *item.V) view.push_back(cam.view(p));
    const Extent e = projected_extent(view, cam);
    cam.shift_x = -0.5 * (e.x_min + e.x_max);
    cam.shift_y = -0.5 * (e.y_min + e.y_max);
    images.push_back(draw_panels(panels, cam, per_frame[static_cast<size_t>(k)]));
  }
  return images;
}

Image render(const Mesh& mesh, const RenderOptions& options) {
  return render_panels({{RenderItem(mesh)}}, options);
}

Image render(const PointCloud& cloud, const RenderOptions& options) {
  return render_panels({{RenderItem(cloud)}}, options);
}

}  // namespace nsdf::geometry
