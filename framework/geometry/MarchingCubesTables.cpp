#include "geometry/MarchingCubesTables.h"

#include <cmath>
#include <limits>
#include <memory>
#include <vector>

#include "core/Error.h"

namespace nsdf::geometry::mc {

namespace {

int corner_bit(int corner, int axis) { return (corner >> axis) & 1; }

int edge_between(int c0, int c1) {
  for (int e = 0; e < 12; ++e) {
    const auto& ec = kEdgeCorners[e];
    if ((ec[0] == c0 && ec[1] == c1) || (ec[0] == c1 && ec[1] == c0)) return e;
  }
  NSDF_ASSERT(false, "corners {} and {} share no cube edge", c0, c1);
  return -1;
}

std::array<std::array<int, 4>, 6> make_face_corners() {
  std::array<std::array<int, 4>, 6> faces{};
  // (u, v, axis) is a right-handed frame, so (0,0) (1,0) (1,1) (0,1) in (u, v) runs
  // counter-clockwise seen from the +axis side; the face on the -axis side runs the other way.
  static constexpr int kUv[4][2] = {{0, 0}, {1, 0}, {1, 1}, {0, 1}};
  for (int f = 0; f < 6; ++f) {
    const int axis = f / 2, side = f % 2;
    const int u = (axis + 1) % 3, v = (axis + 2) % 3;
    for (int i = 0; i < 4; ++i) {
      const int k = side == 1 ? i : (4 - i) % 4;
      faces[f][i] = (side << axis) | (kUv[k][0] << u) | (kUv[k][1] << v);
    }
  }
  return faces;
}

std::array<double, 3> edge_midpoint(int e) {
  std::array<double, 3> p{};
  for (int a = 0; a < 3; ++a)
    p[a] = 0.5 * (corner_bit(kEdgeCorners[e][0], a) + corner_bit(kEdgeCorners[e][1], a));
  return p;
}

struct LoopTriangulator {
  const std::array<uint8_t, 12>& edge_faces;  // bit f set when the edge lies on face f
  const std::vector<int>& loop;
  std::vector<double> best;
  std::vector<int> split;

  int n() const { return static_cast<int>(loop.size()); }

  // A chord may not join two crossings on one cube face: the neighbour across that face could
  // draw the same chord, and the edge would then have four triangles.
  bool chord_allowed(int i, int j) const {
    if (j == i + 1 || (i == 0 && j == n() - 1)) return true;
    return (edge_faces[loop[i]] & edge_faces[loop[j]]) == 0;
  }

  double chord_length(int i, int j) const {
    const auto a = edge_midpoint(loop[i]), b = edge_midpoint(loop[j]);
    return std::sqrt((a[0] - b[0]) * (a[0] - b[0]) + (a[1] - b[1]) * (a[1] - b[1]) +
                     (a[2] - b[2]) * (a[2] - b[2]));
  }

  // Minimum total chord length triangulation of the polygon loop[i..j] over allowed chords.
  void solve() {
    const int m = n();
    const double inf = std::numeric_limits<double>::infinity();
    best.assign(static_cast<size_t>(m * m), inf);
    split.assign(static_cast<size_t>(m * m), -1);
    for (int i = 0; i + 1 < m; ++i) best[i * m + i + 1] = 0;
    for (int len = 2; len < m; ++len) {
      for (int i = 0; i + len < m; ++i) {
        const int j = i + len;
        for (int k = i + 1; k < j; ++k) {
          if (!chord_allowed(i, k) || !chord_allowed(k, j)) continue;
          const double c = best[i * m + k] + best[k * m + j] +
                           (k > i + 1 ? chord_length(i, k) : 0) +
                           (j > k + 1 ? chord_length(k, j) : 0);
          if (c < best[i * m + j]) {
            best[i * m + j] = c;
            split[i * m + j] = k;
          }
        }
      }
    }
  }

