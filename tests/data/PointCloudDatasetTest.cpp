// The `point_clouds` dataset on data it writes itself: a tiny D-Faust layout (IGR's npy frames and
// split), folders of meshes with and without splits, an nsdf sample file, broken inputs (the
// messages are pinned), and streamed batches equal to batches held in RAM.

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

#include "core/ConfigLoader.h"
#include "core/Log.h"
#include "data/BatchLoader.h"
#include "data/PointCloudDataset.h"
#include "geometry/MeshIo.h"
#include "geometry/Normalization.h"
#include "geometry/Npy.h"
#include "geometry/TestMeshes.h"
#include "preprocessing/SampleFile.h"
#include "support/ErrorMessage.h"
#include "support/TestFiles.h"

namespace nsdf::data {
namespace {

namespace fs = std::filesystem;
namespace tm = geometry::test_meshes;
using geometry::Vec3f;
using test::message_of;

/// n points of the ellipsoid with semi-axes `axes` centred at `centre` (a Fibonacci lattice of
/// directions) and their outward unit normals, as rows x y z nx ny nz (IGR's npy frames).
std::vector<double> ellipsoid_rows(int64_t n, std::array<double, 3> axes,
                                   std::array<double, 3> centre) {
  std::vector<double> rows;
  const double golden = 3.14159265358979323846 * (3.0 - std::sqrt(5.0));
  for (int64_t i = 0; i < n; ++i) {
    const double z = 1.0 - 2.0 * (double(i) + 0.5) / double(n);
    const double r = std::sqrt(1.0 - z * z), phi = golden * double(i);
    const std::array<double, 3> u{r * std::cos(phi), r * std::sin(phi), z};
    std::array<double, 3> normal{};
    double len = 0;
    for (int c = 0; c < 3; ++c) {
      normal[c] = u[c] / axes[c];
      len += normal[c] * normal[c];
    }
    for (int c = 0; c < 3; ++c) rows.push_back(centre[c] + axes[c] * u[c]);
    for (int c = 0; c < 3; ++c) rows.push_back(normal[c] / std::sqrt(len));
  }
  return rows;
}

constexpr int64_t kFramePoints = 400;
const std::vector<std::string> kSubjects{"50002", "50004"};
const std::vector<std::string> kSequences{"jumping", "punching"};

/// The rows of frame f of a subject's sequence: subjects differ in size, frames in position.
std::vector<double> frame_rows(size_t subject, size_t sequence, int frame) {
  const double s = 1.0 + 0.2 * double(subject);
  return ellipsoid_rows(kFramePoints, {0.3 * s, 0.8 * s, 0.2 * s},
                        {0.1 * double(sequence), 0.05 * frame, 1.0 + 0.1 * frame});
}

std::string frame_name(size_t sequence, int frame) {
  return kSequences[sequence] + ".00000" + std::to_string(frame);
}

/// IGR's D-Faust layout: <root>/<subject>/<sequence>/<sequence>.<frame>.npy, N x 6 float64 (the
/// last frame float32, which IGR's loader reads too).
void write_dfaust(const fs::path& root) {
  for (size_t s = 0; s < kSubjects.size(); ++s)
    for (size_t q = 0; q < kSequences.size(); ++q)
      for (int f = 0; f < 2; ++f) {
        const fs::path dir = root / kSubjects[s] / kSequences[q];
        fs::create_directories(dir);
        const std::string path = (dir / (frame_name(q, f) + ".npy")).string();
        const std::vector<double> rows = frame_rows(s, q, f);
        if (s == 1 && q == 1 && f == 1) {
          geometry::write_npy(path, std::vector<float>(rows.begin(), rows.end()),
                              {kFramePoints, 6});
        } else {
          geometry::write_npy(path, rows, {kFramePoints, 6});
        }
      }
}

std::vector<Vec3f> column(const std::vector<double>& rows, int first) {
  std::vector<Vec3f> out;
  for (size_t i = 0; i < rows.size(); i += 6)
    out.push_back({float(rows[i + first]), float(rows[i + first + 1]), float(rows[i + first + 2])});
  return out;
}

std::vector<Vec3f> rows_of(const torch::Tensor& t) {
  std::vector<Vec3f> out(static_cast<size_t>(t.size(0)));
  std::memcpy(out.data(), t.contiguous().data_ptr<float>(), out.size() * sizeof(Vec3f));
  return out;
}

double distance(const Vec3f& a, const Vec3f& b) {
  return std::sqrt(double(a[0] - b[0]) * (a[0] - b[0]) + double(a[1] - b[1]) * (a[1] - b[1]) +
                   double(a[2] - b[2]) * (a[2] - b[2]));
}

double norm(const Vec3f& a) { return distance(a, {0, 0, 0}); }

Vec3f mean_of(const std::vector<Vec3f>& P) {
  double m[3] = {0, 0, 0};
  for (const auto& p : P)
    for (int c = 0; c < 3; ++c) m[c] += p[c];
  return {float(m[0] / P.size()), float(m[1] / P.size()), float(m[2] / P.size())};
}

void write_text(const fs::path& path, const std::string& text) { std::ofstream(path) << text; }

std::vector<std::string> ids_of(const PointCloudDataset& ds) {
  std::vector<std::string> ids;
  for (int64_t i = 0; i < ds.size(); ++i) ids.push_back(ds.shape_id(i));
  return ids;
}

class PointCloudDatasetTest : public ::testing::Test {
 protected:
  void SetUp() override { core::log::set_console(false); }
  void TearDown() override { core::log::set_console(true); }

