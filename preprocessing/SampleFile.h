#pragma once
// SDF sample files: everything `nsdf preprocess` computes for a split, in one HDF5 file laid out
// for fast per-shape reads during training (one contiguous, uncompressed dataset per array and
// shape: a shape's samples are one read, no per-row selection). Readable from Python with h5py:
//   f = h5py.File("chairs_train.h5"); ids = [s.decode() for s in f["shape_ids"]]
//   pos = f["shapes"][ids[0]]["pos"][:]          # (P, 4) float32: x, y, z, sdf >= 0
//
// Schema, format_version 1 (preprocessing/README.md has the same table):
//   /                       attributes: format = "nsdf.sdf_samples", format_version = 1,
//                           nsdf_version, method ("deepsdf" for the sampling protocol,
//                           "deepsdf_import" for imported data), parameters (the resolved
//                           `preprocess` config section as YAML, without `output`)
//   /shape_ids              (S,) strings, the shapes in split order
//   /failed_ids             (F,) strings, shapes that could not be processed (may be empty)
//   /failed_reasons         (F,) strings, why (the error message, naming the file)
//   /shapes/<id>/           one group per shape; ids are '/'-separated, so "ShapeNetV2/03001627/
//                           1a6f..." is the group /shapes/ShapeNetV2/03001627/1a6f...
//     pos                   (P, 4) float32  samples with sdf >= 0: x, y, z, sdf (normalized units)
//     neg                   (Q, 4) float32  samples with sdf < 0
//     surface_points        (M, 3) float32  points on the surface, ORIGINAL units (evaluation)
//     surface_normals       (M, 3) float32  their unit face normals (outward where orientable)
//     views/<k>/depth       (H, W) float32  z-depth along the camera axis, normalized units;
//                                           0 where no surface is seen
//     views/<k>/intrinsics  (3, 3) float64  K, pixels (OpenCV: x right, y down, z forward;
//                                           pixel (u, v) centre at (u + 0.5, v + 0.5))
//     views/<k>/camera_to_world (4, 4) float64  world (normalized) = R cam + t
//     views/<k>/points      (K, 3) float32  the depth back-projected (normalized units)
//     views/<k>/normals     (K, 3) float32  unit normals of those points, facing the camera
//     attributes: source_path, source_key, source_frame (where the mesh came from),
//                 normalization_offset (3,) float64 and normalization_scale float64 with
//                 normalized = (original + offset) * scale (DeepSDF's convention), and
//                 numbers about the mesh and the run (vertices, faces, flipped_faces, ...)
// Files are written under a temporary name and renamed when complete, so a file with the final
// name is always whole. The same content always gives the same bytes (no timestamps).

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "geometry/Mesh.h"
#include "geometry/Normalization.h"

namespace nsdf::preprocessing {

/// One depth view of a shape (see the schema above).
struct ViewRecord {
  int64_t width = 0;
  int64_t height = 0;
  std::vector<float> depth;                 ///< height x width, row-major
  std::array<double, 9> intrinsics{};       ///< K, row-major
  std::array<double, 16> camera_to_world{};  ///< row-major 4 x 4
  std::vector<geometry::Vec3f> points;
  std::vector<geometry::Vec3f> normals;
};

/// Everything stored for one shape.
struct ShapeRecord {
  std::string id;
  std::string source_path;
  std::string source_key;
  int64_t source_frame = -1;
  geometry::Normalization normalization;
  std::vector<float> pos;  ///< #P by 4: x, y, z, sdf >= 0
  std::vector<float> neg;  ///< #Q by 4: sdf < 0
  std::vector<geometry::Vec3f> surface_points;
  std::vector<geometry::Vec3f> surface_normals;
  std::vector<ViewRecord> views;
  /// Numbers stored as attributes of the shape's group (mesh statistics, timings are not kept:
  /// files must not depend on the machine).
  std::vector<std::pair<std::string, double>> stats;
};

/// File-level metadata.
struct SampleFileInfo {
  std::string method;
  std::string parameters;
  std::string nsdf_version;  ///< filled in by the writer when empty
};

/// Which parts of a shape to read.
enum class ShapeParts { SamplesOnly, All };

/// Writes a sample file under a temporary name; commit() completes it and renames it into
/// place. Destroyed without commit() (an exception, a crash), it leaves no file under `path`.
class SampleFileWriter {
 public:
  SampleFileWriter(const std::string& path, const SampleFileInfo& info);
  ~SampleFileWriter();
  SampleFileWriter(const SampleFileWriter&) = delete;
  SampleFileWriter& operator=(const SampleFileWriter&) = delete;

  /// Adds one shape. Throws DataError for an invalid or repeated id, rows not a multiple of 4,
  /// sdf signs in the wrong array, surface normals not matching the points, or malformed views;
  /// IoError when writing fails.
  void add(const ShapeRecord& shape);
  /// Records a shape that failed, with the reason.
  void add_failure(const std::string& id, const std::string& reason);
  /// Writes the shape list, closes and renames the file into place.
  void commit();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// A sample file opened for reading (thread-safe: reads take the HDF5 lock).
class SampleFile {
 public:
  /// Opens and validates the root (format, version, shape list). IoError when the file cannot be
  /// opened, DataError when it is not an nsdf sample file or is of a newer format version.
  explicit SampleFile(const std::string& path);
  ~SampleFile();
  SampleFile(SampleFile&&) noexcept;

  const std::string& path() const;
  const SampleFileInfo& info() const;
  const std::vector<std::string>& shape_ids() const;
  /// Failed shapes and their reasons, in the order they were recorded.
  const std::vector<std::pair<std::string, std::string>>& failures() const;
  /// Index of `id` in shape_ids(), or -1.
  int64_t index_of(const std::string& id) const;

  /// Reads one shape; DataError naming the file and shape when it is not in the file or its
  /// arrays are malformed.
  ShapeRecord read(const std::string& id, ShapeParts parts = ShapeParts::All) const;
  /// The shape's depth views (views/<k>), nothing else read.
  std::vector<ViewRecord> views(const std::string& id) const;
  /// Bytes of the shape's pos and neg arrays as float32, from their dimensions (nothing read).
  int64_t sample_bytes(const std::string& id) const;
  /// The shape's normalization (its attributes; nothing else read).
  geometry::Normalization normalization(const std::string& id) const;
  /// The shape's surface points (original units) and normals, nothing else read.
  geometry::PointCloud surface(const std::string& id) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// What `nsdf inspect FILE.h5` prints: format, method, shape and failure counts, the sizes of
/// the first shape's arrays, and the parameters the file was made with.
std::string describe_sample_file(const std::string& path);

/// Writes `shapes` (and failures) as one file: writer + add + commit.
void write_sample_file(const std::string& path, const SampleFileInfo& info,
                       const std::vector<ShapeRecord>& shapes,
                       const std::vector<std::pair<std::string, std::string>>& failures = {});

}  // namespace nsdf::preprocessing
