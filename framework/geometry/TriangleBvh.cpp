#include "geometry/TriangleBvh.h"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_invoke.h>

#include <algorithm>
#include <cmath>
#include <utility>

#include "core/Error.h"
#include "geometry/QueryOrder.h"
#include "geometry/Simd4.h"
#include "geometry/VecMath.h"

namespace nsdf::geometry {

namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
// Below this depth splits follow the SAH; deeper, they halve the triangle count, so the depth
// stays under kMaxSahDepth + 32 whatever the input and the traversal stacks below cannot overflow.
constexpr int kMaxSahDepth = 64;
constexpr int kStackSize = kMaxSahDepth + 40;

// Nearest point of the segment [a, b] to p; a zero-length segment is the point a.
double closest_on_segment(const Vec3d& p, const Vec3d& a, const Vec3d& b, Vec3d& out) {
  const Vec3d ab = sub(b, a);
  const double len2 = dot(ab, ab);
  double s = len2 > 0.0 ? dot(sub(p, a), ab) / len2 : 0.0;
  s = std::min(1.0, std::max(0.0, s));
  out = madd(a, s, ab);
  const Vec3d d = sub(p, out);
  return dot(d, d);
}

// Ericson's Voronoi-region walk. Every division it makes has a denominator that is a squared
// edge length or the squared doubled area, so a triangle whose area vanishes relative to its
// edges (sin^2 of its largest angle below ~1e-12) is handed to the segment code instead: there
// the region tests no longer separate the regions and the divisions would blow up.
double closest_on_triangle(const Vec3d& p, const Vec3d& a, const Vec3d& b, const Vec3d& c,
                           Vec3d& out) {
  const Vec3d ab = sub(b, a), ac = sub(c, a);
  const Vec3d n = cross(ab, ac);
  const double n2 = dot(n, n);
  if (!(n2 > 1e-12 * dot(ab, ab) * dot(ac, ac))) {
    Vec3d q;
    double best = closest_on_segment(p, a, b, out);
    double d2 = closest_on_segment(p, b, c, q);
    if (d2 < best) best = d2, out = q;
    d2 = closest_on_segment(p, c, a, q);
    if (d2 < best) best = d2, out = q;
    return best;
  }
  const Vec3d ap = sub(p, a);
  const double d1 = dot(ab, ap), d2 = dot(ac, ap);
  if (d1 <= 0.0 && d2 <= 0.0) {
    out = a;
  } else {
    const Vec3d bp = sub(p, b);
    const double d3 = dot(ab, bp), d4 = dot(ac, bp);
    const Vec3d cp = sub(p, c);
    const double d5 = dot(ab, cp), d6 = dot(ac, cp);
    const double vc = d1 * d4 - d3 * d2;
    const double vb = d5 * d2 - d1 * d6;
    const double va = d3 * d6 - d5 * d4;
    if (d3 >= 0.0 && d4 <= d3) {
      out = b;
    } else if (vc <= 0.0 && d1 >= 0.0 && d3 <= 0.0) {
      out = madd(a, d1 / (d1 - d3), ab);
    } else if (d6 >= 0.0 && d5 <= d6) {
      out = c;
    } else if (vb <= 0.0 && d2 >= 0.0 && d6 <= 0.0) {
      out = madd(a, d2 / (d2 - d6), ac);
    } else if (va <= 0.0 && d4 - d3 >= 0.0 && d5 - d6 >= 0.0) {
      out = madd(b, (d4 - d3) / ((d4 - d3) + (d5 - d6)), sub(c, b));
    } else {
      const double inv = 1.0 / (va + vb + vc);
      out = madd(madd(a, vb * inv, ab), vc * inv, ac);
    }
  }
  const Vec3d d = sub(p, out);
  return dot(d, d);
}

bool ray_triangle(const Vec3d& o, const Vec3d& d, const Vec3d& a, const Vec3d& b, const Vec3d& c,
                  double t_min, double t_max, double& t, double& u, double& v) {
  const Vec3d e1 = sub(b, a), e2 = sub(c, a);
  const Vec3d p = cross(d, e2);
  const double det = dot(e1, p);
  // Zero for degenerate triangles and rays in the triangle's plane: no (transversal) hit.
  if (det == 0.0 || !std::isfinite(det)) return false;
  const double inv = 1.0 / det;
  const Vec3d s = sub(o, a);
  const double uu = dot(s, p) * inv;
  if (uu < 0.0 || uu > 1.0) return false;
  const Vec3d q = cross(s, e1);
  const double vv = dot(d, q) * inv;
  if (vv < 0.0 || uu + vv > 1.0) return false;
  const double tt = dot(e2, q) * inv;
  if (!(tt >= t_min && tt <= t_max)) return false;
  t = tt;
  u = uu;
  v = vv;
  return true;
}

// Slab test in float on a ray with precomputed reciprocal direction; the exit distance is widened
// by a few ulps (Pharr et al., PBRT 3rd ed., Sec. 3.9.2) so grazing rays never lose a triangle.
bool ray_box(const BvhNode& n, const Vec3f& o, const Vec3f& inv_d, float t_min, float t_max,
             float& t_enter) {
  float t0 = t_min, t1 = t_max;
  for (int k = 0; k < 3; ++k) {
    float a = (n.lo[k] - o[k]) * inv_d[k];
    float b = (n.hi[k] - o[k]) * inv_d[k];
    if (a > b) std::swap(a, b);
    b *= 1.0f + 4e-7f;
    // NaN (0 * inf: the origin on a slab plane of a ray parallel to it) keeps the interval.
    if (a > t0) t0 = a;
    if (b < t1) t1 = b;
  }
  t_enter = t0;
  return t0 <= t1;
}

Vec3f reciprocal(const Vec3f& d) {
  Vec3f inv;
  // +-inf for zero components: wanted. A -0 component becomes +0 first: with 1 / -0 = -inf, an
  // origin on a box's slab plane gives (lo - o) * -inf = NaN and the other slab -inf, which
  // rejected the box (rays parallel to a face lost their hits).
  for (int k = 0; k < 3; ++k) inv[k] = 1.0f / (d[k] + 0.0f);
  return inv;
}

void check_ray(const Vec3f& origin, const Vec3f& direction, const char* what) {
  NSDF_CHECK(finite(origin), core::DataError,
             "TriangleBvh::{}: ray origin ({}, {}, {}) is not finite", what, origin[0], origin[1],
             origin[2]);
  NSDF_CHECK(finite(direction) && (direction[0] != 0 || direction[1] != 0 || direction[2] != 0),
             core::DataError,
             "TriangleBvh::{}: ray direction ({}, {}, {}) must be finite and not zero", what,
             direction[0], direction[1], direction[2]);
}

// ---- build ---------------------------------------------------------------------------------

struct Box {
  Vec3f lo{kInf, kInf, kInf};
  Vec3f hi{-kInf, -kInf, -kInf};