  void emit(int i, int j, CaseTriangles& out) const {
    if (j <= i + 1) return;
    const int k = split[i * n() + j];
    NSDF_ASSERT(k > i && k < j, "loop of {} crossings has no valid triangulation", n());
    emit(i, k, out);
    NSDF_ASSERT(out.count < kMaxCaseTriangles, "too many triangles in one cube case");
    out.tris[out.count++] = {static_cast<uint8_t>(loop[i]), static_cast<uint8_t>(loop[k]),
                             static_cast<uint8_t>(loop[j])};
    emit(k, j, out);
  }
};

CaseTriangles build_case(const CubeTables& t, const std::array<uint8_t, 12>& edge_faces,
                         int inside_mask, int connected_faces) {
  const auto inside = [&](int c) { return (inside_mask >> c) & 1; };
  // next[e]: the crossing that follows crossing e along its loop (-1: edge not crossed).
  std::array<int, 12> next;
  next.fill(-1);
  for (int f = 0; f < 6; ++f) {
    const auto& q = t.face_corners[f];
    std::array<int, 4> edge{};
    std::array<int, 4> kind{};  // 0 no crossing, +1 outside -> inside (a segment starts), -1 end
    int crossings = 0;
    for (int i = 0; i < 4; ++i) {
      const int a = q[i], b = q[(i + 1) % 4];
      edge[i] = edge_between(a, b);
      kind[i] = inside(a) == inside(b) ? 0 : (inside(b) ? 1 : -1);
      crossings += kind[i] != 0;
    }
    if (crossings == 0) continue;
    if (crossings == 2) {
      int start = -1, end = -1;
      for (int i = 0; i < 4; ++i) {
        if (kind[i] == 1) start = edge[i];
        if (kind[i] == -1) end = edge[i];
      }
      next[start] = end;
      continue;
    }
    // Walking counter-clockwise, the segment that starts at a crossing either cuts off the
    // inside corner right after it (inside corners separated) or the outside corner right
    // before it (inside corners connected through the face).
    const bool connected = (connected_faces >> f) & 1;
    for (int i = 0; i < 4; ++i) {
      if (kind[i] != 1) continue;
      const int partner = connected ? (i + 3) % 4 : (i + 1) % 4;
      NSDF_ASSERT(kind[partner] == -1, "ambiguous face {} does not alternate", f);
      next[edge[i]] = edge[partner];
    }
  }

  CaseTriangles out;
  int centers = 0;
  std::array<bool, 12> visited{};
  for (int e0 = 0; e0 < 12; ++e0) {
    if (next[e0] < 0 || visited[e0]) continue;
    std::vector<int> loop;
    for (int e = e0; !visited[e]; e = next[e]) {
      NSDF_ASSERT(next[e] >= 0, "open loop in cube case {}", inside_mask);
      visited[e] = true;
      loop.push_back(e);
    }
    NSDF_ASSERT(loop.size() >= 3, "loop of {} crossings in cube case {}", loop.size(), inside_mask);
    LoopTriangulator tri{edge_faces, loop, {}, {}};
    tri.solve();
    if (std::isfinite(tri.best[tri.n() - 1])) {
      tri.emit(0, tri.n() - 1, out);
      continue;
    }
    // Every triangulation of this loop needs a chord inside some cube face: fan it around a
    // vertex of its own in the middle of the cell instead.
    const int center = kFirstCenterVertex + centers++;
    NSDF_ASSERT(center < kFirstCenterVertex + kMaxCenterVertices, "too many center vertices");
    for (size_t i = 0; i < loop.size(); ++i) {
      NSDF_ASSERT(out.count < kMaxCaseTriangles, "too many triangles in one cube case");
      out.tris[out.count++] = {static_cast<uint8_t>(loop[i]),
                               static_cast<uint8_t>(loop[(i + 1) % loop.size()]),
                               static_cast<uint8_t>(center)};
    }
  }
  return out;
}

// On the heap: the table is 650 kB, too big for a worker thread's stack.
std::unique_ptr<CubeTables> build_tables() {
  auto tables = std::make_unique<CubeTables>();
  CubeTables& t = *tables;
  t.face_corners = make_face_corners();
  std::array<uint8_t, 12> edge_faces{};
  for (int e = 0; e < 12; ++e) {
    for (int f = 0; f < 6; ++f) {
      int on_face = 0;
      for (int c : t.face_corners[f])
        on_face += (c == kEdgeCorners[e][0]) + (c == kEdgeCorners[e][1]);
      if (on_face == 2) edge_faces[e] |= static_cast<uint8_t>(1 << f);
    }
  }
  for (int mask = 0; mask < 256; ++mask) {
    for (int f = 0; f < 6; ++f) {
      const auto& q = t.face_corners[f];
      const auto in = [&](int i) { return (mask >> q[i]) & 1; };
      if (in(0) == in(2) && in(1) == in(3) && in(0) != in(1))
        t.ambiguous_faces[mask] |= static_cast<uint8_t>(1 << f);
    }
  }
  for (int index = 0; index < kNumCases; ++index) {
    const int mask = index & 255, connected = index >> 8;
    // Bits of faces that are not ambiguous are never looked up; leave those entries empty.
    if ((connected & ~t.ambiguous_faces[mask]) != 0) continue;
    t.cases[index] = build_case(t, edge_faces, mask, connected);
  }
  return tables;
}

}  // namespace

const CubeTables& cube_tables() {
  static const std::unique_ptr<CubeTables> tables = build_tables();
  return *tables;
}

}  // namespace nsdf::geometry::mc
