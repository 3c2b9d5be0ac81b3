#pragma once
// The pictures a shape-space run leaves for people to look at: per shape "ground truth |
// prediction" side by side (one camera, one framing, so they line up pixel for pixel), the first
// `max_shapes` of them tiled into one grid, images/<name>.png. Rendered on the CPU
// (geometry/Render.h), headless.

#include <cstdint>
#include <string>
#include <vector>

#include "core/RunDir.h"
#include "geometry/Image.h"
#include "geometry/Mesh.h"

namespace nsdf::experiments {

class ShapeGallery {
 public:
  /// `panel_size` pixels per panel (0: no pictures), at most `max_shapes` shapes, `columns`
  /// shapes per row.
  ShapeGallery(int64_t panel_size, int64_t max_shapes, int columns = 4);

  bool wants_more() const;
  /// Renders ground truth (points; may be empty) | prediction (mesh; may be empty) of one
  /// shape. Ignored once max_shapes shapes were added or when there is nothing to draw.
  void add(const geometry::PointCloud& ground_truth, const geometry::Mesh& prediction);
  /// images/<name>.png (the writer rank only; nothing when no shape was added).
  void write(const core::RunDir& dir, const std::string& name) const;

 private:
  int64_t panel_size_, max_shapes_;
  int columns_;
  std::vector<geometry::Image> tiles_;
};

}  // namespace nsdf::experiments