  void grow(const Vec3f& p) {
    for (int k = 0; k < 3; ++k) {
      lo[k] = std::min(lo[k], p[k]);
      hi[k] = std::max(hi[k], p[k]);
    }
  }
  void grow(const Box& b) {
    for (int k = 0; k < 3; ++k) {
      lo[k] = std::min(lo[k], b.lo[k]);
      hi[k] = std::max(hi[k], b.hi[k]);
    }
  }
  double half_area() const {
    if (lo[0] > hi[0]) return 0.0;
    const double x = hi[0] - lo[0], y = hi[1] - lo[1], z = hi[2] - lo[2];
    return x * y + y * z + z * x;
  }
};

constexpr int kMaxBins = 64;
// Subtrees over more triangles than this are built in parallel with their sibling.
constexpr int32_t kParallelBuildAbove = 8192;

// A triangle as the build sees it: its bounding box (its centre serves as the centroid; the
// fourth lanes are 0) and its face index. The build permutes these records themselves rather
// than indices into them, so every pass over a node's triangles reads memory sequentially, and
// grows boxes with SIMD min / max.
struct Prim {
  float lo[4];
  float hi[4];
  int32_t id;
};

// A box as four-lane SIMD registers (lane 3 unused); default-constructed uninitialized.
struct Box4 {
  simd::F4 lo, hi;

  static Box4 empty() {
    return {simd::F4(std::numeric_limits<float>::infinity()),
            simd::F4(-std::numeric_limits<float>::infinity())};
  }
  void grow(simd::F4 l, simd::F4 h) {
    lo = simd::min(lo, l);
    hi = simd::max(hi, h);
  }
  void grow(const Box4& b) { grow(b.lo, b.hi); }
  Box box() const {
    float l[4], h[4];
    lo.store(l);
    hi.store(h);
    Box b;
    b.lo = {l[0], l[1], l[2]};
    b.hi = {h[0], h[1], h[2]};
    return b;
  }
  double half_area() const { return box().half_area(); }
};

// Builds subtrees into node vectors where an inner node's `offset` is the distance from the node
// to its second child: subtrees built apart (in parallel) then concatenate without fixups, and
// TriangleBvh turns the offsets absolute at the end.
class Builder {
 public:
  Builder(const BvhOptions& options, std::vector<Prim>& prims) : options_(options), prims_(prims) {}

