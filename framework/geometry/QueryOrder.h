#pragma once
// Runs a per-query function over a batch of 3-D queries in parallel, in an order that keeps
// nearby queries together: the batch is sorted along a Morton (Z-order) curve over its bounding
// box and handed to TBB in blocks of consecutive curve positions. Queries arriving in random
// order (DeepSDF's samples) then reuse the tree nodes and triangles the previous query brought
// into cache, which makes BVH and winding-number batches markedly faster; the results do not
// depend on the order (each query is independent and written to its own slot).

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <cstddef>
#include <cstdint>
#include <vector>

#include "geometry/Mesh.h"

namespace nsdf::geometry {

/// Indices of `points` (fewer than 2^32) sorted by the Morton code of their position (10 bits per
/// axis over the points' bounding box; ties by index). Non-finite points sort last. Parallel.
std::vector<uint32_t> morton_order(const std::vector<Vec3f>& points);

/// Hints the processor to fetch the cache line holding p (no effect where unsupported). Batch
/// loops prefetch the next query's point: Morton order visits the query array at random, and a
/// miss there would otherwise stall every query.
inline void prefetch(const void* p) {
#if defined(__GNUC__) || defined(__clang__)
  __builtin_prefetch(p);
#else
  (void)p;
#endif
}

/// Calls fn(order, n) on consecutive runs of the batch in Morton order (identity order for
/// small batches), in parallel: `order` points to n query indices; every index in
/// [0, #queries) is in exactly one run. Lets fn carry state from a query to the next (which is
/// nearby) within a run. fn must be safe to call concurrently on different runs.
template <class Fn>
void for_each_query_block(const std::vector<Vec3f>& queries, Fn&& fn) {
  constexpr size_t kGrain = 128;
  // Below this the sort costs more than the cache misses it saves.
  constexpr size_t kSortAbove = 4096;
  std::vector<uint32_t> order;
  if (queries.size() > kSortAbove) {
    order = morton_order(queries);
  } else {
    order.resize(queries.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<uint32_t>(i);
  }
  tbb::parallel_for(
      tbb::blocked_range<size_t>(0, order.size(), kGrain),
      [&](const tbb::blocked_range<size_t>& r) { fn(order.data() + r.begin(), r.size()); });
}

/// Calls fn(i) once for every i in [0, #queries), in parallel, in Morton order for batches large
/// enough to gain from it. fn must be safe to call concurrently for different i.
template <class Fn>
void for_each_query(const std::vector<Vec3f>& queries, Fn&& fn) {
  for_each_query_block(queries, [&](const uint32_t* order, size_t n) {
    for (size_t j = 0; j < n; ++j) {
      if (j + 1 < n) prefetch(&queries[order[j + 1]]);
      fn(static_cast<size_t>(order[j]));
    }
  });
}

}  // namespace nsdf::geometry
