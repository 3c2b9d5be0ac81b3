#pragma once
// Where meshes come from: a source lists the shapes of a collection (ShapeNet, D-Faust,
// Stanford models and scans, any folder of meshes), usually through a split file, and reads
// each one. Sources are registered components (`preprocess.source: {type: shapenet, ...}`);
// a new collection is one more class and one line in register_builtin_sources().

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/Registry.h"
#include "geometry/Mesh.h"

namespace nsdf::preprocessing {

/// One shape a source provides.
struct SourceShape {
  /// Unique within the source, '/'-separated components (no empty, "." or ".." component):
  /// "ShapeNetV2/03001627/1a6f615e8b1b5ae4dbbc9440457e303e", "scans/50002/chicken_wings/
  /// chicken_wings.000000", "ChairArms1". It names the shape's group in the HDF5 file and its
  /// files in DeepSDF's layout (SdfSamples/<id>.npz).
  std::string id;
  /// The file the mesh is read from (shown in messages, stored as metadata).
  std::string path;
  /// Source-specific locator inside `path` (D-Faust registrations: the sequence dataset, e.g.
  /// "50002_chicken_wings"); empty otherwise.
  std::string key;
  /// Frame inside `key` (D-Faust registrations), -1 otherwise.
  int64_t frame = -1;
};

class Source {
 public:
  virtual ~Source() = default;

  /// The shapes in split order (or in sorted path order when there is no split). Throws
  /// ConfigError / IoError / DataError naming the file when the listing itself fails (missing
  /// root folder, unreadable or malformed split file, duplicate ids). A listed shape whose file
  /// is missing is not an error here: load() reports it, and preprocessing goes on with the
  /// other shapes.
  virtual std::vector<SourceShape> shapes() const = 0;

  /// The mesh of one listed shape, in its original units. Throws IoError / DataError whose
  /// message starts with the file path and says what is wrong.
  virtual geometry::Mesh load(const SourceShape& shape) const = 0;
};

using SourceRegistry = core::Registry<Source>;

/// Registers shapenet, dfaust, stanford, folder and synthetic (Sources.cpp).
void register_builtin_sources(SourceRegistry& registry);

/// Throws DataError("<context>: shape id '<id>': ...") unless id is a valid shape id (see
/// SourceShape::id; also no leading or trailing '/', no character below 0x20, at most 1024
/// bytes).
void check_shape_id(const std::string& id, const std::string& context);

}  // namespace nsdf::preprocessing