  // Appends the subtree over prims_[begin, end) to `out`; returns the depth of its deepest leaf.
  int build(int32_t begin, int32_t end, int depth, std::vector<BvhNode>& out) const {
    using simd::F4;
    const size_t index = out.size();
    out.emplace_back();
    Box4 box4 = Box4::empty(), cbox4 = Box4::empty();
    for (int32_t i = begin; i < end; ++i) {
      const F4 lo = F4::load(prims_[i].lo), hi = F4::load(prims_[i].hi);
      box4.grow(lo, hi);
      const F4 c = (lo + hi) * F4(0.5f);
      cbox4.grow(c, c);
    }
    const Box box = box4.box(), cbox = cbox4.box();
    const int32_t n = end - begin;
    if (n <= options_.max_leaf_size) {
      out[index] = {box.lo, begin, box.hi, n};
      return depth;
    }
    int32_t mid = depth < kMaxSahDepth ? sah_split(begin, end, cbox) : -1;
    if (mid <= begin || mid >= end) mid = median_split(begin, end, cbox);
    int left_depth, right_depth;
    std::vector<BvhNode> right;
    if (n > kParallelBuildAbove) {
      // The two halves touch disjoint ranges of prims_ and separate node vectors.
      right.reserve(static_cast<size_t>(2 * (end - mid) / options_.max_leaf_size + 2));
      tbb::parallel_invoke([&] { left_depth = build(begin, mid, depth + 1, out); },
                           [&] { right_depth = build(mid, end, depth + 1, right); });
    } else {
      left_depth = build(begin, mid, depth + 1, out);
      right_depth = build(mid, end, depth + 1, right);
    }
    out[index] = {box.lo, static_cast<int32_t>(out.size() - index), box.hi, 0};
    out.insert(out.end(), right.begin(), right.end());
    return std::max(left_depth, right_depth);
  }

 private:
  static float centre(const Prim& p, int axis) { return 0.5f * (p.lo[axis] + p.hi[axis]); }

  // Binned SAH over the centroid bounds, all three axes binned in one pass; returns the
  // partition point, or -1 when no split exists (then the caller halves the triangles).
  int32_t sah_split(int32_t begin, int32_t end, const Box& cbox) const {
    using simd::F4;
    const int nb = options_.bins;
    // Left uninitialized beyond the nb bins in use (constructing all kMaxBins per node would
    // cost more than the binning).
    Box4 bin_box[3][kMaxBins];
    int32_t bin_count[3][kMaxBins];
    for (int axis = 0; axis < 3; ++axis)
      for (int b = 0; b < nb; ++b) {
        bin_box[axis][b] = Box4::empty();
        bin_count[axis][b] = 0;
      }
    float scale[3];
    for (int axis = 0; axis < 3; ++axis) {
      const float extent = cbox.hi[axis] - cbox.lo[axis];
      scale[axis] = extent > 0.0f ? static_cast<float>(nb) / extent : 0.0f;
    }
    for (int32_t i = begin; i < end; ++i) {
      const Prim& p = prims_[i];
      const F4 lo = F4::load(p.lo), hi = F4::load(p.hi);
      for (int axis = 0; axis < 3; ++axis) {
        const int b = bin_of(centre(p, axis), cbox.lo[axis], scale[axis]);
        ++bin_count[axis][b];
        bin_box[axis][b].grow(lo, hi);
      }
    }
    int best_axis = -1, best_bin = -1;
    double best_cost = std::numeric_limits<double>::infinity();
    const int32_t n = end - begin;
    for (int axis = 0; axis < 3; ++axis) {
      if (scale[axis] == 0.0f) continue;
      double right_area[kMaxBins];
      Box4 acc = Box4::empty();
      for (int b = nb - 1; b > 0; --b) {
        acc.grow(bin_box[axis][b]);
        right_area[b] = acc.half_area();
      }
      Box4 left = Box4::empty();
      int32_t left_count = 0;
      for (int b = 0; b < nb - 1; ++b) {
        left.grow(bin_box[axis][b]);
        left_count += bin_count[axis][b];
        if (left_count == 0 || left_count == n) continue;
        const double cost =
            left.half_area() * left_count + right_area[b + 1] * static_cast<double>(n - left_count);
        if (cost < best_cost) {
          best_cost = cost;
          best_axis = axis;
          best_bin = b;
        }
      }
    }
    if (best_axis < 0) return -1;
    auto* mid = std::partition(prims_.data() + begin, prims_.data() + end, [&](const Prim& p) {
      return bin_of(centre(p, best_axis), cbox.lo[best_axis], scale[best_axis]) <= best_bin;
    });
    return static_cast<int32_t>(mid - prims_.data());
  }

  int bin_of(float c, float lo, float scale) const {
    const int b = static_cast<int>((c - lo) * scale);
    return std::min(std::max(b, 0), options_.bins - 1);
  }

  // Halves the triangles along the widest centroid axis (by face index when all centroids
  // coincide, or on ties).
  int32_t median_split(int32_t begin, int32_t end, const Box& cbox) const {
    const int32_t mid = begin + (end - begin) / 2;
    int axis = 0;
    for (int k = 1; k < 3; ++k)
      if (cbox.hi[k] - cbox.lo[k] > cbox.hi[axis] - cbox.lo[axis]) axis = k;
    std::nth_element(prims_.data() + begin, prims_.data() + mid, prims_.data() + end,
                     [&](const Prim& a, const Prim& b) {
                       const float ca = centre(a, axis), cb = centre(b, axis);
                       return ca < cb || (ca == cb && a.id < b.id);
                     });
    return mid;
  }

