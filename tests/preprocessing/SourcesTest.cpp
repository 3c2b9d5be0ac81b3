#include "preprocessing/Sources.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "core/ConfigLoader.h"
#include "core/Error.h"
#include "preprocessing/Hdf5.h"
#include "support/TestFiles.h"
#include "support/ErrorMessage.h"

namespace nsdf::preprocessing {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

// A tetrahedron (0,0,0) (1,0,0) (0,1,0) (0,0,1) in each format.
constexpr const char* kTetraObj =
    "v 0 0 0\nv 1 0 0\nv 0 1 0\nv 0 0 1\nf 1 3 2\nf 1 2 4\nf 1 4 3\nf 2 3 4\n";
constexpr const char* kTetraPly =
    "ply\nformat ascii 1.0\nelement vertex 4\nproperty float x\nproperty float y\n"
    "property float z\nelement face 4\nproperty list uchar int vertex_indices\nend_header\n"
    "0 0 0\n1 0 0\n0 1 0\n0 0 1\n3 0 2 1\n3 0 1 3\n3 0 3 2\n3 1 2 3\n";
constexpr const char* kTetraOff =
    "OFF\n4 4 0\n0 0 0\n1 0 0\n0 1 0\n0 0 1\n3 0 2 1\n3 0 1 3\n3 0 3 2\n3 1 2 3\n";

using test::message_of;

std::vector<std::string> ids_of(const std::vector<SourceShape>& shapes) {
  std::vector<std::string> ids;
  for (const auto& s : shapes) ids.push_back(s.id);
  return ids;
}

std::string p(const TempDir& dir, const std::string& rel) {
  return (dir.path() / rel).string();
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// ---------------------------------------------------------------------------------------------

TEST(ShapeId, AcceptsPathsOfNames) {
  EXPECT_NO_THROW(check_shape_id("ShapeNetV2/03001627/1a6f615e", "ctx"));
  EXPECT_NO_THROW(check_shape_id("scans/50002/chicken_wings/chicken_wings.000000", "ctx"));
  EXPECT_NO_THROW(check_shape_id("ChairArms1", "ctx"));
  EXPECT_NO_THROW(check_shape_id("a..b/.c/d.", "ctx"));
}

TEST(ShapeId, RejectsEmptyDotAndControlComponents) {
  auto message = [](const std::string& id) {
    return message_of<core::DataError>([&] { check_shape_id(id, "s.json"); });
  };
  EXPECT_EQ(message(""), "s.json: shape id '': is empty");
  EXPECT_EQ(message("/a"), "s.json: shape id '/a': starts with '/'");
  EXPECT_EQ(message("a/"), "s.json: shape id 'a/': ends with '/'");
  EXPECT_EQ(message("a//b"), "s.json: shape id 'a//b': has an empty component ('//')");
  EXPECT_EQ(message("a/../b"), "s.json: shape id 'a/../b': has a '..' component");
  EXPECT_EQ(message("./b"), "s.json: shape id './b': has a '.' component");
  EXPECT_EQ(message("a\tb"), "s.json: shape id 'a\\x09b': control character at byte 1");
  EXPECT_TRUE(contains(message(std::string(1025, 'x')), "is 1025 bytes long, at most 1024"));
}

// ---------------------------------------------------------------------------------------------
// shapenet

struct ShapeNetTree {
  TempDir dir;
  std::string split;
  ShapeNetTree() {
    dir.write("root/03001627/v2shape/models/model_normalized.obj", kTetraObj);
    dir.write("root/03001627/v1shape/model.obj", kTetraObj);
    dir.write("root/03001627/both/models/model_normalized.obj", kTetraObj);
    dir.write("root/03001627/both/model.obj", "v 0 0 0\n");
    fs::create_directories(dir.path() / "root/03001627/empty");
    split = dir.write("split.json",
                      R"({"ShapeNetV2": {"03001627": ["v2shape", "v1shape", "both", "empty"]}})");
  }
  ShapeNetSource source(const std::string& layout) const {
    ShapeNetSource::Options o;
    o.root = core::Path{p(dir, "root")};
    o.split = core::Path{split};
    o.layout = layout;
    return ShapeNetSource(o);
  }
};

TEST(ShapeNetSource, AutoLayoutTakesV2WhenPresentElseV1) {
  const ShapeNetTree t;
  const auto shapes = t.source("auto").shapes();
  EXPECT_EQ(ids_of(shapes),
            (std::vector<std::string>{"ShapeNetV2/03001627/v2shape", "ShapeNetV2/03001627/v1shape",
                                      "ShapeNetV2/03001627/both", "ShapeNetV2/03001627/empty"}));
  const std::string c = p(t.dir, "root/03001627/");
  EXPECT_EQ(shapes[0].path, c + "v2shape/models/model_normalized.obj");
  EXPECT_EQ(shapes[1].path, c + "v1shape/model.obj");
  EXPECT_EQ(shapes[2].path, c + "both/models/model_normalized.obj");
  EXPECT_EQ(shapes[3].path, c + "empty/model.obj");
  EXPECT_EQ(shapes[0].key, "");
  EXPECT_EQ(shapes[0].frame, -1);
  for (int i = 0; i < 3; ++i) {
    const geometry::Mesh m = t.source("auto").load(shapes[i]);
    EXPECT_EQ(m.V.size(), 4u);
    EXPECT_EQ(m.F.size(), 4u);
  }
  const std::string msg = message_of<core::IoError>([&] { t.source("auto").load(shapes[3]); });
  EXPECT_EQ(msg.rfind(c + "empty/model.obj: no such file", 0), 0u) << msg;
  EXPECT_TRUE(contains(msg, "model_normalized.obj")) << msg;
}

TEST(ShapeNetSource, ForcedLayouts) {
  const ShapeNetTree t;
  const auto v1 = t.source("v1").shapes();
  EXPECT_EQ(v1[0].path, p(t.dir, "root/03001627/v2shape/model.obj"));
  EXPECT_EQ(v1[2].path, p(t.dir, "root/03001627/both/model.obj"));
  EXPECT_EQ(t.source("v1").load(v1[2]).F.size(), 0u);
  const auto v2 = t.source("v2").shapes();
  EXPECT_EQ(v2[1].path, p(t.dir, "root/03001627/v1shape/models/model_normalized.obj"));
  const std::string msg = message_of<core::IoError>([&] { t.source("v2").load(v2[1]); });
  EXPECT_EQ(msg.rfind(v2[1].path + ": no such file", 0), 0u) << msg;
}

TEST(ShapeNetSource, RootMustBeAFolder) {
  const ShapeNetTree t;
  ShapeNetSource::Options o;
  o.root = core::Path{p(t.dir, "nothing")};
  o.split = core::Path{t.split};
  EXPECT_EQ(message_of<core::IoError>([&] { ShapeNetSource(o).shapes(); }),
            p(t.dir, "nothing") + ": no such folder (shapenet source root)");
  o.root = core::Path{t.split};
  EXPECT_EQ(message_of<core::IoError>([&] { ShapeNetSource(o).shapes(); }),
            t.split + ": not a folder (shapenet source root)");
}

TEST(ShapeNetSource, SplitOfWrongDepthOrBadIds) {
  const ShapeNetTree t;
  ShapeNetSource::Options o;
  o.root = core::Path{p(t.dir, "root")};
  o.split = core::Path{t.dir.write("d4.json", R"({"scans": {"1": {"2": ["x"]}}})")};
  EXPECT_TRUE(contains(message_of<core::DataError>([&] { ShapeNetSource(o).shapes(); }),
                       "where 3 is expected"));
  o.split = core::Path{t.dir.write("dots.json", R"({"ShapeNetV2": {"..": ["x"]}})")};
  EXPECT_EQ(message_of<core::DataError>([&] { ShapeNetSource(o).shapes(); }),
            o.split.str() + ": shape id 'ShapeNetV2/../x': has a '..' component");
  // Names with '/' can spell the same id twice.
  o.split = core::Path{t.dir.write("dup.json", R"({"d": {"a/b": ["c"], "a": ["b/c"]}})")};
  EXPECT_EQ(message_of<core::DataError>([&] { ShapeNetSource(o).shapes(); }),
            o.split.str() + ": shape id 'd/a/b/c' is listed twice");
}

// ---------------------------------------------------------------------------------------------
// dfaust

TEST(DfaustSource, ScansFollowIgrLayout) {
  TempDir dir;
  dir.write("root/scans/50002/hips/hips.000003.ply", kTetraPly);
  DfaustSource::Options o;
  o.root = core::Path{p(dir, "root")};
  o.split = core::Path{dir.write(
      "s.json", R"({"scans": {"50002": {"hips": ["hips.000003", "hips.000004"]}}})")};
  const DfaustSource source(o);
  const auto shapes = source.shapes();
  ASSERT_EQ(shapes.size(), 2u);
  EXPECT_EQ(shapes[0].id, "scans/50002/hips/hips.000003");
  EXPECT_EQ(shapes[0].path, p(dir, "root/scans/50002/hips/hips.000003.ply"));
  EXPECT_EQ(shapes[0].key, "");
  EXPECT_EQ(source.load(shapes[0]).F.size(), 4u);
  const std::string msg = message_of<core::IoError>([&] { source.load(shapes[1]); });
  EXPECT_EQ(msg.rfind(p(dir, "root/scans/50002/hips/hips.000004.ply: no such file"), 0), 0u)
      << msg;
}

// A registrations file like D-Faust's: "50002_hips" (4, 3, 2) float32, frame f = the
// tetrahedron moved by f along x; "faces" (4, 3) int32.
std::string write_registrations(const TempDir& dir) {
  const std::string path = p(dir, "registrations_m.hdf5");
  auto guard = hdf5::lock();
  hdf5::Handle file = hdf5::create_file(path);
  const hdf5::Location root{file.get(), path, "/"};
  const float tetra[4][3] = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
  std::vector<float> v(4 * 3 * 2);
  for (int i = 0; i < 4; ++i) {
    for (int c = 0; c < 3; ++c) {
      for (int f = 0; f < 2; ++f) v[(i * 3 + c) * 2 + f] = tetra[i][c] + (c == 0 ? f : 0);
    }
  }
  hdf5::write_floats(root, "50002_hips", v.data(), {4, 3, 2});
  hdf5::write_floats(root, "50002_bad", v.data(), {4, 6});
  const int32_t faces[4][3] = {{0, 2, 1}, {0, 1, 3}, {0, 3, 2}, {1, 2, 3}};
  const hsize_t dims[2] = {4, 3};
  hdf5::Handle space(H5Screate_simple(2, dims, nullptr));
  hdf5::Handle ds(H5Dcreate2(file.get(), "faces", H5T_STD_I32LE, space.get(), H5P_DEFAULT,
                             H5P_DEFAULT, H5P_DEFAULT));
  EXPECT_GE(H5Dwrite(ds.get(), H5T_NATIVE_INT32, H5S_ALL, H5S_ALL, H5P_DEFAULT, faces), 0);
  return path;
}

TEST(DfaustSource, RegistrationsGiveOneFrameOfTheSequence) {
  TempDir dir;
  DfaustSource::Options o;
  o.registrations = core::Path{write_registrations(dir)};
  o.split = core::Path{dir.write(
      "s.json",
      R"({"scans": {"50002": {"hips": ["hips.000001", "hips.000000", "hips.000002"],
                              "bad": ["bad.0"], "none": ["none.0"]}}})")};
  const DfaustSource source(o);
  const auto shapes = source.shapes();
  ASSERT_EQ(shapes.size(), 5u);
  EXPECT_EQ(shapes[0].id, "scans/50002/hips/hips.000001");
  EXPECT_EQ(shapes[0].path, o.registrations.str());
  EXPECT_EQ(shapes[0].key, "50002_hips");
  EXPECT_EQ(shapes[0].frame, 1);
  EXPECT_EQ(shapes[1].frame, 0);