  PointCloudDataset::Options options(const fs::path& root, const std::string& split = "") const {
    PointCloudDataset::Options o;
    o.root.value = root.string();
    o.split.value = split;
    return o;
  }

  test::TempDir dir;
};

// ---- IGR's D-Faust layout -------------------------------------------------------------------

TEST_F(PointCloudDatasetTest, DfaustSplitGivesItsShapesInOrderMeanCentred) {
  const fs::path root = dir.path() / "dfaust";
  write_dfaust(root);
  const std::string split =
      dir.write("split.json",
                R"({"scans": {"50004": {"punching": ["punching.000001", "punching.000000"]},
                    "50002": {"jumping": ["jumping.000000"]}}})");
  const PointCloudDataset ds(options(root, split));
  EXPECT_EQ(ds.layout(), "dfaust");
  EXPECT_EQ(ids_of(ds), (std::vector<std::string>{"scans/50004/punching/punching.000001",
                                                  "scans/50004/punching/punching.000000",
                                                  "scans/50002/jumping/jumping.000000"}));
  EXPECT_EQ(ds.source(2), (root / "50002" / "jumping" / "jumping.000000.npy").string());
  EXPECT_EQ(ds.kind(), SampleKind::OrientedPoints);
  EXPECT_EQ(ds.shape_class(0), "scans/50004/punching");

  const struct {
    size_t subject, sequence;
    int frame;
  } expected[] = {{1, 1, 1}, {1, 1, 0}, {0, 0, 0}};
  for (int64_t i = 0; i < ds.size(); ++i) {
    SCOPED_TRACE(ds.shape_id(i));
    const auto& e = expected[i];
    const std::vector<double> rows = frame_rows(e.subject, e.sequence, e.frame);
    const std::vector<Vec3f> original = column(rows, 0), normals = column(rows, 3);
    const ShapeData d = ds.load(i);
    ASSERT_EQ(d.points.sizes(), (std::vector<int64_t>{kFramePoints, 3}));
    ASSERT_EQ(d.normals.sizes(), (std::vector<int64_t>{kFramePoints, 3}));
    EXPECT_EQ(d.points.dtype(), torch::kFloat32);
    // center: the mean point at the origin, no scaling.
    const std::vector<Vec3f> points = rows_of(d.points);
    EXPECT_LT(norm(mean_of(points)), 1e-5);
    const geometry::Normalization n = ds.normalization(i);
    EXPECT_EQ(n.scale, 1.0);
    const Vec3f m = mean_of(original);
    for (int c = 0; c < 3; ++c) EXPECT_NEAR(n.offset[c], -m[c], 1e-5);
    // The normalization maps the points back to the file's.
    const std::vector<Vec3f> back = geometry::denormalize_points(n, points);
    const std::vector<Vec3f> loaded_normals = rows_of(d.normals);
    for (size_t k = 0; k < original.size(); ++k) {
      ASSERT_LT(distance(back[k], original[k]), 1e-5) << k;
      ASSERT_LT(distance(loaded_normals[k], normals[k]), 1e-6) << k;
    }
    // surface(): the points in original units, all of them (fewer than eval_points).
    const geometry::PointCloud surface = ds.surface(i);
    ASSERT_EQ(surface.P.size(), original.size());
    ASSERT_EQ(surface.N.size(), original.size());
    for (size_t k = 0; k < original.size(); ++k)
      ASSERT_LT(distance(surface.P[k], original[k]), 1e-6);
    EXPECT_GE(ds.bytes(i), kFramePoints * 24);
  }
  // Subjects keep their relative sizes (center does not scale).
  const auto extent = [](const torch::Tensor& p) { return p.abs().max().item<double>(); };
  EXPECT_NEAR(extent(ds.load(0).points) / extent(ds.load(2).points), 1.2, 0.02);
}

