#include <gtest/gtest.h>
#include <tbb/global_control.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <set>

#include "TestMeshes.h"
#include "core/Error.h"
#include "geometry/Render.h"

namespace nsdf::geometry {
namespace {

using test_meshes::float_icosphere;

const Rgb8 kWhite = {255, 255, 255};

// An axis-aligned box with half extents h, faces counter-clockwise seen from outside.
Mesh box(Vec3f h) {
  Mesh m;
  for (int i = 0; i < 8; ++i) {
    m.V.push_back({i & 1 ? h[0] : -h[0], i & 2 ? h[1] : -h[1], i & 4 ? h[2] : -h[2]});
  }
  m.F = {{0, 2, 3}, {0, 3, 1}, {4, 5, 7}, {4, 7, 6}, {0, 1, 5}, {0, 5, 4},
         {2, 6, 7}, {2, 7, 3}, {0, 4, 6}, {0, 6, 2}, {1, 3, 7}, {1, 7, 5}};
  return m;
}

// A square in the plane z at (x, y) of half size h, facing +z.
Mesh quad(float x, float y, float z, float h) {
  Mesh m;
  m.V = {{x - h, y - h, z}, {x + h, y - h, z}, {x + h, y + h, z}, {x - h, y + h, z}};
  m.F = {{0, 1, 2}, {0, 2, 3}};
  return m;
}

struct Coverage {
  int64_t pixels = 0;
  double cx = 0;
  double cy = 0;
};

Coverage coverage(const Image& image, Rgb8 background = kWhite) {
  Coverage c;
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      if (image.pixel(x, y) == background) continue;
      ++c.pixels;
      c.cx += x + 0.5;
      c.cy += y + 0.5;
    }
  }
  if (c.pixels > 0) c.cx /= c.pixels, c.cy /= c.pixels;
  return c;
}

// The mean colour of the covered pixels in the (2 k + 1)^2 window around (x, y): points leave
// small gaps between them.
std::array<double, 3> mean_covered(const Image& image, int x, int y, int k = 3) {
  std::array<double, 3> sum{0, 0, 0};
  int n = 0;
  for (int v = y - k; v <= y + k; ++v) {
    for (int u = x - k; u <= x + k; ++u) {
      const Rgb8 c = image.pixel(u, v);
      if (c == kWhite) continue;
      for (int i = 0; i < 3; ++i) sum[i] += c[i];
      ++n;
    }
  }
  for (double& s : sum) s /= std::max(n, 1);
  return sum;
}

TEST(Render, OrthographicSphereCoversItsDiscCentred) {
  RenderOptions o;
  o.width = o.height = 200;
  o.projection = Projection::Orthographic;
  o.supersample = 1;  // a pixel is covered exactly when its centre is
  o.margin = 0.1;
  const Image image = render(float_icosphere(4), o);
  ASSERT_EQ(image.width, 200);
  ASSERT_EQ(image.height, 200);
  const Coverage c = coverage(image);
  // The sphere's outline reaches the inner frame: radius (1 - margin) * half size.
  const double r = (1 - o.margin) * 100;
  EXPECT_NEAR(c.pixels / (200.0 * 200.0) / (M_PI * r * r / (200.0 * 200.0)), 1.0, 0.02);
  EXPECT_NEAR(c.cx, 100, 0.5);
  EXPECT_NEAR(c.cy, 100, 0.5);
}