  const geometry::Mesh frame1 = source.load(shapes[0]);
  const geometry::Mesh frame0 = source.load(shapes[1]);
  ASSERT_EQ(frame1.V.size(), 4u);
  EXPECT_EQ(frame0.V[1], (geometry::Vec3f{1, 0, 0}));
  EXPECT_EQ(frame1.V[1], (geometry::Vec3f{2, 0, 0}));
  EXPECT_EQ(frame1.V[3], (geometry::Vec3f{1, 0, 1}));
  EXPECT_EQ(frame1.F, (std::vector<geometry::Tri>{{0, 2, 1}, {0, 1, 3}, {0, 3, 2}, {1, 2, 3}}));

  EXPECT_EQ(message_of<core::DataError>([&] { source.load(shapes[2]); }),
            o.registrations.str() +
                ": /50002_hips: frame 2 is out of range: the sequence has 2 frames (shape "
                "'scans/50002/hips/hips.000002')");
  EXPECT_TRUE(contains(message_of<core::DataError>([&] { source.load(shapes[3]); }),
                       ": /50002_bad: expected a registration sequence of shape (#V, 3, "
                       "#frames), got (4, 6)"));
  EXPECT_EQ(message_of<core::DataError>([&] { source.load(shapes[4]); }),
            o.registrations.str() +
                ": /50002_none: no such dataset (the sequence of shape "
                "'scans/50002/none/none.0', frame 0)");
}