TEST_F(PointCloudDatasetTest, DfaustWithoutSplitFindsEveryFrame) {
  const fs::path root = dir.path() / "dfaust";
  write_dfaust(root);
  PointCloudDataset::Options o = options(root);
  o.eval_points = 100;
  const PointCloudDataset ds(o);
  EXPECT_EQ(ds.layout(), "dfaust");
  std::vector<std::string> frames;
  for (const auto& s : kSubjects)
    for (size_t q = 0; q < kSequences.size(); ++q)
      for (int f = 0; f < 2; ++f)
        frames.push_back(s + "/" + kSequences[q] + "/" + frame_name(q, f));
  EXPECT_EQ(ids_of(ds), frames);
  // An evenly spaced subset of the file's rows.
  const geometry::PointCloud surface = ds.surface(7);
  ASSERT_EQ(surface.P.size(), 100u);
  const std::vector<Vec3f> original = column(frame_rows(1, 1, 1), 0);
  for (size_t k = 0; k < 100; ++k) ASSERT_LT(distance(surface.P[k], original[4 * k]), 1e-6);
}

// ---- Folders of meshes ------------------------------------------------------------------------

const Vec3f kSphereCentre{0.2f, -0.1f, 0.3f};
constexpr double kSphereRadius = 0.5, kTorusR = 0.5, kTorusr = 0.2;

geometry::Mesh moved(geometry::Mesh m, const Vec3f& by) {
  for (auto& v : m.V)
    for (int c = 0; c < 3; ++c) v[c] += by[c];
  return m;
}

/// root/a.ply (a sphere off the origin), root/sub/b.off (a torus), root/c.obj (a small sphere),
/// and a file nsdf does not read.
fs::path write_meshes(const fs::path& dir) {
  const fs::path root = dir / "meshes";
  fs::create_directories(root / "sub");
  geometry::write_mesh(moved(tm::icosphere(kSphereRadius, 4), kSphereCentre),
                       (root / "a.ply").string());
  geometry::write_mesh(tm::torus_mesh(kTorusR, kTorusr, 96, 48), (root / "sub" / "b.off").string());
  geometry::write_mesh(tm::icosphere(0.3, 3), (root / "c.obj").string());
  write_text(root / "notes.txt", "not a shape\n");
  return root;
}

/// Points on the sphere of radius r at c, with outward normals (when given).
void expect_on_sphere(const geometry::PointCloud& cloud, const Vec3f& c, double r) {
  for (size_t k = 0; k < cloud.P.size(); ++k) {
    const double d = distance(cloud.P[k], c);
    ASSERT_NEAR(d, r, 0.005 * r) << k;
    if (cloud.N.empty()) continue;
    double cosine = 0;
    for (int j = 0; j < 3; ++j) cosine += cloud.N[k][j] * (cloud.P[k][j] - c[j]) / d;
    ASSERT_GT(cosine, 0.99) << k;
  }
}

geometry::PointCloud original_points(const PointCloudDataset& ds, int64_t i) {
  const ShapeData d = ds.load(i);
  return {geometry::denormalize_points(ds.normalization(i), rows_of(d.points)), rows_of(d.normals)};
}

