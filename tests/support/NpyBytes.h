#pragma once
// Hand-made .npy files for the reader's tests and fuzz seeds: any header text, any data bytes,
// so that tests can write what encode_npy never would (other key orders, bad dicts, wrong
// sizes).

#include <string>

namespace nsdf::test {

/// A version 1.0 .npy file with the given header dict text (padded with spaces and a newline to
/// a multiple of 64 bytes, as numpy pads) followed by the raw data bytes.
inline std::string npy_with_header(const std::string& dict, const std::string& data) {
  std::string header = dict;
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out("\x93NUMPY\x01\x00", 8);
  out.push_back(static_cast<char>(header.size() & 0xff));
  out.push_back(static_cast<char>(header.size() >> 8));
  return out + header + data;
}

}  // namespace nsdf::test