TEST(DfaustSource, ShapeNameWithoutFrameNumber) {
  TempDir dir;
  DfaustSource::Options o;
  o.registrations = core::Path{write_registrations(dir)};
  o.split = core::Path{dir.write("s.json", R"({"scans": {"50002": {"hips": ["hips.00a1"]}}})")};
  EXPECT_EQ(message_of<core::DataError>([&] { DfaustSource(o).shapes(); }),
            o.split.str() +
                ": shape 'scans/50002/hips/hips.00a1': 'hips.00a1' does not end in a frame "
                "number (expected <name>.<frame>, e.g. hips.000123, to read a frame of the "
                "registrations)");
}

TEST(DfaustSource, MissingRegistrationsFileOrRoot) {
  TempDir dir;
  DfaustSource::Options o;
  o.registrations = core::Path{p(dir, "none.hdf5")};
  o.split = core::Path{dir.write("s.json", R"({"scans": {"50002": {"hips": ["hips.0"]}}})")};
  EXPECT_EQ(message_of<core::IoError>([&] { DfaustSource(o).shapes(); }),
            p(dir, "none.hdf5") + ": no such file (dfaust registrations)");
  o.registrations = core::Path{};
  o.root = core::Path{p(dir, "scans")};
  EXPECT_EQ(message_of<core::IoError>([&] { DfaustSource(o).shapes(); }),
            p(dir, "scans") + ": no such folder (dfaust source root)");
}