TEST_F(PointCloudDatasetTest, FolderOfMeshesGivesSurfacePointsWithOutwardNormals) {
  const fs::path root = write_meshes(dir.path());
  PointCloudDataset::Options o = options(root);
  o.points_per_shape = 3000;
  const PointCloudDataset ds(o);
  EXPECT_EQ(ds.layout(), "folder");
  EXPECT_EQ(ids_of(ds), (std::vector<std::string>{"a", "c", "sub/b"}));
  EXPECT_EQ(ds.bytes(1), 3000 * 24);  // a mesh: the points sampled from it

  const geometry::PointCloud sphere = original_points(ds, 0);
  ASSERT_EQ(sphere.P.size(), 3000u);
  ASSERT_EQ(sphere.N.size(), 3000u);
  expect_on_sphere(sphere, kSphereCentre, kSphereRadius);
  EXPECT_LT(norm(mean_of(rows_of(ds.load(0).points))), 1e-5);  // center
  expect_on_sphere(original_points(ds, 1), {0, 0, 0}, 0.3);

  const geometry::PointCloud torus = original_points(ds, 2);
  for (size_t k = 0; k < torus.P.size(); ++k) {
    const Vec3f& p = torus.P[k];
    const double rho = std::hypot(p[0], p[2]);
    const Vec3f ring{float(kTorusR * p[0] / rho), 0, float(kTorusR * p[2] / rho)};
    const double d = distance(p, ring);
    ASSERT_NEAR(d, kTorusr, 0.01) << k;
    double cosine = 0;
    for (int j = 0; j < 3; ++j) cosine += torus.N[k][j] * (p[j] - ring[j]) / d;
    ASSERT_GT(cosine, 0.98) << k;
  }
  expect_on_sphere(ds.surface(0), kSphereCentre, kSphereRadius);

  // The same points from a second construction (sampling is seeded by the shape id).
  const PointCloudDataset again(o);
  for (int64_t i = 0; i < ds.size(); ++i) {
    EXPECT_TRUE(torch::equal(ds.load(i).points, again.load(i).points)) << i;
    EXPECT_TRUE(torch::equal(ds.load(i).normals, again.load(i).normals)) << i;
  }
  // Another seed, other points.
  o.seed = 1;
  EXPECT_FALSE(torch::equal(ds.load(0).points, PointCloudDataset(o).load(0).points));
}

TEST_F(PointCloudDatasetTest, FolderSplitsDeepSdfAndTwoLevel) {
  const fs::path root = write_meshes(dir.path());
  const std::string deepsdf = dir.write("deepsdf.json", R"({"ShapeNetV2": {"sub": ["b"]}})");
  const PointCloudDataset a(options(root, deepsdf));
  EXPECT_EQ(a.layout(), "folder");
  EXPECT_EQ(ids_of(a), std::vector<std::string>{"ShapeNetV2/sub/b"});
  EXPECT_EQ(a.source(0), (root / "sub" / "b.off").string());

  const std::string flat = dir.write("flat.json", R"({"meshes": ["c", "a"]})");
  const PointCloudDataset b(options(root, flat));
  EXPECT_EQ(b.layout(), "folder");
  EXPECT_EQ(ids_of(b), (std::vector<std::string>{"meshes/c", "meshes/a"}));
  EXPECT_EQ(b.source(1), (root / "a.ply").string());
  expect_on_sphere(original_points(b, 1), kSphereCentre, kSphereRadius);
}

