#pragma once
// Binary file contents built value by value in either byte order, for tests and fuzz seeds that
// write PLY bodies (or any other binary format) by hand, independently of the writers under
// test.

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>

namespace nsdf::test {

/// Appends values in a fixed byte order, and text as it is.
class Bytes {
 public:
  explicit Bytes(bool big_endian) : big_endian_(big_endian) {}

  /// Appends the bytes of `value`, in the chosen byte order.
  template <typename T>
  Bytes& put(T value) {
    char bytes[sizeof(T)];
    std::memcpy(bytes, &value, sizeof(T));
    const bool host_big = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;
    if (big_endian_ != host_big) std::reverse(bytes, bytes + sizeof(T));
    data_.append(bytes, sizeof(T));
    return *this;
  }

  /// Appends `s` unchanged (a header, say).
  Bytes& text(std::string_view s) {
    data_ += s;
    return *this;
  }

  const std::string& str() const { return data_; }

 private:
  bool big_endian_;
  std::string data_;
};

}  // namespace nsdf::test