// ---------------------------------------------------------------------------------------------
// stanford

TEST(StanfordSource, ListsMatchingFilesSortedByName) {
  TempDir dir;
  dir.write("data/bun045.ply", kTetraPly);
  dir.write("data/bun000.ply", kTetraPly);
  dir.write("data/top2.obj", kTetraObj);
  dir.write("data/README.txt", "scans");
  dir.write("data/sub/deep.ply", kTetraPly);
  StanfordSource::Options o;
  o.root = core::Path{p(dir, "data")};
  EXPECT_EQ(ids_of(StanfordSource(o).shapes()), (std::vector<std::string>{"bun000", "bun045"}));
  o.files = {"top?.obj", "bun0*", "bun045.ply", "missing.ply"};
  const auto shapes = StanfordSource(o).shapes();
  EXPECT_EQ(ids_of(shapes), (std::vector<std::string>{"bun000", "bun045", "missing", "top2"}));
  EXPECT_EQ(shapes[3].path, p(dir, "data/top2.obj"));
  EXPECT_EQ(StanfordSource(o).load(shapes[3]).F.size(), 4u);
  EXPECT_EQ(message_of<core::IoError>([&] { StanfordSource(o).load(shapes[2]); }),
            p(dir, "data/missing.ply") + ": no such file (stanford shape 'missing')");
  o.files = {"*.off"};
  EXPECT_EQ(message_of<core::IoError>([&] { StanfordSource(o).shapes(); }),
            p(dir, "data") + ": no file matches '*.off' (stanford source files: *.off)");
  o.files = {"*"};
  dir.write("data/bun000.obj", kTetraObj);
  EXPECT_TRUE(contains(message_of<core::DataError>([&] { StanfordSource(o).shapes(); }),
                       "files 'bun000.obj' and 'bun000.ply' both give shape id 'bun000'"));
}