TEST_F(PointCloudDatasetTest, NormalizeAndScale) {
  const fs::path root = write_meshes(dir.path());
  PointCloudDataset::Options o = options(root);
  o.points_per_shape = 2000;
  auto points = [&](const std::string& how, double scale) {
    o.normalize = how;
    o.scale = scale;
    const PointCloudDataset ds(o);
    return std::make_pair(rows_of(ds.load(0).points), ds.normalization(0));
  };
  const auto [none, identity] = points("none", 1.0);
  EXPECT_EQ(identity.scale, 1.0);
  EXPECT_EQ(identity.offset, (std::array<double, 3>{0, 0, 0}));
  expect_on_sphere({none, {}}, kSphereCentre, kSphereRadius);

  const auto [doubled, twice] = points("none", 2.0);
  EXPECT_EQ(twice.scale, 2.0);
  for (size_t k = 0; k < none.size(); ++k)
    for (int c = 0; c < 3; ++c) ASSERT_FLOAT_EQ(doubled[k][c], 2 * none[k][c]);

  // unit_sphere (DeepSDF): the mesh's farthest vertex at 1 / 1.03.
  const auto [sphere, deepsdf] = points("unit_sphere", 1.0);
  double farthest = 0;
  for (const auto& p : sphere) farthest = std::max(farthest, norm(p));
  EXPECT_LE(farthest, 1 / 1.03 + 1e-5);
  EXPECT_GT(farthest, 0.99 / 1.03);
  EXPECT_NEAR(deepsdf.scale, 1 / (1.03 * kSphereRadius), 1e-4);

  // bbox: the longest side spans [-1, 1].
  const auto [box, bbox] = points("bbox", 1.0);
  double extent = 0;
  for (const auto& p : box)
    for (int c = 0; c < 3; ++c) extent = std::max(extent, double(std::abs(p[c])));
  EXPECT_LE(extent, 1 + 1e-5);
  EXPECT_GT(extent, 0.99);
  EXPECT_NEAR(bbox.scale, 1 / kSphereRadius, 1e-3);
}

// ---- nsdf sample files ------------------------------------------------------------------------

TEST_F(PointCloudDatasetTest, SampleFileSurfacePointsInTheFrameOfItsSamples) {
  // Surface points on a sphere of radius 2 at (1, 0, 0); the stored normalization maps it onto the
  // unit sphere.
  std::vector<preprocessing::ShapeRecord> shapes(2);
  for (size_t s = 0; s < shapes.size(); ++s) {
    auto& r = shapes[s];
    r.id = "ShapeNetV2/planes/p" + std::to_string(s);
    r.normalization.offset = {-1, 0, 0};
    r.normalization.scale = 0.5;
    r.pos = {0, 0, 0, 0.1f};
    r.neg = {0, 0, 0.5f, -0.1f};
    const std::vector<double> rows = ellipsoid_rows(300 + 10 * int64_t(s), {2, 2, 2}, {1, 0, 0});
    r.surface_points = column(rows, 0);
    r.surface_normals = column(rows, 3);
  }
  const std::string file = (dir.path() / "planes.h5").string();
  preprocessing::write_sample_file(file, {"deepsdf", "", ""}, shapes);

  PointCloudDataset::Options o;
  o.file.value = file;
  o.normalize = "bbox";  // not for sample files
  const PointCloudDataset ds(o);
  EXPECT_EQ(ds.layout(), "sample_file");
  ASSERT_EQ(ds.size(), 2);
  EXPECT_EQ(ds.shape_id(1), "ShapeNetV2/planes/p1");
  EXPECT_EQ(ds.source(1), file + ": /shapes/ShapeNetV2/planes/p1");
  EXPECT_EQ(ds.bytes(1), 310 * 24);
  const ShapeData d = ds.load(1);
  ASSERT_EQ(d.points.size(0), 310);
  for (const auto& p : rows_of(d.points)) ASSERT_NEAR(norm(p), 1.0, 1e-5);
  const geometry::Normalization n = ds.normalization(1);
  EXPECT_EQ(n.offset, shapes[1].normalization.offset);
  EXPECT_EQ(n.scale, 0.5);
  const geometry::PointCloud surface = ds.surface(1);
  EXPECT_EQ(surface.P, shapes[1].surface_points);

  o.scale = 2;  // applies on top of the stored normalization
  EXPECT_EQ(PointCloudDataset(o).normalization(0).scale, 1.0);
}

// ---- Errors -------------------------------------------------------------------------------------

