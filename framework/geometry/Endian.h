#pragma once
// Byte order for the binary file readers and writers (PLY bodies, .npy data, .npy preambles and
// zip records): scalars of either byte order loaded from and appended to byte strings, and the
// little-endian unsigned fields of fixed width that the npy and zip formats use whatever the
// host. Loads go through memcpy, so unaligned input is fine.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace nsdf::geometry {

namespace detail {

constexpr bool kHostIsBigEndian = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;

/// The T stored at p, its bytes reversed first when `swap` (the file's byte order is not the
/// host's).
template <typename T>
T load_scalar(const char* p, bool swap) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, p, sizeof(T));
  if (swap) std::reverse(bytes, bytes + sizeof(T));
  T value;
  std::memcpy(&value, bytes, sizeof(T));
  return value;
}

/// Appends the bytes of `value` to out, reversed when `swap`.
template <typename T>
void append_scalar(std::string& out, T value, bool swap) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  if (swap) std::reverse(bytes, bytes + sizeof(T));
  out.append(bytes, sizeof(T));
}

/// The little-endian unsigned field of `width` bytes (at most 8) at bytes[at]; the caller has
/// checked that it lies inside `bytes`.
inline uint64_t load_le(std::string_view bytes, size_t at, int width) {
  uint64_t v = 0;
  for (int i = width - 1; i >= 0; --i) {
    v = (v << 8) | static_cast<unsigned char>(bytes[at + static_cast<size_t>(i)]);
  }
  return v;
}
inline uint16_t le16(std::string_view b, size_t at) {
  return static_cast<uint16_t>(load_le(b, at, 2));
}
inline uint32_t le32(std::string_view b, size_t at) {
  return static_cast<uint32_t>(load_le(b, at, 4));
}
inline uint64_t le64(std::string_view b, size_t at) { return load_le(b, at, 8); }

/// Appends the low `width` bytes of v to out, least significant first.
inline void put_le(std::string& out, uint64_t v, int width) {
  for (int i = 0; i < width; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
inline void put16(std::string& out, uint64_t v) { put_le(out, v, 2); }
inline void put32(std::string& out, uint64_t v) { put_le(out, v, 4); }
inline void put64(std::string& out, uint64_t v) { put_le(out, v, 8); }

}  // namespace detail

}  // namespace nsdf::geometry