TEST(StanfordSource, RotationInvertsTheConfQuaternion) {
  // 90 degrees about z as written in the conf; the scan moves by the inverse rotation.
  const double h = std::sqrt(0.5);
  const std::array<double, 9> r = stanford_rotation({0, 0, 2 * h, 2 * h});  // normalized
  const std::array<double, 9> expected = {0, 1, 0, -1, 0, 0, 0, 0, 1};
  for (int i = 0; i < 9; ++i) EXPECT_NEAR(r[i], expected[i], 1e-12) << i;
  const std::array<double, 9> identity = stanford_rotation({0, 0, 0, 1});
  for (int i = 0; i < 9; ++i) EXPECT_EQ(identity[i], i % 4 == 0 ? 1.0 : 0.0);
}

TEST(StanfordSource, AlignmentMovesEachScanIntoTheCommonFrame) {
  TempDir dir;
  dir.write("data/a.ply", kTetraPly);
  dir.write("data/b.ply", kTetraPly);
  const double h = std::sqrt(0.5);
  StanfordSource::Options o;
  o.root = core::Path{p(dir, "data")};
  o.alignment = core::Path{dir.write("data/scans.conf",
                               "camera 0 0 0 0 0 0 1\n"
                               "\n"
                               "bmesh b.ply 0 0 0 0 0 0 1\n"
                               "bmesh c.ply 0 0 0 0 0 0 1\n" +
                                   fmt::format("bmesh a.ply 1 2 3 0 0 {} {}\r\n", h, h))};
  const StanfordSource source(o);
  const auto shapes = source.shapes();
  ASSERT_EQ(ids_of(shapes), (std::vector<std::string>{"a", "b"}));
  const geometry::Mesh a = source.load(shapes[0]);
  // p' = R(q)^T p + t with R(q) = 90 degrees about z: (x, y, z) -> (y, -x, z) + (1, 2, 3).
  const std::vector<geometry::Vec3f> expected = {{1, 2, 3}, {1, 1, 3}, {2, 2, 3}, {1, 2, 4}};
  ASSERT_EQ(a.V.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    for (int c = 0; c < 3; ++c) EXPECT_NEAR(a.V[i][c], expected[i][c], 1e-6) << i << " " << c;
  }
  EXPECT_EQ(a.F.size(), 4u);
  EXPECT_EQ(source.load(shapes[1]).V[1], (geometry::Vec3f{1, 0, 0}));

  dir.write("data/d.ply", kTetraPly);
  EXPECT_EQ(message_of<core::DataError>([&] { source.shapes(); }),
            o.alignment.str() + ": no 'bmesh d.ply' line: every file of the source needs an "
                                "alignment (" + p(dir, "data/d.ply") + ")");
}

TEST(StanfordSource, MalformedConfLines) {
  TempDir dir;
  auto error = [&](const std::string& text) {
    const std::string path = dir.write("x.conf", text);
    std::string msg = message_of<core::DataError>([&] { read_stanford_conf(path); });
    return msg.substr(std::min(msg.size(), path.size()));
  };
  EXPECT_EQ(error("camera 0\nmesh a.ply 0 0 0 0 0 0 1\n"),
            ":2: expected 'camera ...' or 'bmesh <file> tx ty tz qi qj qk qr', got 'mesh'");
  EXPECT_EQ(error("bmesh a.ply 0 0 0 0 0 1\n"),
            ":1: expected 'bmesh <file> tx ty tz qi qj qk qr' (8 values after bmesh), got 7");
  EXPECT_EQ(error("bmesh a.ply 0 0 x 0 0 0 1\n"), ":1: bmesh a.ply: 'x' is not a finite number");
  EXPECT_EQ(error("bmesh a.ply 0 0 0 0 0 0 0\n"),
            ":1: bmesh a.ply: the quaternion has length zero");
  EXPECT_EQ(error("bmesh a.ply 0 0 0 0 0 0 1\nbmesh a.ply 0 0 0 0 0 0 1\n"),
            ":2: bmesh a.ply: listed twice (first on line 1)");
}

