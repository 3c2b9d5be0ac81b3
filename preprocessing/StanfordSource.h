#pragma once
// The `stanford` source: Stanford 3D Scanning Repository models and range scans, optionally
// aligned by the repository's .conf file (what it reads: kDoc; its options:
// StanfordSourceOptions::declare, shown by `nsdf list source stanford`).
//
// Alignment convention (verified on bun.conf, bun045.ply against bun_zipper.ply): a line
// "bmesh <file> tx ty tz qi qj qk qr" maps a scan point p to p' = R(q)^T p + t, q = (qi, qj,
// qk, qr) normalized, R(q) the usual rotation of a unit quaternion with real part qr. That is
// R applied to the quaternion with qr negated (q and -q give the same rotation). Applying R(q)
// as written leaves bun045 26.5 mm (mean nearest-vertex distance) from bun_zipper; this
// convention 0.52 mm, the same as the unmoved reference scan bun000 (0.52 mm: the vertex
// spacing of bun_zipper).

#include <array>
#include <string>
#include <vector>

#include "core/Options.h"
#include "geometry/Mesh.h"
#include "preprocessing/Source.h"

namespace nsdf::preprocessing {

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

/// The line of `conf` for `file` (a file name), or nullptr.
const StanfordAlignment* find_alignment(const std::vector<StanfordAlignment>& conf,
                                        const std::string& file);
/// p moved into the common frame (see the convention above); directions with translate false.
std::array<double, 3> align_point(const StanfordAlignment& a, const std::array<double, 3>& p,
                                  bool translate = true);
/// Points moved into the common frame, normals rotated with them.
void align_points(const StanfordAlignment& a, std::vector<geometry::Vec3f>& points,
                  std::vector<geometry::Vec3f>& normals);

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

}  // namespace nsdf::preprocessing
