#include "report/MeshPack.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/Error.h"
#include "core/Json.h"
#include "geometry/Endian.h"
#include "geometry/VecMath.h"

namespace nsdf::report {

namespace {

using geometry::detail::kHostIsBigEndian;

constexpr std::size_t kHeader = 4 + 4 + 4 + 24;

void put_float(std::string& out, float v) {
  geometry::detail::append_scalar(out, v, kHostIsBigEndian);
}

}  // namespace

std::string pack_mesh(const geometry::Mesh& mesh) {
  const std::size_t nv = mesh.V.size();
  geometry::Vec3f lo{0, 0, 0}, hi{0, 0, 0};
  for (std::size_t i = 0; i < nv; ++i) {
    NSDF_CHECK(geometry::finite(mesh.V[i]), core::DataError,
               "mesh for a viewer: vertex {} is not finite", i);
    for (int a = 0; a < 3; ++a) {
      lo[a] = i == 0 ? mesh.V[i][a] : std::min(lo[a], mesh.V[i][a]);
      hi[a] = i == 0 ? mesh.V[i][a] : std::max(hi[a], mesh.V[i][a]);
    }
  }
  std::string out = "NSM1";
  geometry::detail::put32(out, nv);
  geometry::detail::put32(out, mesh.F.size());
  for (float v : lo) put_float(out, v);
  for (float v : hi) put_float(out, v);
  for (const auto& p : mesh.V)
    for (int a = 0; a < 3; ++a) {
      const double range = static_cast<double>(hi[a]) - lo[a];
      const double q = range > 0 ? std::round((p[a] - lo[a]) / range * 65535.0) : 0.0;
      geometry::detail::put16(out, static_cast<uint64_t>(std::clamp(q, 0.0, 65535.0)));
    }
  while (out.size() % 4) out.push_back('\0');
  const bool wide = nv > 65536;
  for (std::size_t f = 0; f < mesh.F.size(); ++f)
    for (int32_t i : mesh.F[f]) {
      NSDF_CHECK(i >= 0 && static_cast<std::size_t>(i) < nv, core::DataError,
                 "mesh for a viewer: face {} has vertex index {} (the mesh has {} vertices)", f,
                 i, nv);
      if (wide)
        geometry::detail::put32(out, static_cast<uint64_t>(i));
      else
        geometry::detail::put16(out, static_cast<uint64_t>(i));
    }
  return out;
}

geometry::Mesh unpack_mesh(std::string_view b, const std::string& what) {
  NSDF_CHECK(b.size() >= kHeader && b.substr(0, 4) == "NSM1", core::DataError,
             "{}: not an NSM1 mesh ({} bytes)", what, b.size());
  const uint32_t nv = geometry::detail::le32(b, 4), nf = geometry::detail::le32(b, 8);
  float box[6];
  for (int k = 0; k < 6; ++k)
    box[k] = geometry::detail::load_scalar<float>(b.data() + 12 + 4 * k, kHostIsBigEndian);
  const std::size_t faces_at = (kHeader + 6 * static_cast<std::size_t>(nv) + 3) / 4 * 4;
  const std::size_t width = nv > 65536 ? 4 : 2;
  const std::size_t expected = faces_at + 3 * width * nf;
  NSDF_CHECK(b.size() == expected, core::DataError,
             "{}: NSM1 with {} vertices and {} triangles needs {} bytes, has {}", what, nv, nf,
             expected, b.size());
  geometry::Mesh mesh;
  mesh.V.resize(nv);
  for (std::size_t i = 0; i < nv; ++i)
    for (int a = 0; a < 3; ++a) {
      const double q = geometry::detail::le16(b, kHeader + 6 * i + 2 * static_cast<std::size_t>(a));
      mesh.V[i][a] = static_cast<float>(box[a] + q / 65535.0 * (box[3 + a] - box[a]));
    }
  mesh.F.resize(nf);
  for (std::size_t f = 0; f < nf; ++f)
    for (int c = 0; c < 3; ++c) {
      const std::size_t at = faces_at + (3 * f + static_cast<std::size_t>(c)) * width;
      const uint32_t i = width == 4 ? geometry::detail::le32(b, at) : geometry::detail::le16(b, at);
      NSDF_CHECK(i < nv, core::DataError, "{}: triangle {} has vertex {} of {}", what, f, i, nv);
      mesh.F[f][static_cast<std::size_t>(c)] = static_cast<int32_t>(i);
    }
  return mesh;
}

std::string base64_encode(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t v = static_cast<unsigned char>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? kAlphabet[v & 63] : '=';
  }
  return out;
}

std::string base64_decode(std::string_view text) {
  const auto value = [&](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  NSDF_CHECK(text.size() % 4 == 0, core::DataError, "base64: length {} is not a multiple of 4",
             text.size());
  std::string out;
  for (std::size_t i = 0; i < text.size(); i += 4) {
    uint32_t v = 0;
    int pad = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      const char c = text[i + k];
      int d = 0;
      if (c == '=' && i + 4 == text.size() && k >= 2) {
        ++pad;
      } else {
        d = value(c);
        NSDF_CHECK(d >= 0 && pad == 0, core::DataError, "base64: bad character at {}", i + k);
      }
      v = (v << 6) | static_cast<uint32_t>(d);
    }
    out += static_cast<char>((v >> 16) & 0xff);
    if (pad < 2) out += static_cast<char>((v >> 8) & 0xff);
    if (pad < 1) out += static_cast<char>(v & 0xff);
  }
  return out;
}

std::string mesh_script(const std::string& name, const geometry::Mesh& mesh) {
  return "nsdfMesh(" + core::json_escape(name) + ", \"" + base64_encode(pack_mesh(mesh)) +
         "\");\n";
}

}  // namespace nsdf::report
