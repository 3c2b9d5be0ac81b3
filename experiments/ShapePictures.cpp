#include "experiments/ShapePictures.h"

#include "geometry/Render.h"

namespace nsdf::experiments {

ShapeGallery::ShapeGallery(int64_t panel_size, int64_t max_shapes, int columns)
    : panel_size_(panel_size), max_shapes_(max_shapes), columns_(columns) {}

bool ShapeGallery::wants_more() const {
  return panel_size_ > 0 && static_cast<int64_t>(tiles_.size()) < max_shapes_;
}

void ShapeGallery::add(const geometry::PointCloud& ground_truth,
                       const geometry::Mesh& prediction) {
  if (!wants_more() || (ground_truth.P.empty() && prediction.V.empty())) return;
  // An empty side stays an empty panel, so the grid keeps its columns.
  std::vector<geometry::RenderPanel> panels{{ground_truth}, {prediction}};
  geometry::RenderOptions ro;
  ro.width = ro.height = static_cast<int>(panel_size_);
  tiles_.push_back(geometry::render_panels(panels, ro));
}

void ShapeGallery::write(const core::RunDir& dir, const std::string& name) const {
  if (tiles_.empty() || !dir.is_writer()) return;
  geometry::write_png(geometry::tile_images(tiles_, columns_, 4, {200, 200, 200}),
                      (dir.subdir("images") / (name + ".png")).string());
}

}  // namespace nsdf::experiments
