#pragma once
// The built-in mesh sources (registered by register_builtin_sources()):
//
//   shapenet  ShapeNet v1/v2 folders through a DeepSDF split
//   dfaust    D-Faust scans (IGR's layout) or frames of the registrations HDF5, through an IGR
//             split
//   stanford  Stanford 3D Scanning Repository models and range scans, optionally aligned by
//             the repository's .conf file
//   folder    any folder of .obj / .ply / .off meshes, optionally through a DeepSDF split
//
// Constructing a source touches no file: shapes() lists (and checks the root, split and
// alignment files), load() reads one mesh. Both may run on several threads at once.

#include <array>
#include <string>
#include <vector>

#include "core/Options.h"
#include "preprocessing/Source.h"

namespace nsdf::preprocessing {

// ---------------------------------------------------------------------------------------------
// shapenet
//
// | option | type   | default  | doc                                                        |
// |--------|--------|----------|------------------------------------------------------------|
// | root   | path   | required | folder holding <class>/<instance>/ (ShapeNetCore.v1 / .v2)  |
// | split  | path   | required | DeepSDF split {"<dataset>": {"<class>": ["<instance>"]}}    |
// | layout | string | auto     | auto, v1 (<instance>/model.obj), v2 (<instance>/models/     |
// |        |        |          | model_normalized.obj); auto: v2 when that file exists       |

struct ShapeNetSourceOptions {
  core::Path root;
  core::Path split;
  std::string layout = "auto";

  static void declare(core::OptionSet<ShapeNetSourceOptions>& s);
};

class ShapeNetSource : public Source {
 public:
  using Options = ShapeNetSourceOptions;
  static constexpr const char* kDoc =
      "ShapeNet (Chang et al. 2015) meshes listed by a DeepSDF split file (Park et al. 2019) "
      "{\"<dataset>\": {\"<class>\": [\"<instance>\", ...]}}. Shape id "
      "'<dataset>/<class>/<instance>' (DeepSDF's SdfSamples/<id>.npz); mesh "
      "<root>/<class>/<instance>/models/model_normalized.obj (ShapeNetCore.v2) or "
      "<root>/<class>/<instance>/model.obj (v1); layout auto takes v2 when that file exists.";
  static constexpr const char* kExample = "{root: ShapeNetCore.v2, split: chairs_train.json}";

  explicit ShapeNetSource(const Options& options) : options_(options) {}
  std::vector<SourceShape> shapes() const override;
  geometry::Mesh load(const SourceShape& shape) const override;

 private:
  Options options_;
};

// ---------------------------------------------------------------------------------------------
// dfaust
//
// | option        | type | default | doc                                                      |
// |---------------|------|---------|----------------------------------------------------------|
// | root          | path | ""      | folder of scans: <root>/<dataset>/<subject>/<sequence>/  |
// |               |      |         | <shape>.ply (IGR: the folder holding scans/)             |
// | split         | path | required| IGR split {"scans": {"<subject>": {"<sequence>": [..]}}} |
// | registrations | path | ""      | D-Faust registrations_{m,f}.hdf5: each shape is a frame  |
// |               |      |         | of dataset "<subject>_<sequence>" (#V, 3, #frames) with  |
// |               |      |         | the shared "faces" (#F, 3); root is not used then        |
// One of root and registrations must be set.

struct DfaustSourceOptions {
  core::Path root;
  core::Path split;
  core::Path registrations;

  static void declare(core::OptionSet<DfaustSourceOptions>& s);
};

class DfaustSource : public Source {
 public:
  using Options = DfaustSourceOptions;
  static constexpr const char* kDoc =
      "D-Faust (Bogo et al. 2017) shapes listed by an IGR split file (Gropp et al. 2020) "
      "{\"scans\": {\"<subject>\": {\"<sequence>\": [\"<shape>\", ...]}}}; shape id "
      "'<dataset>/<subject>/<sequence>/<shape>'. Without registrations each shape is the scan "
      "<root>/<dataset>/<subject>/<sequence>/<shape>.ply; with registrations it is frame N "
      "(the integer after the last '.' of <shape>, e.g. chicken_wings.000123) of the dataset "
      "'<subject>_<sequence>' (#V x 3 x #frames) of the registrations HDF5 file, with its "
      "'faces' (#F x 3).";
  static constexpr const char* kExample = "{root: dfaust, split: dfaust_train.json}";

  explicit DfaustSource(const Options& options) : options_(options) {}
  std::vector<SourceShape> shapes() const override;
  geometry::Mesh load(const SourceShape& shape) const override;