// ---------------------------------------------------------------------------------------------
// folder

struct MeshFolder {
  TempDir dir;
  MeshFolder() {
    dir.write("m/x.obj", kTetraObj);
    dir.write("m/sub/y.ply", kTetraPly);
    dir.write("m/sub/deeper/z.OFF", kTetraOff);
    dir.write("m/readme.txt", "not a mesh");
    dir.write("m/.hidden/w.obj", kTetraObj);
    dir.write("m/.w.obj", kTetraObj);
  }
  FolderSource::Options options() const {
    FolderSource::Options o;
    o.root = core::Path{p(dir, "m")};
    return o;
  }
};

TEST(FolderSource, ListsMeshesRecursivelyByRelativePath) {
  const MeshFolder f;
  const FolderSource source(f.options());
  const auto shapes = source.shapes();
  EXPECT_EQ(ids_of(shapes), (std::vector<std::string>{"sub/deeper/z", "sub/y", "x"}));
  EXPECT_EQ(shapes[0].path, p(f.dir, "m/sub/deeper/z.OFF"));
  for (const auto& s : shapes) EXPECT_EQ(source.load(s).F.size(), 4u) << s.id;
}

TEST(FolderSource, NonRecursiveAndExtensionFilter) {
  const MeshFolder f;
  FolderSource::Options o = f.options();
  o.recursive = false;
  EXPECT_EQ(ids_of(FolderSource(o).shapes()), (std::vector<std::string>{"x"}));
  o.recursive = true;
  o.extensions = {".PLY", "off"};
  EXPECT_EQ(ids_of(FolderSource(o).shapes()),
            (std::vector<std::string>{"sub/deeper/z", "sub/y"}));
}

TEST(FolderSource, FollowsLinkedFolders) {
  const MeshFolder f;
  f.dir.write("elsewhere/v.ply", kTetraPly);
  fs::create_directory_symlink(f.dir.path() / "elsewhere", f.dir.path() / "m/linked");
  EXPECT_EQ(ids_of(FolderSource(f.options()).shapes()),
            (std::vector<std::string>{"linked/v", "sub/deeper/z", "sub/y", "x"}));
}

TEST(FolderSource, SameStemWithTwoExtensionsIsAnError) {
  const MeshFolder f;
  f.dir.write("m/sub/y.obj", kTetraObj);
  EXPECT_EQ(message_of<core::DataError>([&] { FolderSource(f.options()).shapes(); }),
            p(f.dir, "m") +
                ": files 'sub/y.obj' and 'sub/y.ply' both give shape id 'sub/y' (ids are paths "
                "without the extension: keep one, or narrow `extensions`)");
}

TEST(FolderSource, SplitPicksTheFirstExistingExtension) {
  TempDir dir;
  dir.write("m/chairs/a.ply", kTetraPly);
  dir.write("m/chairs/a.obj", kTetraObj);
  dir.write("m/chairs/b.PLY", kTetraPly);
  FolderSource::Options o;
  o.root = core::Path{p(dir, "m")};
  o.extensions = {"obj", "ply"};
  o.split = core::Path{dir.write("s.json", R"({"Mine": {"chairs": ["c", "b", "a"]}})")};
  const FolderSource source(o);
  const auto shapes = source.shapes();
  EXPECT_EQ(ids_of(shapes),
            (std::vector<std::string>{"Mine/chairs/c", "Mine/chairs/b", "Mine/chairs/a"}));
  EXPECT_EQ(shapes[0].path, p(dir, "m/chairs/c.obj"));
  EXPECT_EQ(shapes[1].path, p(dir, "m/chairs/b.PLY"));
  EXPECT_EQ(shapes[2].path, p(dir, "m/chairs/a.obj"));
  EXPECT_EQ(source.load(shapes[1]).V.size(), 4u);
  EXPECT_EQ(message_of<core::IoError>([&] { source.load(shapes[0]); }),
            p(dir, "m/chairs/c.obj") +
                ": no such file (folder shape 'Mine/chairs/c'; extensions tried: obj, ply)");
}