  const BvhOptions& options_;
  std::vector<Prim>& prims_;
};

// Float estimates of the squared distances from q to the four triangles of a packet, which
// decide the lanes that may lie within the current bound and need the exact test: the plane
// distance when q projects inside the triangle, else the nearest of the three edges. The
// error (float rounding, and that of the float normal's direction, at most ~3 ulps / sin of
// the angle at a) stays below 1.5e-5 times the magnitude of the coordinates involved; the
// caller widens the bound by twice that. Slivers (sin^2 of the angle at a below 1e-3: the
// normal's direction is too uncertain) and degenerate triangles get the estimate 0, so they
// always get the exact test.
void packet_estimates(const TrianglePacket& t, const Vec3f& q, float estimate[4]) {
  using simd::F4;
  const F4 zero(0.0f), one(1.0f);
  const F4 ax = F4::load(t.v[0][0]), ay = F4::load(t.v[0][1]), az = F4::load(t.v[0][2]);
  const F4 bx = F4::load(t.v[1][0]), by = F4::load(t.v[1][1]), bz = F4::load(t.v[1][2]);
  const F4 cx = F4::load(t.v[2][0]), cy = F4::load(t.v[2][1]), cz = F4::load(t.v[2][2]);
  const F4 qx(q[0]), qy(q[1]), qz(q[2]);
  // Edges ab, ac, bc and the vectors from the vertices to q.
  const F4 e0x = bx - ax, e0y = by - ay, e0z = bz - az;
  const F4 e1x = cx - ax, e1y = cy - ay, e1z = cz - az;
  const F4 e2x = cx - bx, e2y = cy - by, e2z = cz - bz;
  const F4 pax = qx - ax, pay = qy - ay, paz = qz - az;
  const F4 pbx = qx - bx, pby = qy - by, pbz = qz - bz;
  // Normal and the three edge-side tests (n . (e x p) >= 0 on the inner side of each edge).
  const F4 nx = e0y * e1z - e0z * e1y, ny = e0z * e1x - e0x * e1z, nz = e0x * e1y - e0y * e1x;
  auto side = [&](F4 ex, F4 ey, F4 ez, F4 px, F4 py, F4 pz) {
    return nx * (ey * pz - ez * py) + ny * (ez * px - ex * pz) + nz * (ex * py - ey * px);
  };
  const F4 s0 = side(e0x, e0y, e0z, pax, pay, paz);
  const F4 s1 = side(e2x, e2y, e2z, pbx, pby, pbz);
  // Edge c -> a is -e1 from c; with p_c = p_a - e1: n . (-e1 x (p_a - e1)) = -n . (e1 x p_a).
  const F4 s2 = zero - side(e1x, e1y, e1z, pax, pay, paz);
  const F4 n2 = nx * nx + ny * ny + nz * nz;
  const F4 l0 = e0x * e0x + e0y * e0y + e0z * e0z;
  const F4 l1 = e1x * e1x + e1y * e1y + e1z * e1z;
  const F4 l2 = e2x * e2x + e2y * e2y + e2z * e2z;
  const F4 h = nx * pax + ny * pay + nz * paz;
  const F4 plane = h * h / n2;
  // Squared distance to the segment from v along e, p = q - v; a zero-length edge gives NaN for
  // the parameter, which max(., 0) turns into 0 (its second operand): the vertex itself.
  auto segment = [&](F4 px, F4 py, F4 pz, F4 ex, F4 ey, F4 ez, F4 len2) {
    const F4 s = simd::min(simd::max((px * ex + py * ey + pz * ez) / len2, zero), one);
    const F4 dx = px - s * ex, dy = py - s * ey, dz = pz - s * ez;
    return dx * dx + dy * dy + dz * dz;
  };
  const F4 edges = simd::min(simd::min(segment(pax, pay, paz, e0x, e0y, e0z, l0),
                                       segment(pax, pay, paz, e1x, e1y, e1z, l1)),
                             segment(pbx, pby, pbz, e2x, e2y, e2z, l2));
  const simd::M4 regular = simd::greater(n2, F4(1e-3f) * l0 * l1);
  const simd::M4 inside = simd::all_of(simd::greater_equal(s0, zero), simd::greater_equal(s1, zero),
                                       simd::greater_equal(s2, zero));
  simd::select(regular, simd::select(inside, plane, edges), zero).store(estimate);
}

// Folds the binary tree into a 4-wide one, as multi-branching BVHs for SIMD are made (Dammertz
// et al. 2008, "Shallow bounding volume hierarchies for fast SIMD ray tracing of incoherent
// rays"): each wide node takes a binary inner node's two children and keeps replacing its
// largest-area inner lane by that node's two children until it has four lanes. Returns the index
// of the wide node made for binary node `b`.
int32_t collapse(const std::vector<BvhNode>& nodes, const std::vector<int32_t>& leaf_packet,
                 int32_t b, std::vector<BvhWideNode>& wide) {
  const int32_t index = static_cast<int32_t>(wide.size());
  wide.emplace_back();
  int32_t lanes[4];
  int n = 0;
  if (nodes[b].is_leaf()) {
    lanes[n++] = b;  // a root that is a leaf: one lane
  } else {
    lanes[n++] = b + 1;
    lanes[n++] = nodes[b].offset;
    while (n < 4) {
      int best = -1;
      double best_area = -1;
      for (int l = 0; l < n; ++l) {
        const BvhNode& c = nodes[lanes[l]];
        if (c.is_leaf()) continue;
        const double x = c.hi[0] - c.lo[0], y = c.hi[1] - c.lo[1], z = c.hi[2] - c.lo[2];
        const double area = x * y + y * z + z * x;
        if (area > best_area) best_area = area, best = l;
      }
      if (best < 0) break;
      const int32_t split = lanes[best];
      lanes[best] = split + 1;
      lanes[n++] = nodes[split].offset;
    }
  }
  BvhWideNode node;
  for (int l = 0; l < 4; ++l) {
    for (int k = 0; k < 3; ++k) {
      node.lo[k][l] = kInf;
      node.hi[k][l] = -kInf;
    }
    node.child[l] = -1;
    node.count[l] = 0;
  }
  for (int l = 0; l < n; ++l) {
    const BvhNode& c = nodes[lanes[l]];
    for (int k = 0; k < 3; ++k) {
      node.lo[k][l] = c.lo[k];
      node.hi[k][l] = c.hi[k];
    }
    if (c.is_leaf()) {
      node.child[l] = leaf_packet[lanes[l]];
      node.count[l] = c.count;
    } else {
      node.child[l] = collapse(nodes, leaf_packet, lanes[l], wide);
    }
  }
  wide[index] = node;
  return index;
}

}  // namespace