TEST(Render, PerspectiveSphereIsFramedAndCentredFromAnyDirection) {
  RenderOptions o;
  o.width = 160;
  o.height = 120;
  o.margin = 0.05;
  for (const double az : {0.0, 75.0, -140.0}) {
    o.azimuth = az;
    o.elevation = az / 3;
    const Image image = render(float_icosphere(3, 2.0f, {5, -1, 3}), o);
    const Coverage c = coverage(image);
    EXPECT_NEAR(c.cx, 80, 1.0) << az;
    EXPECT_NEAR(c.cy, 60, 1.0) << az;
    // The outline touches the shorter side's inner frame: top and bottom rows stay empty,
    // rows just inside the margin are reached.
    int top = image.height, bottom = -1;
    for (int y = 0; y < image.height; ++y) {
      for (int x = 0; x < image.width; ++x) {
        if (image.pixel(x, y) != kWhite) top = std::min(top, y), bottom = std::max(bottom, y);
      }
    }
    EXPECT_GE(top, 2) << az;
    EXPECT_LE(top, 5) << az;
    EXPECT_LE(bottom, 117) << az;
    EXPECT_GE(bottom, 114) << az;
  }
}

// The rows and columns that hold covered pixels: {x_min, x_max, y_min, y_max}.
std::array<int, 4> covered_box(const Image& image, int x0 = 0, int x1 = -1) {
  if (x1 < 0) x1 = image.width;
  std::array<int, 4> b = {image.width, -1, image.height, -1};
  for (int y = 0; y < image.height; ++y) {
    for (int x = x0; x < x1; ++x) {
      if (image.pixel(x, y) == kWhite) continue;
      b = {std::min(b[0], x), std::max(b[1], x), std::min(b[2], y), std::max(b[3], y)};
    }
  }
  return b;
}

TEST(Render, LopsidedObjectsAreCentredAndFillTheInnerFrame) {
  // A box with a ball far off to one side: its bounding-box centre is far from the centre of
  // its outline, which is what gets centred.
  Mesh m = box({0.5f, 0.5f, 0.5f});
  const Mesh ball = float_icosphere(2, 0.3f, {2.5f, 1.2f, -0.4f});
  const auto offset = static_cast<int32_t>(m.V.size());
  m.V.insert(m.V.end(), ball.V.begin(), ball.V.end());
  for (const Tri& f : ball.F) m.F.push_back({f[0] + offset, f[1] + offset, f[2] + offset});
  for (const Projection projection : {Projection::Perspective, Projection::Orthographic}) {
    RenderOptions o;
    o.width = 120;
    o.height = 100;
    o.azimuth = 40;
    o.elevation = 25;
    o.projection = projection;
    const auto [x_min, x_max, y_min, y_max] = covered_box(render(m, o));
    EXPECT_NEAR(0.5 * (x_min + x_max + 1), 60, 1.0);
    EXPECT_NEAR(0.5 * (y_min + y_max + 1), 50, 1.0);
    // The inner frame is 3 pixels in from the sides and 2.5 from the top and bottom.
    EXPECT_TRUE((x_min >= 2 && x_min <= 3) || (y_min >= 2 && y_min <= 3)) << x_min << " " << y_min;
    EXPECT_GE(x_min, 2);
    EXPECT_GE(y_min, 2);
  }
}

TEST(Render, TurntableFramesShareOneScale) {
  // A long box seen from the side at elevation 0: its height (y, which the turn does not change)
  // must be the same number of pixels in every frame; fitting each frame on its own would blow
  // it up whenever the box is seen end-on.
  const Mesh m = box({1.0f, 0.25f, 0.25f});
  RenderOptions o;
  o.width = o.height = 96;
  o.azimuth = 0;
  o.elevation = 0;
  o.projection = Projection::Orthographic;
  const std::vector<Image> frames = render_turntable({{m}}, o, 4);
  ASSERT_EQ(frames.size(), 4u);
  std::vector<int> heights, widths;
  for (const Image& f : frames) {
    EXPECT_EQ(f.width, 96);
    const auto [x_min, x_max, y_min, y_max] = covered_box(f);
    heights.push_back(y_max - y_min);
    widths.push_back(x_max - x_min);
    EXPECT_NEAR(0.5 * (x_min + x_max + 1), 48, 1.0);  // every frame centred
  }
  for (int h : heights) EXPECT_NEAR(h, heights[0], 1);
  // Side views (azimuth 0, 180) show the length, end views (90, 270) a quarter of it; the side
  // view fills the inner frame.
  EXPECT_NEAR(widths[0], 4 * widths[1], 3);
  EXPECT_GE(widths[0], 88);
  EXPECT_THROW(render_turntable({{m}}, o, 0), core::ConfigError);
}