TEST(FolderSource, RootMustBeAFolder) {
  TempDir dir;
  FolderSource::Options o;
  o.root = core::Path{p(dir, "none")};
  EXPECT_EQ(message_of<core::IoError>([&] { FolderSource(o).shapes(); }),
            p(dir, "none") + ": no such folder (folder source root)");
}

// ---------------------------------------------------------------------------------------------
// registry

SourceRegistry builtin() {
  SourceRegistry r("source");
  register_builtin_sources(r);
  return r;
}

TEST(SourceRegistry, HasTheBuiltinSources) {
  const SourceRegistry r = builtin();
  EXPECT_EQ(r.names(), (std::vector<std::string>{"dfaust", "folder", "shapenet", "stanford",
                                                 "synthetic"}));
  for (const auto& name : r.names()) {
    const core::ComponentInfo info = r.info(name);
    EXPECT_FALSE(info.doc.empty()) << name;
    for (const auto& option : info.options) EXPECT_FALSE(option.doc.empty()) << name;
  }
}

TEST(SourceRegistry, BuildsEachSourceWithPathsRelativeToTheConfig) {
  const ShapeNetTree t;  // root/ and split.json in t.dir
  const TempDir& dir = t.dir;
  dir.write("root/03001627/scan.ply", kTetraPly);
  dir.write("s4.json", R"({"scans": {"03001627": {"v1shape": ["model"]}}})");
  const SourceRegistry r = builtin();
  auto build = [&](const std::string& yaml) {
    const core::ConfigNode root = core::load_config(dir.write("a.yaml", "source: " + yaml + "\n"));
    return r.create(root.get("source"));
  };
  EXPECT_EQ(build("{type: shapenet, root: root, split: split.json}")->shapes().size(), 4u);
  const auto dfaust = build("{type: dfaust, root: ., split: s4.json}")->shapes();
  ASSERT_EQ(dfaust.size(), 1u);
  EXPECT_EQ(dfaust[0].path, (dir.path() / "scans/03001627/v1shape/model.ply").generic_string());
  EXPECT_EQ(ids_of(build("{type: stanford, root: root/03001627}")->shapes()),
            (std::vector<std::string>{"scan"}));
  EXPECT_EQ(ids_of(build("{type: folder, root: root, extensions: [ply]}")->shapes()),
            (std::vector<std::string>{"03001627/scan"}));
}

TEST(SourceRegistry, ConfigErrorsNameTheKey) {
  TempDir dir;
  const SourceRegistry r = builtin();
  auto error = [&](const std::string& yaml) {
    const core::ConfigNode root = core::load_config(dir.write("a.yaml", "source: " + yaml + "\n"));
    return message_of<core::ConfigError>([&] { r.create(root.get("source")); });
  };
  const std::string unknown = error("{type: folder, root: m, recursiv: false}");
  EXPECT_TRUE(contains(unknown, "a.yaml:1:"));
  EXPECT_TRUE(contains(unknown, "source.recursiv: unknown key (did you mean 'recursive'?)"))
      << unknown;
  EXPECT_TRUE(contains(error("{type: shapenet, root: r, split: s, layout: v3}"),
                       "'v3' is not one of: auto, v1, v2"));
  EXPECT_TRUE(contains(error("{type: shapenet, root: r}"), "source.split: missing required key"));
  EXPECT_TRUE(contains(error("{type: dfaust, split: s}"),
                       "set root (a folder of scans) or registrations (an HDF5 file)"));
  EXPECT_TRUE(contains(error("{type: stanford, root: r, files: [sub/a.ply]}"),
                       "names and patterns are matched in root, without '/'"));
  EXPECT_TRUE(contains(error("{type: folder, root: r, extensions: ['.']}"),
                       "'.' is not a file extension"));
  EXPECT_TRUE(contains(error("{type: mesh_folder, root: r}"),
                       "unknown source 'mesh_folder'"));
}

}  // namespace
}  // namespace nsdf::preprocessing
