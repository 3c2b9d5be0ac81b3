#include "geometry/SparseExtraction.h"

#include <tbb/parallel_for.h>
#include <tbb/parallel_sort.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>
#include <vector>

#include "core/Error.h"
#include "geometry/MarchingCubes.h"
#include "geometry/MeshTopology.h"

namespace nsdf::geometry {

namespace {

// Levels of refinement between the coarse and the final grid (resolution = coarse * 2^levels).
int check_options(const ExtractionOptions& o, bool sparse) {
  NSDF_CHECK(o.resolution >= 1, core::ConfigError, "extraction: resolution = {}, must be >= 1",
             o.resolution);
  NSDF_CHECK(o.batch_size >= 1, core::ConfigError, "extraction: batch_size = {}, must be >= 1",
             o.batch_size);
  for (int a = 0; a < 3; ++a)
    NSDF_CHECK(std::isfinite(o.min[a]) && std::isfinite(o.max[a]) && o.min[a] < o.max[a],
               core::ConfigError, "extraction: box axis {} is [{}, {}], need finite min < max", a,
               o.min[a], o.max[a]);
  if (!sparse) return 0;
  NSDF_CHECK(o.coarse_resolution >= 1, core::ConfigError,
             "extraction: coarse_resolution = {}, must be >= 1", o.coarse_resolution);
  NSDF_CHECK(std::isfinite(o.safety) && o.safety > 0, core::ConfigError,
             "extraction: safety = {}, must be positive", o.safety);
  NSDF_CHECK(o.coarse_resolution <= o.resolution, core::ConfigError,
             "extraction: coarse_resolution {} is above resolution {}", o.coarse_resolution,
             o.resolution);
  int levels = 0;
  int64_t r = o.coarse_resolution;
  while (r < o.resolution) {
    r *= 2;
    ++levels;
  }
  NSDF_CHECK(r == o.resolution, core::ConfigError,
             "extraction: resolution {} is not coarse_resolution {} times a power of 2 (nearest: "
             "{} or {})",
             o.resolution, o.coarse_resolution, r / 2, r);
  return levels;
}

GridSpec final_grid(const ExtractionOptions& o) {
  GridSpec grid;
  for (int a = 0; a < 3; ++a) {
    grid.dims[a] = int64_t(o.resolution) + 1;
    grid.origin[a] = o.min[a];
    grid.spacing[a] = (o.max[a] - o.min[a]) / o.resolution;
  }
  return grid;
}

// Queries the field at the given grid points, batch_size points per call. Dense and sparse
// extraction both place points through here, so they see the same values.
void query_points(const FieldFn& field, const GridSpec& grid, int64_t batch_size,
                  const std::vector<int64_t>& points, std::vector<float>& values) {
  values.resize(points.size());
  std::vector<float> xyz;
  for (size_t begin = 0; begin < points.size(); begin += size_t(batch_size)) {
    const size_t n = std::min(points.size() - begin, size_t(batch_size));
    xyz.resize(3 * n);
    for (size_t m = 0; m < n; ++m) {
      int64_t p = points[begin + m];
      for (int a = 0; a < 3; ++a) {
        const int64_t i = p % grid.dims[a];
        p /= grid.dims[a];
        xyz[3 * m + a] = static_cast<float>(grid.origin[a] + grid.spacing[a] * double(i));
      }
    }
    field(xyz.data(), int64_t(n), values.data() + begin);
    for (size_t m = 0; m < n; ++m)
      NSDF_CHECK(std::isfinite(values[begin + m]), core::DataError,
                 "extraction: the field returned {} at ({}, {}, {})", values[begin + m], xyz[3 * m],
                 xyz[3 * m + 1], xyz[3 * m + 2]);
  }
}

// Values by grid point index: open addressing with linear probing. Reads are thread-safe;
// writes are not (they happen between the parallel phases).
class PointCache {
 public:
  PointCache() { rehash(1 << 16); }

  size_t size() const { return size_; }

  const float* find(int64_t key) const {
    const size_t s = position(key);
    return keys_[s] == key ? &values_[s] : nullptr;
  }

  /// Inserts key with value; false (and no change) when it is already there.
  bool insert(int64_t key, float value) {
    if (2 * (size_ + 1) > keys_.size()) rehash(2 * keys_.size());
    const size_t s = position(key);
    if (keys_[s] == key) return false;
    keys_[s] = key;
    values_[s] = value;
    ++size_;
    return true;
  }