double squared_distance_bound(const Vec3f& q, const std::array<double, 3>& on_surface) {
  double d2 = 0, scale = 1;
  for (int k = 0; k < 3; ++k) {
    d2 += (q[k] - on_surface[k]) * (q[k] - on_surface[k]);
    scale = std::max(scale, std::abs(on_surface[k]));
  }
  // A nearest point computed in double from float vertices lies within ~1e-15 (relative to the
  // coordinates) of its triangle; 1e-9 covers that with room to spare.
  const double d = std::sqrt(d2) + 1e-9 * scale;
  return d * d;
}

double closest_point_on_triangle(const std::array<double, 3>& p, const std::array<double, 3>& a,
                                 const std::array<double, 3>& b, const std::array<double, 3>& c,
                                 std::array<double, 3>& closest) {
  return closest_on_triangle(p, a, b, c, closest);
}

bool intersect_ray_triangle(const Vec3f& origin, const Vec3f& direction, const Vec3f& a,
                            const Vec3f& b, const Vec3f& c, float t_min, float t_max, double& t,
                            double& u, double& v) {
  return ray_triangle(to_double(origin), to_double(direction), to_double(a), to_double(b),
                      to_double(c), t_min, t_max, t, u, v);
}

TriangleBvh::TriangleBvh(const Mesh& mesh, const BvhOptions& options) {
  NSDF_CHECK(options.max_leaf_size >= 1, core::ConfigError,
             "TriangleBvh: max_leaf_size = {} must be >= 1", options.max_leaf_size);
  NSDF_CHECK(options.bins >= 2 && options.bins <= kMaxBins, core::ConfigError,
             "TriangleBvh: bins = {} must be in [2, {}]", options.bins, kMaxBins);
  const size_t nf = mesh.F.size();
  NSDF_CHECK(nf > 0, core::DataError, "TriangleBvh: the mesh has no faces ({} vertices, 0 faces)",
             mesh.V.size());
  NSDF_CHECK(nf < static_cast<size_t>(std::numeric_limits<int32_t>::max() / 2), core::DataError,
             "TriangleBvh: the mesh has {} faces, at most {} are supported", nf,
             std::numeric_limits<int32_t>::max() / 2 - 1);
  const int64_t nv = static_cast<int64_t>(mesh.V.size());
  std::vector<Prim> prims(nf);
  for (size_t f = 0; f < nf; ++f) {
    Box box;
    for (int k = 0; k < 3; ++k) {
      const int64_t vi = mesh.F[f][k];
      NSDF_CHECK(vi >= 0 && vi < nv, core::DataError,
                 "TriangleBvh: face {} has vertex index {} out of range (the mesh has {} vertices, "
                 "valid indices 0..{})",
                 f, vi, nv, nv - 1);
      const Vec3f& p = mesh.V[vi];
      NSDF_CHECK(finite(p), core::DataError,
                 "TriangleBvh: vertex {} ({}, {}, {}) of face {} is not finite", vi, p[0], p[1],
                 p[2], f);
      box.grow(p);
    }
    prims[f] = {{box.lo[0], box.lo[1], box.lo[2], 0.0f},
                {box.hi[0], box.hi[1], box.hi[2], 0.0f},
                static_cast<int32_t>(f)};
  }
  nodes_.reserve(2 * nf / options.max_leaf_size + 2);
  depth_ = Builder(options, prims).build(0, static_cast<int32_t>(nf), 0, nodes_);
  for (size_t i = 0; i < nodes_.size(); ++i)
    if (!nodes_[i].is_leaf()) nodes_[i].offset += static_cast<int32_t>(i);
  std::vector<int32_t> order(nf);
  for (size_t i = 0; i < nf; ++i) order[i] = prims[i].id;
  prims = {};
  triangles_.resize(nf);
  triangle_ids_ = std::move(order);
  float scale = 0.0f;
  for (size_t i = 0; i < nf; ++i) {
    const Tri& t = mesh.F[triangle_ids_[i]];
    triangles_[i] = {mesh.V[t[0]], mesh.V[t[1]], mesh.V[t[2]]};
    for (const Vec3f& v : triangles_[i])
      for (int k = 0; k < 3; ++k) scale = std::max(scale, std::abs(v[k]));
  }
  filter_scale_ = 3e-5f * scale;
  // Packets: each leaf's triangles, four by four, in leaf (= slot) order.
  std::vector<int32_t> leaf_packet(nodes_.size(), -1);
  for (size_t b = 0; b < nodes_.size(); ++b) {
    const BvhNode& n = nodes_[b];
    if (!n.is_leaf()) continue;
    leaf_packet[b] = static_cast<int32_t>(packets_.size());
    for (int32_t first = n.offset; first < n.offset + n.count; first += 4) {
      TrianglePacket p;
      for (int l = 0; l < 4; ++l) {
        const int32_t s = first + l < n.offset + n.count ? first + l : -1;
        p.slot[l] = s;
        const auto& t = triangles_[s >= 0 ? s : first];
        for (int j = 0; j < 3; ++j)
          for (int k = 0; k < 3; ++k) p.v[j][k][l] = t[j][k];
      }
      packets_.push_back(p);
    }
  }
  wide_.reserve(nodes_.size() / 2 + 1);
  collapse(nodes_, leaf_packet, 0, wide_);
}

