// libFuzzer target for the NumPy readers: every input goes to parse_npy and to parse_npz.
//
// A DataError or IoError is the expected answer to a malformed file. Everything else is a
// finding: a crash, a sanitizer report, another exception type, an allocation beyond
// -malloc_limit_mb (the readers promise to check declared sizes against the bytes present, and to
// stop inflating at the declared size), an array whose data does not match its shape, or an
// array that does not come back unchanged through encode_npy/encode_npz and the readers. Those
// checks abort with a "nsdf fuzz finding" line so that libFuzzer keeps the input.
//
// Zip members carry a CRC-32 that parse_npz verifies after locating and inflating them, so
// mutations of a member's bytes mostly stop at the CRC check; the zip structure, inflation and
// the .npy parser itself (run directly on every input) are what this target reaches.
//
// With NSDF_FUZZ_WRITE_SEEDS=<folder> set, the binary writes its seed files (.npy of every dtype
// family, both byte orders, Fortran order, format 2.0, 0-d; .npz stored, deflated and zip64)
// into that folder and exits: tests/fuzz/run_fuzzers.sh builds its seed corpus that way.

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "FuzzChecks.h"
#include "core/Error.h"
#include "core/Files.h"
#include "geometry/Npy.h"
#include "support/NpyBytes.h"

namespace {

using nsdf::geometry::encode_npy;
using nsdf::geometry::encode_npz;
using nsdf::geometry::NpyArray;
using nsdf::geometry::parse_npy;
using nsdf::geometry::parse_npz;

using nsdf::fuzz::finding;
using nsdf::test::npy_with_header;

void check_array(const NpyArray& a) {
  int64_t count = 1;
  for (const int64_t extent : a.shape) {
    if (extent < 0) finding("negative extent accepted");
    count *= extent;  // cannot overflow: the data is in memory
  }
  if (static_cast<size_t>(count) != a.data.size()) finding("data size differs from the shape");
}

bool same_array(const NpyArray& a, const NpyArray& b) {
  if (a.shape != b.shape || a.data.size() != b.data.size()) return false;
  for (size_t i = 0; i < a.data.size(); ++i) {
    const bool both_nan = std::isnan(a.data[i]) && std::isnan(b.data[i]);
    if (!both_nan && a.data[i] != b.data[i]) return false;
  }
  return true;
}

void round_trip_npy(const NpyArray& array) {
  std::string bytes;
  try {
    bytes = encode_npy(array, "round-trip.npy");
  } catch (const nsdf::core::DataError&) {
    return;  // float16, and 64-bit integers rounded beyond their range, cannot be written back
  }
  try {
    if (!same_array(parse_npy(bytes, "round-trip.npy"), array)) {
      finding("array changed in an encode_npy/parse_npy round trip");
    }
  } catch (const nsdf::core::Error& e) {
    finding("parse_npy rejects what encode_npy wrote:", e.what());
  }
}

void round_trip_npz(const std::map<std::string, NpyArray>& arrays) {
  for (const bool compress : {false, true}) {
    std::string bytes;
    try {
      bytes = encode_npz(arrays, "round-trip.npz", compress);
    } catch (const nsdf::core::DataError&) {
      return;  // as for .npy: a member that cannot be written back
    }
    try {
      const std::map<std::string, NpyArray> back = parse_npz(bytes, "round-trip.npz");
      if (back.size() != arrays.size()) finding("npz round trip changed the member count");
      for (const auto& [key, array] : arrays) {
        const auto it = back.find(key);
        if (it == back.end() || !same_array(it->second, array)) {
          finding("array changed in an encode_npz/parse_npz round trip");
        }
      }
    } catch (const nsdf::core::Error& e) {
      finding("parse_npz rejects what encode_npz wrote:", e.what());
    }
  }
}

void write_seeds(const nsdf::fuzz::SeedFolder& seed) {
  const auto array = [](std::vector<double> data, std::vector<int64_t> shape, const char* dtype) {
    return NpyArray{std::move(shape), std::move(data), dtype};
  };
  seed("f4_2x3.npy", encode_npy(array({0.5, -1, 2, 1.5, 3, -2}, {2, 3}, "<f4"), "seed"));
  seed("f8_be_scalar.npy", encode_npy(array({3.25}, {}, ">f8"), "seed"));
  seed("i2_be.npy", encode_npy(array({-32768, 0, 32767}, {3}, ">i2"), "seed"));
  seed("u8_empty.npy", encode_npy(array({}, {0, 4}, "<u8"), "seed"));
  seed("b1_3d.npy", encode_npy(array({1, 0, 1, 1, 0, 0, 1, 0}, {2, 2, 2}, "|b1"), "seed"));
  // What encode_npy never writes: Fortran order, float16, '=' and bare type strings, other key
  // orders and spacing, and a version 2.0 preamble.
  seed("f8_fortran.npy",
       npy_with_header("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }",
                       std::string(48, '\x01')));
  seed("f2_odd_header.npy", npy_with_header("{\"shape\":(2,),'fortran_order' :False,'descr':'=f2'}",
                                            std::string("\x00\x3c\x00\x7c", 4)));
  {
    std::string dict = "{'descr': 'u1', 'fortran_order': False, 'shape': (4,), }";
    while ((12 + dict.size() + 1) % 64 != 0) dict += ' ';
    dict += '\n';
    std::string v2("\x93NUMPY\x02\x00", 8);
    for (int i = 0; i < 4; ++i) v2 += static_cast<char>((dict.size() >> (8 * i)) & 0xff);
    seed("u1_v2.npy", v2 + dict + "\x01\x02\x03\xff");
  }
  const std::map<std::string, NpyArray> samples = {
      {"pos", array({0, 0, 0, 0.1, 0.5, 0.5, 0.5, 0.2}, {2, 4}, "<f4")},
      {"neg", array({0.1, 0.2, 0.3, -0.05}, {1, 4}, "<f4")}};
  seed("samples_stored.npz", encode_npz(samples, "seed"));
  seed("samples_deflated.npz", encode_npz(samples, "seed", true));
  const std::map<std::string, NpyArray> normalization = {
      {"offset", array({0.25, -0.5, 1}, {3}, "<f8")}, {"scale", array({1.5}, {1}, "<f8")}};
  seed("normalization_zip64.npz", encode_npz(normalization, "seed", false, true));
  seed("many_deflated_zip64.npz",
       encode_npz({{"a", array(std::vector<double>(64, 7), {8, 8}, "|u1")},
                   {"b/c", array({-1, 1}, {2}, "<i8")}},
                  "seed", true, true));
}

void test_one_input(std::string_view bytes) {
  try {
    const NpyArray array = parse_npy(bytes, "fuzz.npy");
    check_array(array);
    round_trip_npy(array);
  } catch (const nsdf::core::Error&) {
  }
  try {
    const std::map<std::string, NpyArray> arrays = parse_npz(bytes, "fuzz.npz");
    for (const auto& entry : arrays) check_array(entry.second);
    round_trip_npz(arrays);
  } catch (const nsdf::core::Error&) {
  }
}

}  // namespace

NSDF_FUZZ_TARGET(write_seeds, test_one_input)