  void set(int64_t key, float value) {
    const size_t s = position(key);
    NSDF_ASSERT(keys_[s] == key, "grid point {} is not cached", key);
    values_[s] = value;
  }

 private:
  static constexpr int64_t kEmpty = -1;

  size_t slot(int64_t key) const {
    return size_t((uint64_t(key) * 0x9E3779B97F4A7C15ull) >> shift_) & mask_;
  }

  // The slot holding key, or the empty slot where it would go.
  size_t position(int64_t key) const {
    size_t s = slot(key);
    while (keys_[s] != key && keys_[s] != kEmpty) s = (s + 1) & mask_;
    return s;
  }

  void rehash(size_t capacity) {
    std::vector<int64_t> old_keys(capacity, kEmpty);
    std::vector<float> old_values(capacity);
    old_keys.swap(keys_);
    old_values.swap(values_);
    mask_ = capacity - 1;
    shift_ = 64;
    for (size_t c = capacity; c > 1; c >>= 1) --shift_;
    size_ = 0;
    for (size_t s = 0; s < old_keys.size(); ++s)
      if (old_keys[s] != kEmpty) insert(old_keys[s], old_values[s]);
  }

  std::vector<int64_t> keys_;
  std::vector<float> values_;
  size_t mask_ = 0;
  int shift_ = 64;
  size_t size_ = 0;
};

struct Cell {
  int32_t i, j, k;
};

// The 8 corner values of a cell of `step` final-grid cells, corner c at offset
// step * (c & 1, (c >> 1) & 1, (c >> 2) & 1).
std::array<float, 8> corner_values(const PointCache& cache, const GridSpec& grid, const Cell& cell,
                                   int64_t step) {
  std::array<float, 8> v{};
  for (int c = 0; c < 8; ++c) {
    const float* value = cache.find(grid_point_index(grid, step * (cell.i + (c & 1)),
                                                     step * (cell.j + ((c >> 1) & 1)),
                                                     step * (cell.k + ((c >> 2) & 1))));
    NSDF_ASSERT(value != nullptr, "corner {} of an active cell was never queried", c);
    v[c] = *value;
  }
  return v;
}

// Queries the field at the grid points `fresh` (already in the cache, as placeholders) and
// stores their values.
void query_fresh(const FieldFn& field, const GridSpec& grid, int64_t batch_size,
                 const std::vector<int64_t>& fresh, PointCache& cache) {
  std::vector<float> values;
  query_points(field, grid, batch_size, fresh, values);
  for (size_t n = 0; n < fresh.size(); ++n) cache.set(fresh[n], values[n]);
}

ExtractionResult finish(Mesh mesh, int64_t queries, const ExtractionOptions& o) {
  ExtractionResult result;
  result.mesh = o.largest_component_only ? largest_component(mesh) : std::move(mesh);
  result.queries = queries;
  const int64_t n = int64_t(o.resolution) + 1;
  result.dense_queries = n * n * n;
  return result;
}

}  // namespace

ExtractionResult extract_dense(const FieldFn& field, const ExtractionOptions& options) {
  check_options(options, false);
  const GridSpec grid = final_grid(options);
  const int64_t n = grid.dims[0] * grid.dims[1] * grid.dims[2];
  std::vector<float> values(static_cast<size_t>(n));
  std::vector<int64_t> points;
  std::vector<float> batch;
  // Point indices in order, one batch at a time, so the index list stays small.
  for (int64_t begin = 0; begin < n; begin += options.batch_size) {
    const int64_t count = std::min(n - begin, options.batch_size);
    points.resize(size_t(count));
    for (int64_t m = 0; m < count; ++m) points[m] = begin + m;
    query_points(field, grid, options.batch_size, points, batch);
    std::copy(batch.begin(), batch.end(), values.begin() + begin);
  }
  const int d = options.resolution + 1;
  Mesh mesh = marching_cubes(values, {d, d, d}, grid.origin, grid.spacing, 0.0f);
  return finish(std::move(mesh), n, options);
}

ExtractionResult extract_sparse(const FieldFn& field, const ExtractionOptions& options) {
  const int levels = check_options(options, true);
  const GridSpec grid = final_grid(options);
  PointCache cache;
  // Level 0: every coarse cell and point. Cell coordinates are in units of the current level's
  // cells; step is the current cell size in final-grid cells.
  const int32_t coarse = options.coarse_resolution;
  int64_t step = int64_t(1) << levels;
  std::vector<Cell> cells;
  cells.reserve(size_t(coarse) * coarse * coarse);
  for (int32_t k = 0; k < coarse; ++k)
    for (int32_t j = 0; j < coarse; ++j)
      for (int32_t i = 0; i < coarse; ++i) cells.push_back({i, j, k});
  std::vector<int64_t> fresh;
  for (int64_t k = 0; k <= coarse; ++k)
    for (int64_t j = 0; j <= coarse; ++j)
      for (int64_t i = 0; i <= coarse; ++i) {
        fresh.push_back(grid_point_index(grid, step * i, step * j, step * k));
        cache.insert(fresh.back(), std::numeric_limits<float>::quiet_NaN());
      }
  query_fresh(field, grid, options.batch_size, fresh, cache);
  int64_t queries = static_cast<int64_t>(fresh.size());

  for (int level = 0; level < levels; ++level) {
    double diagonal2 = 0;
    for (int a = 0; a < 3; ++a) diagonal2 += std::pow(grid.spacing[a] * double(step), 2);
    const double bound = options.safety * 0.5 * std::sqrt(diagonal2);
    // Which cells may hold the surface (read-only cache lookups, in parallel), then their
    // children in cell order.
    std::vector<char> keep(cells.size());
    tbb::parallel_for(size_t{0}, cells.size(), [&](size_t n) {
      const std::array<float, 8> v = corner_values(cache, grid, cells[n], step);
      bool inside = false, outside = false;
      double min_abs = std::numeric_limits<double>::infinity();
      for (float x : v) {
        inside |= x < 0;
        outside |= !(x < 0);
        min_abs = std::min(min_abs, double(std::abs(x)));
      }
      keep[n] = (inside && outside) || min_abs <= bound;
    });
    // A kept cell's children have 27 points, 8 of them its own corners (cached); the other 19
    // are new unless a neighbouring kept cell added them first.
    const int64_t half = step / 2;
    std::vector<Cell> children;
    fresh.clear();
    for (size_t n = 0; n < cells.size(); ++n) {
      if (!keep[n]) continue;
      const Cell& cell = cells[n];
      for (int c = 0; c < 8; ++c)
        children.push_back(
            {2 * cell.i + (c & 1), 2 * cell.j + ((c >> 1) & 1), 2 * cell.k + ((c >> 2) & 1)});
      for (int c = 0; c < 27; ++c) {
        const int dx = c % 3, dy = (c / 3) % 3, dz = c / 9;
        if (dx % 2 == 0 && dy % 2 == 0 && dz % 2 == 0) continue;
        const int64_t p = grid_point_index(grid, half * (2 * cell.i + dx), half * (2 * cell.j + dy),
                                           half * (2 * cell.k + dz));
        if (cache.insert(p, std::numeric_limits<float>::quiet_NaN())) fresh.push_back(p);
      }
    }
    query_fresh(field, grid, options.batch_size, fresh, cache);
    queries += static_cast<int64_t>(fresh.size());
    step = half;
    cells.swap(children);
  }
  NSDF_ASSERT(step == 1, "refinement ended at step {}", step);

  // Cell order of the dense pass (z, then y, then x), so triangles come out in the same order.
  tbb::parallel_sort(cells.begin(), cells.end(), [](const Cell& a, const Cell& b) {
    return std::tie(a.k, a.j, a.i) < std::tie(b.k, b.j, b.i);
  });
  constexpr size_t kChunk = 4096;
  std::vector<std::vector<int64_t>> chunks((cells.size() + kChunk - 1) / kChunk);
  tbb::parallel_for(size_t{0}, chunks.size(), [&](size_t n) {
    const size_t end = std::min(cells.size(), (n + 1) * kChunk);
    for (size_t m = n * kChunk; m < end; ++m) {
      const Cell& cell = cells[m];
      polygonize_cell(grid, {cell.i, cell.j, cell.k}, corner_values(cache, grid, cell, 1), 0.0f,
                      chunks[n]);
    }
  });
  std::vector<int64_t> tri_ids;
  for (const auto& chunk : chunks) tri_ids.insert(tri_ids.end(), chunk.begin(), chunk.end());
  Mesh mesh = mesh_from_cell_triangles(grid, tri_ids, 0.0f, [&](int64_t p) {
    const float* value = cache.find(p);
    NSDF_ASSERT(value != nullptr, "edge end {} was never queried", p);
    return *value;
  });
  return finish(std::move(mesh), queries, options);
}

}  // namespace nsdf::geometry