void TriangleBvh::closest_impl(const Vec3f& q, double& best_d2, int32_t& best_slot,
                               std::array<double, 3>* best_point) const {
  const Vec3d p = to_double(q);
  // The subtree in hand and the pending ones (a wide node, or a leaf's triangles when
  // count > 0) with the squared distance to their box. Of a node's children within the bound,
  // the nearest is taken in hand at once and the others pushed, nearer ones last (popped first).
  struct Entry {
    int32_t child, count;
    float d2;
  };
  Entry stack[4 * kStackSize];
  int sp = 0;
  Entry cur = {0, 0, 0.0f};
  const BvhWideNode* wide = wide_.data();
  // Absolute error bound of the float estimates (packet_estimates) at this query.
  const double tolerance =
      filter_scale_ + 3e-5 * std::max({std::abs(q[0]), std::abs(q[1]), std::abs(q[2])});
  using simd::F4;
  const F4 qx(q[0]), qy(q[1]), qz(q[2]), zero(0.0f);
  for (;;) {
    if (cur.count == 0) {
      const BvhWideNode& n = wide[cur.child];
      // Four box distances at once, rounded down so that they never exceed the exact values:
      // the float rounding of the differences and the sum stays below 4 ulps, 1e-6 is well
      // above that. Empty lanes come out infinite and are masked out by child < 0.
      const F4 dx = simd::max(simd::max(F4::load(n.lo[0]) - qx, qx - F4::load(n.hi[0])), zero);
      const F4 dy = simd::max(simd::max(F4::load(n.lo[1]) - qy, qy - F4::load(n.hi[1])), zero);
      const F4 dz = simd::max(simd::max(F4::load(n.lo[2]) - qz, qz - F4::load(n.hi[2])), zero);
      const F4 box_d2 = (dx * dx + dy * dy + dz * dz) * F4(1.0f - 1e-6f);
      const float bound = static_cast<float>(std::min(best_d2, 3e38));
      int mask = simd::bits(simd::greater_equal(F4(bound), box_d2)) &
                 simd::bits(simd::non_negative(n.child));
      if (mask != 0) {
        float d2[4];
        box_d2.store(d2);
        Entry hit[4];
        int k = 0;
        for (; mask != 0; mask &= mask - 1) {
          const int l = __builtin_ctz(static_cast<unsigned>(mask));
          // Insertion by increasing distance.
          int j = k++;
          for (; j > 0 && hit[j - 1].d2 > d2[l]; --j) hit[j] = hit[j - 1];
          hit[j] = {n.child[l], n.count[l], d2[l]};
        }
        for (int j = k - 1; j > 0; --j) stack[sp++] = hit[j];
        cur = hit[0];
        continue;
      }
    } else {
      for (int32_t pi = cur.child, end = cur.child + (cur.count + 3) / 4; pi < end; ++pi) {
        const TrianglePacket& packet = packets_[pi];
        // Float estimates of the four distances first; only lanes whose estimate could beat
        // the best so far (allowing for the estimate's error) get the exact double test,
        // lowest estimate first, so that the first exact result usually rules out the rest.
        float estimate[4];
        packet_estimates(packet, q, estimate);
        int pending = simd::bits(simd::non_negative(packet.slot));
        while (pending) {
          const double best_d = std::sqrt(best_d2) + tolerance;
          const float bound = static_cast<float>(std::min(best_d * best_d, 3e38));
          int l = -1;
          for (int k = 0; k < 4; ++k) {
            if (!(pending >> k & 1)) continue;
            if (!(estimate[k] <= bound)) {
              pending &= ~(1 << k);
            } else if (l < 0 || estimate[k] < estimate[l]) {
              l = k;
            }
          }
          if (l < 0) break;
          pending &= ~(1 << l);
          const int32_t s = packet.slot[l];
          Vec3d c;
          const Vec3d a = {packet.v[0][0][l], packet.v[0][1][l], packet.v[0][2][l]};
          const Vec3d b = {packet.v[1][0][l], packet.v[1][1][l], packet.v[1][2][l]};
          const Vec3d cc = {packet.v[2][0][l], packet.v[2][1][l], packet.v[2][2][l]};
          const double d2 = closest_on_triangle(p, a, b, cc, c);
          if (d2 < best_d2 ||
              (d2 == best_d2 && (best_slot < 0 || triangle_ids_[s] < triangle_ids_[best_slot]))) {
            best_d2 = d2;
            best_slot = s;
            if (best_point) *best_point = c;
          }
        }
      }
    }
    // Next: the nearest pending subtree that can still hold a nearer triangle.
    do {
      if (sp == 0) return;
      cur = stack[--sp];
    } while (!(cur.d2 <= best_d2));
  }
}

