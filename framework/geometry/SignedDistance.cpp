#include "geometry/SignedDistance.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <utility>

#include "core/Error.h"
#include "core/Strings.h"
#include "geometry/CounterRng.h"
#include "geometry/VecMath.h"

namespace nsdf::geometry {

namespace {

// A key from the query's bits, so that a point gets the same rays alone or in any batch.
uint64_t point_key(const Vec3f& q, uint64_t seed) {
  uint64_t h = splitmix64(seed);
  for (int k = 0; k < 3; ++k) {
    uint32_t bits;
    const float v = q[k] + 0.0f;  // -0 and +0 alike
    std::memcpy(&bits, &v, sizeof bits);
    h = splitmix64(h ^ bits);
  }
  return h;
}

// Uniform direction on the sphere (Archimedes: z uniform in [-1, 1], azimuth uniform).
Vec3f random_direction(uint64_t key, int ray) {
  const uint64_t r = splitmix64(key + 0x632be59bd9b4e019ull * static_cast<uint64_t>(ray + 1));
  const double u1 = static_cast<double>(r >> 40) / static_cast<double>(1ull << 24);
  const double u2 = static_cast<double>((r >> 16) & 0xffffffull) / static_cast<double>(1ull << 24);
  const double z = 2.0 * u1 - 1.0;
  const double phi = 2.0 * 3.14159265358979323846 * u2;
  const double s = std::sqrt(std::max(0.0, 1.0 - z * z));
  return {static_cast<float>(s * std::cos(phi)), static_cast<float>(s * std::sin(phi)),
          static_cast<float>(z)};
}

}  // namespace

const std::vector<std::string>& sign_method_names() {
  static const std::vector<std::string> names = {"winding_number", "ray_parity"};
  return names;
}

SignMethod parse_sign_method(const std::string& name) {
  const auto& names = sign_method_names();
  const auto it = std::find(names.begin(), names.end(), name);
  NSDF_CHECK(it != names.end(), core::ConfigError, "unknown sign method '{}'{}; valid: {}", name,
             core::did_you_mean(name, names), core::join(names, ", "));
  return static_cast<SignMethod>(it - names.begin());
}

std::string to_string(SignMethod method) {
  return sign_method_names()[static_cast<size_t>(method)];
}

SignedDistance::SignedDistance(const Mesh& mesh, const SignedDistanceOptions& options)
    : options_(options) {
  NSDF_CHECK(options.parity_rays >= 1 && options.parity_rays % 2 == 1, core::ConfigError,
             "SignedDistance: parity_rays = {} must be odd and >= 1 (a majority vote)",
             options.parity_rays);
  NSDF_CHECK(!mesh.F.empty(), core::DataError,
             "SignedDistance: the mesh has no faces ({} vertices, 0 faces)", mesh.V.size());
  if (options.orient) {
    // orient_faces checks the indices and the vertices with its own messages; the tree then
    // sees the reoriented faces and keeps their indices, so `faces` still index the input's F.
    Mesh oriented{mesh.V, orient_faces(mesh, &orientation_), {}};
    bvh_ = std::make_shared<const TriangleBvh>(oriented, options.bvh);
  } else {
    bvh_ = std::make_shared<const TriangleBvh>(mesh, options.bvh);
  }
  if (options.sign_method == SignMethod::WindingNumber)
    winding_ = std::make_unique<FastWindingNumber>(bvh_, options.winding);
}

bool SignedDistance::inside_unchecked(const Vec3f& q) const {
  if (winding_) return winding_->evaluate(q) >= 0.5;
  const uint64_t key = point_key(q, options_.seed);
  int votes = 0;
  for (int r = 0; r < options_.parity_rays; ++r)
    votes += bvh_->count_crossings(q, random_direction(key, r)) & 1;
  return 2 * votes > options_.parity_rays;
}

bool SignedDistance::inside(const Vec3f& q) const {
  NSDF_CHECK(finite(q), core::DataError, "SignedDistance: query ({}, {}, {}) is not finite", q[0],
             q[1], q[2]);
  return inside_unchecked(q);
}

float SignedDistance::signed_distance(const Vec3f& q) const {
  NSDF_CHECK(finite(q), core::DataError, "SignedDistance: query ({}, {}, {}) is not finite", q[0],
             q[1], q[2]);
  int32_t face;
  const float d = static_cast<float>(std::sqrt(bvh_->squared_distance(q, face)));
  return inside_unchecked(q) ? -d : d;
}

std::vector<float> SignedDistance::signed_distances(const std::vector<Vec3f>& queries,
                                                    std::vector<int32_t>* faces) const {
  for (size_t i = 0; i < queries.size(); ++i)
    NSDF_CHECK(finite(queries[i]), core::DataError,
               "SignedDistance: query {} ({}, {}, {}) is not finite", i, queries[i][0],
               queries[i][1], queries[i][2]);
  std::vector<float> out(queries.size());
  if (faces) faces->assign(queries.size(), -1);
  bvh_->for_each_squared_distance(queries, [&](size_t i, double d2, int32_t face) {
    const float d = static_cast<float>(std::sqrt(d2));
    out[i] = inside_unchecked(queries[i]) ? -d : d;
    if (faces) (*faces)[i] = face;
  });
  return out;
}

std::vector<float> signed_distances(const Mesh& mesh, const std::vector<Vec3f>& queries,
                                    const SignedDistanceOptions& options) {
  return SignedDistance(mesh, options).signed_distances(queries);
}

}  // namespace nsdf::geometry