 private:
  Options options_;
};

// ---------------------------------------------------------------------------------------------
// stanford
//
// | option    | type         | default   | doc                                              |
// |-----------|--------------|-----------|--------------------------------------------------|
// | root      | path         | required  | folder of the PLY files (not searched below)     |
// | files     | list[string] | ["*.ply"] | file names or patterns (* and ?) in root          |
// | alignment | path         | ""        | Stanford .conf (e.g. bun.conf): each file is     |
// |           |              |           | moved into the common frame; every listed file   |
// |           |              |           | must have a bmesh line                            |
//
// Alignment convention (verified on bun.conf, bun045.ply against bun_zipper.ply): a line
// "bmesh <file> tx ty tz qi qj qk qr" maps a scan point p to p' = R(q)^T p + t, q = (qi, qj,
// qk, qr) normalized, R(q) the usual rotation of a unit quaternion with real part qr. That is
// R applied to the quaternion with qr negated (q and -q give the same rotation). Applying R(q)
// as written leaves bun045 26.5 mm (mean nearest-vertex distance) from bun_zipper; this
// convention 0.52 mm, the same as the unmoved reference scan bun000 (0.52 mm: the vertex
// spacing of bun_zipper).

struct StanfordSourceOptions {
  core::Path root;
  std::vector<std::string> files{"*.ply"};
  core::Path alignment;

  static void declare(core::OptionSet<StanfordSourceOptions>& s);
};

/// One "bmesh" line of a Stanford .conf file.
struct StanfordAlignment {
  std::string file;
  std::array<double, 3> translation{};
  std::array<double, 4> quaternion{};  ///< qi, qj, qk, qr as written
};

/// Parses a Stanford .conf file ("camera ..." lines are skipped). Throws IoError when it cannot
/// be read, DataError "<path>:<line>: ..." for a malformed line, a file listed twice, or a
/// quaternion of zero length.
std::vector<StanfordAlignment> read_stanford_conf(const std::string& path);

/// Row-major 3 x 3 rotation that moves a scan into the common frame (see the convention
/// above): R(q)^T for the normalized conf quaternion q.
std::array<double, 9> stanford_rotation(const std::array<double, 4>& quaternion);

class StanfordSource : public Source {
 public:
  using Options = StanfordSourceOptions;
  static constexpr const char* kDoc =
      "Stanford 3D Scanning Repository models and range scans (PLY): the files of root matching "
      "`files` (names or * ? patterns, not recursive), shape id = file stem, sorted. With an "
      "alignment .conf, each file listed by a 'bmesh <file> tx ty tz qi qj qk qr' line is "
      "moved into the common frame: p' = R(q)^T p + t (the quaternion as written is the "
      "inverse rotation; checked on bun.conf, where this puts the scans 0.5 mm from "
      "bun_zipper). Range scans (a range_grid, no faces) are triangulated by the PLY reader as "
      "Stanford's zipper does.";
  static constexpr const char* kExample = "{root: bunny/data}";

  explicit StanfordSource(const Options& options) : options_(options) {}
  std::vector<SourceShape> shapes() const override;
  geometry::Mesh load(const SourceShape& shape) const override;

 private:
  Options options_;
};

// ---------------------------------------------------------------------------------------------
// folder
//
// | option     | type         | default               | doc                                  |
// |------------|--------------|-----------------------|--------------------------------------|
// | root       | path         | required              | folder of meshes                     |
// | extensions | list[string] | ["obj", "ply", "off"] | file extensions taken (any case)     |
// | recursive  | bool         | true                  | search sub-folders (links followed)  |
// | split      | path         | ""                    | DeepSDF split: only the listed       |
// |            |              |                       | shapes, <root>/<class>/<instance>.ext|

struct FolderSourceOptions {
  core::Path root;
  std::vector<std::string> extensions{"obj", "ply", "off"};
  bool recursive = true;
  core::Path split;

  static void declare(core::OptionSet<FolderSourceOptions>& s);
};

class FolderSource : public Source {
 public:
  using Options = FolderSourceOptions;
  static constexpr const char* kDoc =
      "Any folder of meshes. Without a split: every file of root (and its sub-folders when "
      "recursive, linked folders followed; names starting with '.' skipped) whose extension is in "
      "`extensions`, shape "
      "id = path relative to root without the extension, sorted; two files that differ only "
      "by extension are an error. With a DeepSDF split {\"<dataset>\": {\"<class>\": "
      "[\"<instance>\", ...]}}: the listed shapes, id '<dataset>/<class>/<instance>', mesh "
      "<root>/<class>/<instance>.<ext> with the first extension (in list order, lower or upper "
      "case) whose file exists.";
  static constexpr const char* kExample = "{root: meshes}";

  explicit FolderSource(const Options& options);
  std::vector<SourceShape> shapes() const override;
  geometry::Mesh load(const SourceShape& shape) const override;

 private:
  Options options_;
  std::vector<std::string> extensions_;  // lower case, without a leading '.'
};

}  // namespace nsdf::preprocessing