ClosestPoint TriangleBvh::closest_point(const Vec3f& q, float max_distance) const {
  NSDF_CHECK(finite(q), core::DataError,
             "TriangleBvh::closest_point: query ({}, {}, {}) is not finite", q[0], q[1], q[2]);
  NSDF_CHECK(max_distance >= 0.0f, core::ConfigError,
             "TriangleBvh::closest_point: max_distance = {} must be >= 0", max_distance);
  double best_d2 = std::isinf(max_distance)
                       ? std::numeric_limits<double>::infinity()
                       : static_cast<double>(max_distance) * static_cast<double>(max_distance);
  int32_t slot = -1;
  Vec3d point{0, 0, 0};
  closest_impl(q, best_d2, slot, &point);
  ClosestPoint out;
  if (slot >= 0) {
    out.distance = static_cast<float>(std::sqrt(best_d2));
    out.triangle = triangle_ids_[slot];
    out.point = {static_cast<float>(point[0]), static_cast<float>(point[1]),
                 static_cast<float>(point[2])};
  }
  return out;
}

std::vector<ClosestPoint> TriangleBvh::closest_points(const std::vector<Vec3f>& queries,
                                                      float max_distance) const {
  for (size_t i = 0; i < queries.size(); ++i)
    NSDF_CHECK(finite(queries[i]), core::DataError,
               "TriangleBvh::closest_points: query {} ({}, {}, {}) is not finite", i, queries[i][0],
               queries[i][1], queries[i][2]);
  NSDF_CHECK(max_distance >= 0.0f, core::ConfigError,
             "TriangleBvh::closest_points: max_distance = {} must be >= 0", max_distance);
  std::vector<ClosestPoint> out(queries.size());
  for_each_query(queries, [&](size_t i) { out[i] = closest_point(queries[i], max_distance); });
  return out;
}

std::vector<float> TriangleBvh::distances(const std::vector<Vec3f>& queries,
                                          std::vector<int32_t>* faces) const {
  for (size_t i = 0; i < queries.size(); ++i)
    NSDF_CHECK(finite(queries[i]), core::DataError,
               "TriangleBvh::distances: query {} ({}, {}, {}) is not finite", i, queries[i][0],
               queries[i][1], queries[i][2]);
  std::vector<float> out(queries.size());
  if (faces) faces->assign(queries.size(), -1);
  for_each_squared_distance(queries, [&](size_t i, double d2, int32_t face) {
    out[i] = static_cast<float>(std::sqrt(d2));
    if (faces) (*faces)[i] = face;
  });
  return out;
}