TEST(Render, BoxFacingTheCameraIsOneFlatColour) {
  for (const Projection projection : {Projection::Orthographic, Projection::Perspective}) {
    RenderOptions o;
    o.width = o.height = 100;
    o.azimuth = 0;
    o.elevation = 0;
    o.projection = projection;
    const Image image = render(box({1.0f, 0.6f, 0.8f}), o);
    // Pixels whose 3 x 3 neighbourhood is all covered (anti-aliased edges excluded).
    std::set<Rgb8> inner;
    int64_t count = 0;
    for (int y = 1; y + 1 < image.height; ++y) {
      for (int x = 1; x + 1 < image.width; ++x) {
        bool covered = true;
        for (int dy = -1; dy <= 1; ++dy) {
          for (int dx = -1; dx <= 1; ++dx) covered &= image.pixel(x + dx, y + dy) != kWhite;
        }
        if (covered) inner.insert(image.pixel(x, y)), ++count;
      }
    }
    EXPECT_EQ(inner.size(), 1u);
    // The box is wider than tall: it spans the width's inner frame, 60% of that in height.
    EXPECT_GT(count, 0.9 * 0.95 * 95 * 0.6 * 95);
    const Coverage c = coverage(image);
    EXPECT_NEAR(c.cx, 50, 0.5);
    EXPECT_NEAR(c.cy, 50, 0.5);
  }
}

TEST(Render, NearerSurfacesHideFartherOnes) {
  // A red square at z = 0 and a green one in front of it (z = 0.5), shifted right and up; the
  // camera looks down -z. Whichever is drawn first, the green one covers the overlap.
  const Mesh far = quad(0, 0, 0, 1);
  const Mesh near = quad(0.8f, 0.8f, 0.5f, 1);
  const Rgb red = {1, 0, 0};
  const Rgb green = {0, 1, 0};
  RenderOptions o;
  o.width = o.height = 120;
  o.azimuth = 0;
  o.elevation = 0;
  o.projection = Projection::Orthographic;
  const Image a = render_panels({{RenderItem(far, red), RenderItem(near, green)}}, o);
  const Image b = render_panels({{RenderItem(near, green), RenderItem(far, red)}}, o);
  EXPECT_EQ(a.rgb, b.rgb);
  // The union spans [-1, 1.8] in x and y: centre 0.4, half size 1.4.
  const auto pixel_of = [&](double x, double y) {
    const double scale = (1 - o.margin) * 60 / 1.4;
    return a.pixel(static_cast<int>(60 + (x - 0.4) * scale),
                   static_cast<int>(60 - (y - 0.4) * scale));
  };
  const Rgb8 overlap = pixel_of(0.4, 0.4);
  EXPECT_GT(overlap[1], 100);
  EXPECT_EQ(overlap[0], 0);
  const Rgb8 only_far = pixel_of(-0.6, -0.6);
  EXPECT_GT(only_far[0], 100);
  EXPECT_EQ(only_far[1], 0);
  const Rgb8 only_near = pixel_of(1.4, 1.4);
  EXPECT_EQ(only_near, overlap);
}

TEST(Render, PanelsShareOneCamera) {
  RenderOptions o;
  o.width = 64;
  o.height = 48;
  const Mesh sphere = float_icosphere(2);
  const Mesh small = float_icosphere(2, 0.25f);
  const Image image = render_panels({{sphere}, {small}, {sphere}}, o);
  EXPECT_EQ(image.width, 3 * 64);
  EXPECT_EQ(image.height, 48);
  // Same camera: the first and third panels are identical, the second shows a smaller sphere.
  int64_t covered[3] = {0, 0, 0};
  for (int y = 0; y < 48; ++y) {
    for (int x = 0; x < 64; ++x) {
      EXPECT_EQ(image.pixel(x, y), image.pixel(128 + x, y));
      for (int p = 0; p < 3; ++p) covered[p] += image.pixel(64 * p + x, y) != kWhite;
    }
  }
  EXPECT_LT(covered[1], covered[0] / 8);
  EXPECT_GT(covered[1], 0);
}