TEST_F(PointCloudDatasetTest, MissingFilesOfASplitAreReportedTogether) {
  const fs::path root = dir.path() / "dfaust";
  write_dfaust(root);
  const std::string split = dir.write(
      "split.json", R"({"scans": {"50002": {"jumping": ["jumping.000000", "jumping.000007"],
                                            "running": ["running.000000"]}}})");
  EXPECT_EQ(message_of<core::Error>([&] { PointCloudDataset ds(options(root, split)); }),
            split +
                ": 2 of 3 listed shapes have no file (IGR's D-Faust layout "
                "<root>/<subject>/<sequence>/<shape>.npy):\n  " +
                (root / "50002/jumping/jumping.000007.npy").string() + "\n  " +
                (root / "50002/running/running.000000.npy").string());

  std::string many = R"({"scans": {"50002": {"jumping": [)";
  for (int f = 0; f < 25; ++f)
    many += (f ? ", " : "") + std::string("\"jumping.1") + std::to_string(f) + "\"";
  const std::string big = dir.write("big.json", many + "]}}}");
  const std::string msg =
      message_of<core::Error>([&] { PointCloudDataset ds(options(root, big)); });
  EXPECT_EQ(msg.rfind(big + ": 25 of 25 listed shapes have no file", 0), 0u) << msg;
  EXPECT_NE(msg.find("jumping.119.npy\n  ... and 5 more"), std::string::npos) << msg;

  const std::string flat = dir.write("flat.json", R"({"faust": ["a", "b"]})");
  EXPECT_EQ(message_of<core::Error>([&] { PointCloudDataset ds(options(dir.path(), flat)); }),
            flat +
                ": 2 of 2 listed shapes have no file (looked for <root>/<instance>.<ext>, "
                "ext in obj, ply, off, xyz, npy, npz):\n  " +
                (dir.path() / "a.obj").string() + "\n  " + (dir.path() / "b.obj").string());
}

TEST_F(PointCloudDatasetTest, BadNpyShapeNamesTheFile) {
  const fs::path root = dir.path() / "dfaust";
  fs::create_directories(root / "50002" / "jumping");
  const std::string path = (root / "50002" / "jumping" / "jumping.000000.npy").string();
  geometry::write_npy(path, std::vector<double>(200 * 4, 0.5), {200, 4});
  const PointCloudDataset ds(options(root));  // listing reads no file
  EXPECT_EQ(message_of<core::Error>([&] { ds.load(0); }),
            path +
                ": expected an array of shape [N, 3] (x y z) or [N, 6] (x y z nx ny nz), got "
                "(200, 4)");
}

TEST_F(PointCloudDatasetTest, NonFiniteRowsAreDroppedAndTooFewPointsIsAnError) {
  const fs::path root = dir.path() / "clouds";
  fs::create_directories(root);
  std::vector<double> rows = ellipsoid_rows(150, {1, 1, 1}, {0, 0, 0});
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (int k = 0; k < 30; ++k) rows[6 * k] = nan;       // a coordinate
  for (int k = 30; k < 40; ++k) rows[6 * k + 4] = nan;  // a normal
  for (int k = 40; k < 45; ++k) rows[6 * k + 3] = rows[6 * k + 4] = rows[6 * k + 5] = 0;
  geometry::write_npy((root / "scan.npy").string(), rows, {150, 6});
  const PointCloudDataset ds(options(root));
  EXPECT_EQ(ds.layout(), "folder");
  const ShapeData d = ds.load(0);
  EXPECT_EQ(d.points.size(0), 105);
  EXPECT_TRUE(torch::allclose(d.normals.norm(2, 1), torch::ones({105})));

  for (int k = 45; k < 60; ++k) rows[6 * k + 2] = nan;
  geometry::write_npy((root / "scan.npy").string(), rows, {150, 6});
  EXPECT_EQ(message_of<core::Error>([&] { ds.load(0); }),
            (root / "scan.npy").string() +
                ": 90 points after dropping 60 rows with non-finite values or zero normals; a "
                "shape needs at least 100");
}