double TriangleBvh::squared_distance(const Vec3f& q, int32_t& face, double bound2,
                                     std::array<double, 3>* point) const {
  int32_t slot = -1;
  closest_impl(q, bound2, slot, point);
  face = slot >= 0 ? triangle_ids_[slot] : -1;
  return bound2;
}

RayHit TriangleBvh::intersect(const Vec3f& origin, const Vec3f& direction, float t_min,
                              float t_max) const {
  check_ray(origin, direction, "intersect");
  const Vec3f inv = reciprocal(direction);
  const Vec3d o = to_double(origin), d = to_double(direction);
  double best_t = t_max, best_u = 0, best_v = 0;
  int32_t best_slot = -1;
  int32_t stack[kStackSize];
  float stack_t[kStackSize];
  int sp = 0;
  float t_enter;
  if (!ray_box(nodes_[0], origin, inv, t_min, t_max, t_enter)) return {};
  int32_t node = 0;
  for (;;) {
    const BvhNode& n = nodes_[node];
    // Rounded up, so that a box entered exactly at best_t (a tie) is still visited.
    float bound = static_cast<float>(best_t);
    if (bound < best_t) bound = std::nextafter(bound, kInf);
    if (n.is_leaf()) {
      for (int32_t s = n.offset, e = n.offset + n.count; s < e; ++s) {
        const auto& tri = triangles_[s];
        double t, u, v;
        if (!ray_triangle(o, d, to_double(tri[0]), to_double(tri[1]), to_double(tri[2]), t_min,
                          best_t, t, u, v))
          continue;
        if (t < best_t || best_slot < 0 || triangle_ids_[s] < triangle_ids_[best_slot]) {
          best_t = t;
          best_u = u;
          best_v = v;
          best_slot = s;
        }
      }
    } else {
      int32_t c0 = node + 1, c1 = n.offset;
      float t0, t1;
      bool h0 = ray_box(nodes_[c0], origin, inv, t_min, bound, t0);
      bool h1 = ray_box(nodes_[c1], origin, inv, t_min, bound, t1);
      if (h1 && (!h0 || t1 < t0)) {
        std::swap(c0, c1);
        std::swap(t0, t1);
        std::swap(h0, h1);
      }
      if (h0) {
        if (h1) {
          stack[sp] = c1;
          stack_t[sp++] = t1;
        }
        node = c0;
        continue;
      }
    }
    for (;;) {
      if (sp == 0) {
        RayHit hit;
        if (best_slot >= 0) {
          hit.t = static_cast<float>(best_t);
          hit.triangle = triangle_ids_[best_slot];
          hit.u = static_cast<float>(best_u);
          hit.v = static_cast<float>(best_v);
        }
        return hit;
      }
      --sp;
      if (stack_t[sp] <= best_t) break;
    }
    node = stack[sp];
  }
}

std::vector<RayHit> TriangleBvh::intersect_all(const std::vector<Vec3f>& origins,
                                               const std::vector<Vec3f>& directions, float t_min,
                                               float t_max) const {
  NSDF_CHECK(origins.size() == directions.size(), core::DataError,
             "TriangleBvh::intersect_all: {} origins but {} directions", origins.size(),
             directions.size());
  for (size_t i = 0; i < origins.size(); ++i) check_ray(origins[i], directions[i], "intersect_all");
  std::vector<RayHit> out(origins.size());
  tbb::parallel_for(tbb::blocked_range<size_t>(0, origins.size(), 256),
                    [&](const tbb::blocked_range<size_t>& r) {
                      for (size_t i = r.begin(); i != r.end(); ++i)
                        out[i] = intersect(origins[i], directions[i], t_min, t_max);
                    });
  return out;
}

int TriangleBvh::count_crossings(const Vec3f& origin, const Vec3f& direction, float t_min) const {
  check_ray(origin, direction, "count_crossings");
  const Vec3f inv = reciprocal(direction);
  const Vec3d o = to_double(origin), d = to_double(direction);
  const double inf = std::numeric_limits<double>::infinity();
  int crossings = 0;
  int32_t stack[kStackSize];
  int sp = 0;
  stack[sp++] = 0;
  while (sp > 0) {
    const BvhNode& n = nodes_[stack[--sp]];
    float t_enter;
    if (!ray_box(n, origin, inv, t_min, kInf, t_enter)) continue;
    if (n.is_leaf()) {
      for (int32_t s = n.offset, e = n.offset + n.count; s < e; ++s) {
        const auto& tri = triangles_[s];
        double t, u, v;
        if (ray_triangle(o, d, to_double(tri[0]), to_double(tri[1]), to_double(tri[2]), t_min, inf,
                         t, u, v) &&
            t > t_min)
          ++crossings;
      }
    } else {
      stack[sp++] = n.offset;
      stack[sp++] = static_cast<int32_t>(&n - nodes_.data()) + 1;
    }
  }
  return crossings;
}

}  // namespace nsdf::geometry