TEST(Render, PointsAreDiscsColouredByNormal) {
  // Points on the unit sphere with their normals: from the front, the right side is reddish
  // (n = +x gives (1, 0.5, 0.5)), the top greenish.
  const Mesh sphere = float_icosphere(4);
  PointCloud cloud{sphere.V, sphere.V};
  RenderOptions o;
  o.width = o.height = 100;
  o.azimuth = 0;
  o.elevation = 0;
  o.projection = Projection::Orthographic;
  const Image image = render(cloud, o);
  const Coverage c = coverage(image);
  EXPECT_NEAR(c.cx, 50, 1.0);
  EXPECT_NEAR(c.cy, 50, 1.0);
  EXPECT_GT(c.pixels, 0.8 * M_PI * 47.5 * 47.5);  // dense enough to look closed
  const auto right = mean_covered(image, 85, 50);
  EXPECT_GT(right[0], right[1]);
  EXPECT_GT(right[0], right[2]);
  const auto top = mean_covered(image, 50, 15);
  EXPECT_GT(top[1], top[0]);
  EXPECT_GT(top[1], top[2]);

  // Without normals: by depth, the nearest point (the centre, facing the camera) yellow.
  const auto centre = mean_covered(render(PointCloud{sphere.V, {}}, o), 50, 50);
  EXPECT_GT(centre[0], centre[2]);
  EXPECT_GT(centre[1], centre[2]);
}

TEST(Render, OutputIsDeterministicWhateverTheThreads) {
  RenderOptions o;
  o.width = 90;
  o.height = 70;
  o.background = Background::Checker;
  const Mesh sphere = float_icosphere(3);
  const PointCloud cloud{sphere.V, {}};
  const Image many = render_panels({{sphere}, {cloud, RenderItem(box({0.5f, 0.5f, 0.5f}))}}, o);
  tbb::global_control one(tbb::global_control::max_allowed_parallelism, 1);
  const Image single = render_panels({{sphere}, {cloud, RenderItem(box({0.5f, 0.5f, 0.5f}))}}, o);
  EXPECT_EQ(many.rgb, single.rgb);
  // The checkerboard shows in the corners: white square at (0, 0), grey at (16, 0).
  EXPECT_EQ(many.pixel(0, 0), kWhite);
  EXPECT_NE(many.pixel(16, 0), kWhite);
}

TEST(Render, BadInputsAndOptionsAreErrors) {
  const Mesh sphere = float_icosphere(1);
  RenderOptions o;
  o.width = 0;
  EXPECT_THROW(render(sphere, o), core::ConfigError);
  o = {};
  o.fov = 180;
  EXPECT_THROW(render(sphere, o), core::ConfigError);
  o = {};
  o.base_color = {1.5f, 0, 0};
  EXPECT_THROW(render(sphere, o), core::ConfigError);
  EXPECT_THROW(render(Mesh{}), core::DataError);
  EXPECT_THROW(render_panels({}), core::DataError);
  Mesh bad = sphere;
  bad.F[3][1] = 1000;
  try {
    render(bad);
    ADD_FAILURE() << "no error";
  } catch (const core::DataError& e) {
    EXPECT_NE(std::string(e.what()).find("face 3 has vertex index 1000"), std::string::npos)
        << e.what();
  }
  Mesh nan = sphere;
  nan.V[2][0] = std::nanf("");
  EXPECT_THROW(render(nan), core::DataError);
}

}  // namespace
}  // namespace nsdf::geometry