TEST_F(PointCloudDatasetTest, EmptyFolderMissingRootAndUnreadableMesh) {
  const fs::path root = dir.path() / "empty";
  fs::create_directories(root / "sub");
  write_text(root / "readme.md", "nothing here\n");
  EXPECT_EQ(message_of<core::Error>([&] { PointCloudDataset ds(options(root)); }),
            root.string() +
                ": no point clouds or meshes found (files ending in .obj, .ply, "
                ".off, .xyz, .npy, .npz, in sub-folders too)");
  EXPECT_EQ(message_of<core::Error>([&] { PointCloudDataset ds(options(dir.path() / "nope")); }),
            (dir.path() / "nope").string() + ": no such folder (point_clouds root)");

  write_text(root / "broken.obj", "v 1 2\nf 1 2 3\n");
  const PointCloudDataset ds(options(root));
  const std::string msg = message_of<core::Error>([&] { ds.load(0); });
  EXPECT_EQ(msg.rfind((root / "broken.obj").string() + ":", 0), 0u) << msg;
}

TEST_F(PointCloudDatasetTest, AmbiguousLayoutsAreErrors) {
  const fs::path root = dir.path() / "dfaust";
  write_dfaust(root);
  geometry::write_mesh(tm::icosphere(0.5, 1), (root / "template.obj").string());
  EXPECT_EQ(message_of<core::Error>([&] { PointCloudDataset ds(options(root)); }),
            root.string() +
                ": ambiguous layout: 8 D-Faust frames <subject>/<sequence>/"
                "<shape>.npy (e.g. '50002/jumping/jumping.000000.npy') and 1 other "
                "files (e.g. 'template.obj'); set layout: dfaust (the frames only) "
                "or layout: folder (every file), or give a split");
  PointCloudDataset::Options o = options(root);
  o.layout = "dfaust";
  EXPECT_EQ(PointCloudDataset(o).size(), 8);
  o.layout = "folder";
  EXPECT_EQ(PointCloudDataset(o).size(), 9);

  const std::string flat = dir.write("flat.json", R"({"x": ["template"]})");
  o = options(root, flat);
  o.layout = "dfaust";
  EXPECT_EQ(message_of<core::Error>([&] { PointCloudDataset ds(o); }),
            flat +
                ": layout dfaust reads IGR's 4-level split {scans: {subject: {sequence: "
                "[shape, ...]}}}; this split has 2 levels");

  // root and file together: a config error, with the other option problems.
  DatasetRegistry registry("dataset");
  register_builtin_datasets(registry);
  core::Diagnostics diag;
  registry.parse(
      core::parse_yaml("{type: point_clouds, root: a, file: b.h5, normalize: mean}", "data.yaml"),
      diag);
  EXPECT_NE(diag.str().find("normalize: 'mean' is not one of: center, unit_sphere, bbox, none"),
            std::string::npos)
      << diag.str();
  EXPECT_NE(diag.str().find("set root (a folder) or file (a sample file), not both"),
            std::string::npos)
      << diag.str();
}

// ---- Batches ------------------------------------------------------------------------------------

TEST_F(PointCloudDatasetTest, StreamedBatchesEqualBatchesHeldInRam) {
  const fs::path root = write_meshes(dir.path());
  PointCloudDataset::Options o = options(root);
  o.points_per_shape = 1000;
  auto in_ram = std::make_shared<const PointCloudDataset>(o);
  o.ram_budget_mb = 0;
  o.prefetch = 2;
  auto streamed = std::make_shared<const PointCloudDataset>(o);
  BatchPlan plan;
  plan.shapes_per_batch = 2;
  plan.samples_per_shape = 300;
  plan.seed = 11;
  BatchLoader a(in_ram, plan), b(streamed, plan);
  EXPECT_FALSE(a.streaming());
  EXPECT_TRUE(b.streaming());
  for (int64_t epoch = 0; epoch < 2; ++epoch)
    for (int64_t k = 0; k < a.batches_per_epoch(); ++k) {
      const Batch x = a.get(epoch, k), y = b.get(epoch, k);
      EXPECT_EQ(x.shapes, y.shapes);
      EXPECT_TRUE(torch::equal(x.xyz, y.xyz)) << epoch << " " << k;
      ASSERT_TRUE(x.normals.defined());
      EXPECT_TRUE(torch::equal(x.normals, y.normals)) << epoch << " " << k;
    }
}

}  // namespace
}  // namespace nsdf::data
