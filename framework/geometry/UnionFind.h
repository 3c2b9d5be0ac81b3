#pragma once
// Disjoint sets over 0..n-1 (union-find) for connected components: of mesh vertices and vertex
// links (MeshTopology), and of the k-NN graph's spanning forest (Normals). Path halving keeps
// the trees flat; a union makes the smaller root the parent, so every set's root is its
// smallest element whatever the order of the unions.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <vector>

namespace nsdf::geometry {

/// Union-find over the elements 0..n-1 with indices of type Index (int32_t or int64_t; the
/// smaller type halves the memory of large sets that fit it).
template <class Index>
class UnionFind {
 public:
  /// n singletons.
  explicit UnionFind(size_t n = 0) { reset(n); }

  /// Back to n singletons (keeps the storage: for reuse across many small sets).
  void reset(size_t n) {
    parent_.resize(n);
    std::iota(parent_.begin(), parent_.end(), Index{0});
  }

  /// The root (smallest element) of x's set.
  Index find(Index x) {
    while (parent_[x] != x) {
      parent_[x] = parent_[parent_[x]];  // path halving keeps the trees flat
      x = parent_[x];
    }
    return x;
  }

  /// Joins the sets of a and b; false when they were one set already.
  bool unite(Index a, Index b) {
    a = find(a);
    b = find(b);
    if (a == b) return false;
    parent_[std::max(a, b)] = std::min(a, b);
    return true;
  }

 private:
  std::vector<Index> parent_;
};

}  // namespace nsdf::geometry
