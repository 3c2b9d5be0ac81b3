#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/Error.h"
#include "core/Files.h"
#include "geometry/DeepSdfFiles.h"
#include "geometry/Npy.h"
#include "geometry/Zip.h"
#include "support/ErrorMessage.h"
#include "support/NpyBytes.h"
#include "support/TestFiles.h"

namespace nsdf::geometry {
namespace {

// Byte strings written by NumPy 1.24 (np.save, np.lib.format.write_array with an explicit
// version, np.savez, np.savez_compressed into io.BytesIO), so decoding is checked against the
// real format without Python at test time. The values each must decode to are in the tests.

// 152 bytes
constexpr char kNumpyFloat32C[] =
    "\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }     "
    "                                                     \x0a\x00\x00\xc0\x3f\x00\x00\x00\xc0"
    "\x00\x00P@\x00\x00\x00\x00o\x12\x83:\x00\x00\xe0\xc0";

// 176 bytes
constexpr char kNumpyFloat64Fortran[] =
    "\x93NUMPY\x01\x00v\x00{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }      "
    "                                                     \x0a\x00\x00\x00\x00\x00\x00\xf0\x3f"
    "\x00\x00\x00\x00\x00\x00\x10@\x00\x00\x00\x00\x00\x00\x00@\x00\x00\x00\x00\x00\x00\x14"
    "@\x00\x00\x00\x00\x00\x00\x08@\x00\x00\x00\x00\x00\x00\x18@";

// 176 bytes
constexpr char kNumpyInt32Fortran3d[] =
    "\x93NUMPY\x01\x00v\x00{'descr': '<i4', 'fortran_order': True, 'shape': (2, 3, 2), }   "
    "                                                     \x0a\x00\x00\x00\x00\x06\x00\x00\x00"
    "\x02\x00\x00\x00\x08\x00\x00\x00\x04\x00\x00\x00\x0a\x00\x00\x00\x01\x00\x00\x00\x07\x00"
    "\x00\x00\x03\x00\x00\x00\x09\x00\x00\x00\x05\x00\x00\x00\x0b\x00\x00\x00";

// 140 bytes
constexpr char kNumpyFloat32BigEndian[] =
    "\x93NUMPY\x01\x00v\x00{'descr': '>f4', 'fortran_order': False, 'shape': (3,), }       "
    "                                                     \x0a\x3f\x80\x00\x00\xbf\x00\x00\x00"
    "P\xdf\x84v";

// 136 bytes
constexpr char kNumpyInt16BigEndian[] =
    "\x93NUMPY\x01\x00v\x00{'descr': '>i2', 'fortran_order': False, 'shape': (2, 2), }     "
    "                                                     \x0a\x00\x01\xff\xfe\x01,\x80\x00";

// 131 bytes
constexpr char kNumpyUint8[] =
    "\x93NUMPY\x01\x00v\x00{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }       "
    "                                                     \x0a\x00\x07\xff";

// 136 bytes
constexpr char kNumpyInt64Scalar[] =
    "\x93NUMPY\x01\x00v\x00{'descr': '<i8', 'fortran_order': False, 'shape': (), }         "
    "                                                     \x0a\xd6\xff\xff\xff\xff\xff\xff\xff";

// 144 bytes
constexpr char kNumpyFloat64Version2[] =
    "\x93NUMPY\x02\x00t\x00\x00\x00{'descr': '<f8', 'fortran_order': False, 'shape': (2,), "
    "}                                                          \x0a\x00\x00\x00\x00\x00\x00"
    "\xd0\x3f\x00\x00\x00\x00\x00\x00 \xc0";

// 136 bytes
constexpr char kNumpyFloat64Version3[] =
    "\x93NUMPY\x03\x00t\x00\x00\x00{'descr': '>f8', 'fortran_order': False, 'shape': (1, 1)"
    ", }                                                        \x0a@\x0c\x00\x00\x00\x00\x00"
    "\x00";

// 390 bytes
constexpr char kNumpySavezCompressed[] =
    "PK\x03\x04\x14\x00\x00\x00\x08\x00\x00\x00!\x00\xeb\xc0+\x04M\x00\x00\x00\x8c\x00\x00\x00"
    "\x05\x00\x14\x00"
    "a.npy\x01\x00\x10\x00\x8c\x00\x00\x00\x00\x00\x00\x00M\x00\x00\x00\x00"
    "\x00\x00\x00\x9b\xec\x17\xea\x1b\x10\xc9\xc8P\xc6P\xad\x9e\x92Z\x9c\x5c\xa4n\xa5\xa0n\x93"
    "i\xa2\xae\xa3\xa0\x9e\x96_TR\x94\x98\x17\x9f_\x94\x92\x0a\x12wK\xcc)N\x05\x8a\x17g$\x16"
    "\xa4\x02\xf9\x1a\xc6:\x9a:\x0a\xb5\x0a\x14\x00.F\x06\x06\x06& f\x06"
    "b\x00PK\x03\x04\x14"
    "\x00\x00\x00\x08\x00\x00\x00!\x00y\x94\xce\x9eO\x00\x00\x00\x90\x00\x00\x00\x05\x00\x14"
    "\x00"
    "b.npy\x01\x00\x10\x00\x90\x00\x00\x00\x00\x00\x00\x00O\x00\x00\x00\x00\x00\x00\x00"
    "\x9b\xec\x17\xea\x1b\x10\xc9\xc8P\xc6P\xad\x9e\x92Z\x9c\x5c\xa4n\xa5\xa0n\x93"
    "f\xa1\xae"
    "\xa3\xa0\x9e\x96_TR\x94\x98\x17\x9f_\x94\x92\x0a\x12wK\xcc)N\x05\x8a\x17g$\x16\xa4\x02"
    "\xf9\x1a\x86:\x0a"
    "F\x9a:\x0a\xb5\x0a"
    "d\x03.\x06"
    "0x`\x0f\xa1\x3f\xec\x07\x00PK\x01\x02"
    "\x14\x03\x14\x00\x00\x00\x08\x00\x00\x00!\x00\xeb\xc0+\x04M\x00\x00\x00\x8c\x00\x00\x00"
    "\x05\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x01\x00\x00\x00\x00"
    "a.npyPK\x01\x02"
    "\x14\x03\x14\x00\x00\x00\x08\x00\x00\x00!\x00y\x94\xce\x9eO\x00\x00\x00\x90\x00\x00\x00"
    "\x05\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x01\x84\x00\x00\x00"
    "b.npyPK\x05\x06"
    "\x00\x00\x00\x00\x02\x00\x02\x00"
    "f\x00\x00\x00\x0a\x01\x00\x00\x00\x00";

// 496 bytes
constexpr char kNumpySavez[] =
    "PK\x03\x04\x14\x00\x00\x00\x00\x00\x00\x00!\x00\x15\xe6\xea\x1d\x84\x00\x00\x00\x84\x00"
    "\x00\x00\x05\x00\x14\x00x.npy\x01\x00\x10\x00\x84\x00\x00\x00\x00\x00\x00\x00\x84\x00\x00"
    "\x00\x00\x00\x00\x00\x93NUMPY\x01\x00v\x00{'descr': '<f4', 'fortran_order': False, 'sh"
    "ape': (1,), }                                                            \x0a\x00\x00 "
    "@PK\x03\x04\x14\x00\x00\x00\x00\x00\x00\x00!\x00\xee\x19\xbb]\x82\x00\x00\x00\x82\x00\x00"
    "\x00\x05\x00\x14\x00y.npy\x01\x00\x10\x00\x82\x00\x00\x00\x00\x00\x00\x00\x82\x00\x00\x00"
    "\x00\x00\x00\x00\x93NUMPY\x01\x00v\x00{'descr': '|b1', 'fortran_order': False, 'shape'"
    ": (2,), }                                                            \x0a\x01\x00PK\x01"
    "\x02\x14\x03\x14\x00\x00\x00\x00\x00\x00\x00!\x00\x15\xe6\xea\x1d\x84\x00\x00\x00\x84\x00"
    "\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x01\x00\x00\x00\x00x.npyP"
    "K\x01\x02\x14\x03\x14\x00\x00\x00\x00\x00\x00\x00!\x00\xee\x19\xbb]\x82\x00\x00\x00\x82"
    "\x00\x00\x00\x05\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x01\xbb\x00\x00\x00y."
    "npyPK\x05\x06\x00\x00\x00\x00\x02\x00\x02\x00"
    "f\x00\x00\x00t\x01\x00\x00\x00\x00";

template <size_t N>
std::string bytes(const char (&literal)[N]) {
  return std::string(literal, N - 1);
}

using test::npy_with_header;

std::string float32_bytes(const std::vector<float>& values) {
  return std::string(reinterpret_cast<const char*>(values.data()), values.size() * 4);
}

void expect_array(const NpyArray& array, const std::vector<int64_t>& shape,
                  const std::vector<double>& data, const std::string& dtype) {
  EXPECT_EQ(array.shape, shape);
  EXPECT_EQ(array.data, data);
  EXPECT_EQ(array.dtype, dtype);
}

TEST(Npy, Float32RoundTrip) {
  test::TempDir dir;
  const std::string path = (dir.path() / "a.npy").string();
  const std::vector<float> values{1.5f, -2.f, 3.25f, 0.f, 1e-3f, -7.f};
  write_npy(path, values, {2, 3});
  const NpyArray array = read_npy(path);
  expect_array(array, {2, 3}, std::vector<double>(values.begin(), values.end()), "<f4");
  EXPECT_EQ(to_floats(array), values);
}

TEST(Npy, Float64RoundTrip) {
  test::TempDir dir;
  const std::string path = (dir.path() / "a.npy").string();
  const std::vector<double> values{0.1, -1e300, 5e-324, 3.0};
  write_npy(path, values, {4, 1, 1});
  expect_array(read_npy(path), {4, 1, 1}, values, "<f8");
}

TEST(Npy, WriterMatchesNumpyByteForByte) {
  const NpyArray array =
      make_npy_array(std::vector<float>{1.5f, -2.f, 3.25f, 0.f, 1e-3f, -7.f}, {2, 3});
  EXPECT_EQ(encode_npy(array, "a.npy"), bytes(kNumpyFloat32C));
  test::TempDir dir;
  const std::string path = (dir.path() / "a.npy").string();
  write_npy(path, std::vector<float>{1.5f, -2.f, 3.25f, 0.f, 1e-3f, -7.f}, {2, 3});
  EXPECT_EQ(test::read_text(path), bytes(kNumpyFloat32C));
}

TEST(Npy, HeadersArePaddedToSixtyFourBytes) {
  const std::vector<std::vector<int64_t>> shapes{
      {}, {0}, {7}, {2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 3}, {123456789012, 0}};
  for (const std::vector<int64_t>& shape : shapes) {
    NpyArray array{shape, {}, "<f4"};
    array.data.assign(static_cast<size_t>(array.size()), 0.0);
    const std::string npy = encode_npy(array, "a.npy");
    EXPECT_EQ((npy.find('\n') + 1) % 64, 0u);
    EXPECT_EQ(parse_npy(npy, "a.npy").shape, shape);
  }
}

TEST(Npy, EveryDtypeRoundTrips) {
  const std::vector<double> values{0, 1, 2, 100, 127};
  for (const char* dtype : {"<f4", ">f4", "<f8", ">f8", "|i1", "<i2", ">i2", "<i4", ">i4", "<i8",
                            ">i8", "|u1", "<u2", ">u2", "<u4", "<u8", ">u8", "|b1"}) {
    SCOPED_TRACE(dtype);
    const NpyArray array{{5}, values, dtype};
    const NpyArray back = parse_npy(encode_npy(array, "a.npy"), "a.npy");
    EXPECT_EQ(back.dtype, dtype);
    if (std::string(dtype) == "|b1") {
      EXPECT_EQ(back.data, (std::vector<double>{0, 1, 1, 1, 1}));
    } else {
      EXPECT_EQ(back.data, values);
    }
  }
}

TEST(Npy, ExtremeIntegersRoundTrip) {
  const NpyArray i64{{2}, {-9223372036854775808.0, 9223372036854774784.0}, "<i8"};
  EXPECT_EQ(parse_npy(encode_npy(i64, "a.npy"), "a.npy").data, i64.data);
  const NpyArray u8{{2}, {0, 18446744073709549568.0}, ">u8"};
  EXPECT_EQ(parse_npy(encode_npy(u8, "a.npy"), "a.npy").data, u8.data);
  const NpyArray i2{{2}, {-32768, 32767}, "<i2"};
  EXPECT_EQ(parse_npy(encode_npy(i2, "a.npy"), "a.npy").data, i2.data);
}

TEST(Npy, EncodingRejectsValuesTheDtypeCannotHold) {
  EXPECT_THROW(encode_npy(NpyArray{{1}, {256}, "|u1"}, "a.npy"), core::DataError);
  EXPECT_THROW(encode_npy(NpyArray{{1}, {-1}, "<u4"}, "a.npy"), core::DataError);
  EXPECT_THROW(encode_npy(NpyArray{{1}, {0.5}, "<i4"}, "a.npy"), core::DataError);
  EXPECT_THROW(encode_npy(NpyArray{{1}, {NAN}, "<i8"}, "a.npy"), core::DataError);
  EXPECT_THROW(encode_npy(NpyArray{{1}, {9223372036854775808.0}, "<i8"}, "a.npy"), core::DataError);
  EXPECT_THROW(encode_npy(NpyArray{{1}, {1}, "<f2"}, "a.npy"), core::DataError);
  EXPECT_THROW(encode_npy(NpyArray{{1}, {1}, "|O"}, "a.npy"), core::DataError);
  try {
    encode_npy(NpyArray{{2}, {1, 300}, "|u1"}, "out.npy");
    FAIL() << "no error";
  } catch (const core::DataError& e) {
    EXPECT_STREQ(e.what(), "out.npy: value 300 at index 1 does not fit dtype '|u1'");
  }
}

TEST(Npy, WritingChecksTheShape) {
  test::TempDir dir;
  const std::string path = (dir.path() / "a.npy").string();
  try {
    write_npy(path, std::vector<float>{1, 2, 3}, {2, 2});
    FAIL() << "no error";
  } catch (const core::DataError& e) {
    EXPECT_EQ(std::string(e.what()), path + ": shape (2, 2) needs 4 values, but 3 were given");
  }
  EXPECT_THROW(write_npy(path, std::vector<double>{1}, {-1}), core::DataError);
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(Npy, ScalarsAndEmptyArraysRoundTrip) {
  const NpyArray scalar =
      parse_npy(encode_npy(make_npy_array(std::vector<double>{2.5}, {}), "a.npy"), "a.npy");
  expect_array(scalar, {}, {2.5}, "<f8");
  EXPECT_EQ(scalar.size(), 1);
  const NpyArray empty =
      parse_npy(encode_npy(make_npy_array(std::vector<float>{}, {0, 4}), "a.npy"), "a.npy");
  expect_array(empty, {0, 4}, {}, "<f4");
  EXPECT_EQ(empty.size(), 0);
}

TEST(Npy, DecodesNumpyCOrder) {
  expect_array(parse_npy(bytes(kNumpyFloat32C), "c.npy"), {2, 3},
               {1.5, -2.0, 3.25, 0.0, static_cast<double>(1e-3f), -7.0}, "<f4");
}

TEST(Npy, DecodesNumpyFortranOrder) {
  expect_array(parse_npy(bytes(kNumpyFloat64Fortran), "f.npy"), {2, 3}, {1, 2, 3, 4, 5, 6}, "<f8");
  expect_array(parse_npy(bytes(kNumpyInt32Fortran3d), "f.npy"), {2, 3, 2},
               {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, "<i4");
}

TEST(Npy, DecodesNumpyBigEndian) {
  expect_array(parse_npy(bytes(kNumpyFloat32BigEndian), "be.npy"), {3},
               {1.0, -0.5, static_cast<double>(3.0e10f)}, ">f4");
  expect_array(parse_npy(bytes(kNumpyInt16BigEndian), "be.npy"), {2, 2}, {1, -2, 300, -32768},
               ">i2");
}

TEST(Npy, DecodesNumpyIntegersAndScalars) {
  expect_array(parse_npy(bytes(kNumpyUint8), "u.npy"), {3}, {0, 7, 255}, "|u1");
  expect_array(parse_npy(bytes(kNumpyInt64Scalar), "s.npy"), {}, {-42}, "<i8");
}

TEST(Npy, DecodesNumpyVersions2And3) {
  expect_array(parse_npy(bytes(kNumpyFloat64Version2), "v2.npy"), {2}, {0.25, -8.0}, "<f8");
  expect_array(parse_npy(bytes(kNumpyFloat64Version3), "v3.npy"), {1, 1}, {3.5}, ">f8");
}

TEST(Npy, HeaderDictIsParsedLikePython) {
  const std::string data = float32_bytes({1, 2, 3, 4, 5, 6});
  for (const std::string& dict :
       {std::string("{'shape': (3, 2), 'fortran_order': False, 'descr': '<f4'}"),
        std::string("{ \"descr\" : \"<f4\" ,\t'shape':(3,2,),'fortran_order':False,}"),
        std::string("{'descr': '<f4', 'fortran_order': False, 'shape': (3L, 2L), }"),
        std::string("{'fortran_order': False, 'descr': '=f4', 'shape': ( 3 , 2 ) }")}) {
    SCOPED_TRACE(dict);
    const NpyArray array = parse_npy(npy_with_header(dict, data), "h.npy");
    EXPECT_EQ(array.shape, (std::vector<int64_t>{3, 2}));
    EXPECT_EQ(array.data, (std::vector<double>{1, 2, 3, 4, 5, 6}));
  }
  // "(6)" is the integer 6 in Python, not a tuple.
  EXPECT_THROW(
      parse_npy(npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (6)}", data),
                "h.npy"),
      core::DataError);
}

TEST(Npy, FortranOrderOfOneDimensionalArraysIsTheSame) {
  const NpyArray array =
      parse_npy(npy_with_header("{'descr': '<f4', 'fortran_order': True, 'shape': (3,), }",
                                float32_bytes({1, 2, 3})),
                "f.npy");
  EXPECT_EQ(array.data, (std::vector<double>{1, 2, 3}));
}

TEST(Npy, DecodesFloat16AndBool) {
  // 1, -2, 65504 (largest half), 2^-24 (smallest subnormal), inf
  const std::string half("\x00\x3c\x00\xc0\xff\x7b\x01\x00\x00\x7c", 10);
  const NpyArray array = parse_npy(
      npy_with_header("{'descr': '<f2', 'fortran_order': False, 'shape': (5,), }", half), "h.npy");
  EXPECT_EQ(array.data, (std::vector<double>{1, -2, 65504, std::ldexp(1.0, -24), INFINITY}));
  const NpyArray flags =
      parse_npy(npy_with_header("{'descr': '|b1', 'fortran_order': False, 'shape': (3,), }",
                                std::string("\x01\x00\x01", 3)),
                "b.npy");
  EXPECT_EQ(flags.data, (std::vector<double>{1, 0, 1}));
}

TEST(Npz, StoredRoundTrip) {
  test::TempDir dir;
  const std::string path = (dir.path() / "a.npz").string();
  const std::map<std::string, NpyArray> arrays{
      {"pos", make_npy_array(std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8}, {2, 4})},
      {"scale", make_npy_array(std::vector<double>{0.5}, {})},
      {"ids", NpyArray{{3}, {1, 2, 3}, "<i8"}}};
  write_npz(path, arrays);
  const std::map<std::string, NpyArray> back = read_npz(path);
  ASSERT_EQ(back.size(), 3u);
  for (const auto& [key, array] : arrays) {
    SCOPED_TRACE(key);
    expect_array(back.at(key), array.shape, array.data, array.dtype);
  }
  // Stored: the npy bytes appear verbatim in the archive.
  EXPECT_NE(test::read_text(path).find(encode_npy(arrays.at("pos"), "pos")), std::string::npos);
}

TEST(Npz, DeflatedRoundTrip) {
  test::TempDir dir;
  const std::string path = (dir.path() / "a.npz").string();
  std::vector<float> values(30000);
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<float>(i % 7);
  const std::map<std::string, NpyArray> arrays{
      {"big", make_npy_array(values, {10000, 3})},
      {"empty", make_npy_array(std::vector<float>{}, {0})}};
  write_npz(path, arrays, /*compress=*/true);
  const std::string zip = test::read_text(path);
  EXPECT_LT(zip.size(), values.size());  // far smaller than 120 kB of float32
  EXPECT_EQ(zip[8], 8);                  // the first local header says "deflate"
  const std::map<std::string, NpyArray> back = read_npz(path);
  expect_array(back.at("big"), {10000, 3}, arrays.at("big").data, "<f4");
  expect_array(back.at("empty"), {0}, {}, "<f4");
}

TEST(Npz, Zip64RecordsRoundTrip) {
  const std::map<std::string, NpyArray> arrays{
      {"a", make_npy_array(std::vector<float>{1, 2}, {2})},
      {"b", make_npy_array(std::vector<double>{3}, {1, 1})}};
  for (bool compress : {false, true}) {
    const std::string zip = encode_npz(arrays, "z.npz", compress, /*force_zip64=*/true);
    EXPECT_NE(zip.find(std::string("PK\x06\x06", 4)), std::string::npos);  // zip64 end record
    EXPECT_NE(zip.find(std::string("PK\x06\x07", 4)), std::string::npos);  // and its locator
    const std::map<std::string, NpyArray> back = parse_npz(zip, "z.npz");
    ASSERT_EQ(back.size(), 2u);
    expect_array(back.at("a"), {2}, {1, 2}, "<f4");
    expect_array(back.at("b"), {1, 1}, {3}, "<f8");
  }
}

TEST(Npz, ArchiveCommentIsSkipped) {
  std::string zip = encode_npz({{"a", make_npy_array(std::vector<float>{1}, {1})}}, "c.npz");
  const std::string comment = "written by hand PK\x05\x06 with a fake signature inside";
  zip[zip.size() - 2] = static_cast<char>(comment.size());
  zip += comment;
  EXPECT_EQ(parse_npz(zip, "c.npz").at("a").data, (std::vector<double>{1}));
}

TEST(Npz, DecodesNumpySavezCompressed) {
  const std::map<std::string, NpyArray> arrays = parse_npz(bytes(kNumpySavezCompressed), "sc.npz");
  ASSERT_EQ(arrays.size(), 2u);
  expect_array(arrays.at("a"), {3}, {1, 2, 3}, "<i4");
  expect_array(arrays.at("b"), {1, 2}, {0.5, -1.0}, "<f8");
}

TEST(Npz, DecodesNumpySavezWithZip64LocalHeaders) {
  const std::map<std::string, NpyArray> arrays = parse_npz(bytes(kNumpySavez), "s.npz");
  ASSERT_EQ(arrays.size(), 2u);
  expect_array(arrays.at("x"), {1}, {2.5}, "<f4");
  expect_array(arrays.at("y"), {2}, {1, 0}, "|b1");
}

TEST(Npz, WritingIsDeterministic) {
  const std::map<std::string, NpyArray> arrays{
      {"a", make_npy_array(std::vector<float>{1, 2}, {2})}};
  EXPECT_EQ(encode_npz(arrays, "a.npz", true), encode_npz(arrays, "a.npz", true));
}

TEST(DeepSdfFiles, SamplesRoundTrip) {
  test::TempDir dir;
  const std::string path = (dir.path() / "shape.npz").string();
  SdfSamples samples;
  samples.pos = {0.1f, 0.2f, 0.3f, 0.01f, -0.5f, 0.5f, 0.f, 0.2f};
  samples.neg = {0.f, 0.f, 0.f, -0.3f};
  write_deepsdf_samples(path, samples);
  const SdfSamples back = read_deepsdf_samples(path);
  EXPECT_EQ(back.pos, samples.pos);
  EXPECT_EQ(back.neg, samples.neg);
  // The layout DeepSDF reads: float32 (N, 4) arrays named pos and neg.
  const std::map<std::string, NpyArray> arrays = read_npz(path);
  EXPECT_EQ(arrays.at("pos").shape, (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(arrays.at("neg").shape, (std::vector<int64_t>{1, 4}));
  EXPECT_EQ(arrays.at("pos").dtype, "<f4");
}

TEST(DeepSdfFiles, SamplesWithoutRowsRoundTrip) {
  test::TempDir dir;
  const std::string path = (dir.path() / "shape.npz").string();
  SdfSamples samples;
  samples.pos = {0.1f, 0.2f, 0.3f, 0.01f};
  write_deepsdf_samples(path, samples);
  const SdfSamples back = read_deepsdf_samples(path);
  EXPECT_EQ(back.pos, samples.pos);
  EXPECT_TRUE(back.neg.empty());
}

TEST(DeepSdfFiles, NanSdfRowsCanBeDroppedAsDeepSdfDoes) {
  test::TempDir dir;
  const std::string path = (dir.path() / "shape.npz").string();
  const std::vector<float> neg{0, 0, 0, -0.1f, 1, 1, 1, std::nanf(""), 2, 2, 2, -0.2f};
  write_npz(path, {{"pos", make_npy_array(std::vector<float>{0, 0, 0, 0.1f}, {1, 4})},
                   {"neg", make_npy_array(neg, {3, 4})}});
  EXPECT_THROW(read_deepsdf_samples(path), core::DataError);
  const SdfSamples samples = read_deepsdf_samples(path, NanSdfRows::Drop);
  EXPECT_EQ(samples.neg, (std::vector<float>{0, 0, 0, -0.1f, 2, 2, 2, -0.2f}));
  EXPECT_EQ(samples.pos, (std::vector<float>{0, 0, 0, 0.1f}));
  EXPECT_EQ(samples.dropped_nan_rows, 1);
  // Only a NaN sdf marks a row DeepSDF drops; a NaN position is still an error.
  write_npz(path, {{"pos", make_npy_array(std::vector<float>{std::nanf(""), 0, 0, 0.1f}, {1, 4})},
                   {"neg", make_npy_array(neg, {3, 4})}});
  EXPECT_THROW(read_deepsdf_samples(path, NanSdfRows::Drop), core::DataError);
}

TEST(DeepSdfFiles, WritingSamplesChecksRowLength) {
  test::TempDir dir;
  SdfSamples samples;
  samples.pos = {1, 2, 3};
  EXPECT_THROW(write_deepsdf_samples((dir.path() / "s.npz").string(), samples), core::DataError);
}

TEST(DeepSdfFiles, NormalizationRoundTrip) {
  test::TempDir dir;
  const std::string path = (dir.path() / "norm.npz").string();
  const Normalization n{{-7.5995922e-05, -0.055238996, -0.048878506}, 2.5437222};
  write_deepsdf_normalization(path, n);
  const Normalization back = read_deepsdf_normalization(path);
  EXPECT_EQ(back.offset, n.offset);
  EXPECT_EQ(back.scale, n.scale);
  const std::map<std::string, NpyArray> arrays = read_npz(path);
  EXPECT_EQ(arrays.at("offset").shape, (std::vector<int64_t>{3}));
  EXPECT_EQ(arrays.at("scale").shape, (std::vector<int64_t>{1}));
}

TEST(DeepSdfFiles, NormalizationAcceptsDeepSdfShapesAndFloat32) {
  test::TempDir dir;
  const std::string path = (dir.path() / "norm.npz").string();
  write_npz(path, {{"offset", make_npy_array(std::vector<float>{1, 2, 3}, {1, 3})},
                   {"scale", make_npy_array(std::vector<float>{0.5f}, {})}});
  const Normalization n = read_deepsdf_normalization(path);
  EXPECT_EQ(n.offset, (std::array<double, 3>{1, 2, 3}));
  EXPECT_EQ(n.scale, 0.5);
}

TEST(Npy, HeadersOfAnNpzWithoutItsValues) {
  test::TempDir dir;
  const std::string path = (dir.path() / "a.npz").string();
  const std::map<std::string, NpyArray> arrays = {
      {"pos", make_npy_array(std::vector<float>(20, 0.5f), {5, 4})},
      {"scale", make_npy_array(std::vector<double>{2.0}, {})}};
  for (const bool compress : {false, true}) {
    write_npz(path, arrays, compress);
    const std::map<std::string, NpyHeaderInfo> headers = read_npz_headers(path);
    ASSERT_EQ(headers.size(), 2u);
    EXPECT_EQ(headers.at("pos").shape, (std::vector<int64_t>{5, 4}));
    EXPECT_EQ(headers.at("pos").dtype, "<f4");
    EXPECT_TRUE(headers.at("scale").shape.empty());
    EXPECT_EQ(headers.at("scale").dtype, "<f8");
  }
  // A member shorter than its header's shape (an intact archive around it) is caught.
  ZipWriter zip;
  const std::string npy = encode_npy(arrays.at("pos"), "pos.npy");
  zip.add("pos.npy", std::string_view(npy).substr(0, npy.size() - 16), path);
  core::write_file_atomic(path, zip.finish());
  EXPECT_EQ(test::message_of<core::DataError>([&] { read_npz_headers(path); }),
            path +
                ": pos.npy: data is 64 bytes, but shape (5, 4) of '<f4' needs 80 bytes "
                "(truncated file)");
  EXPECT_EQ(test::message_of<core::IoError>([&] { read_npz_headers(path + ".missing"); }),
            path + ".missing: cannot open for reading: no such file");
}

TEST(DeepSdfFiles, SampleRowsFromTheHeaders) {
  test::TempDir dir;
  const std::string path = (dir.path() / "shape.npz").string();
  SdfSamples samples;
  samples.pos = std::vector<float>(12, 0.25f);
  samples.neg = {0, 0, 0, -0.5f};
  write_deepsdf_samples(path, samples);
  const SdfSampleRows rows = read_deepsdf_sample_rows(path);
  EXPECT_EQ(rows.pos, 3);
  EXPECT_EQ(rows.neg, 1);
}

TEST(DeepSdfFiles, NormalizedIsOriginalPlusOffsetTimesScale) {
  const Normalization n{{1, -2, 0.5}, 4};
  const std::array<double, 3> p{0.25, 2, -0.5};
  const std::array<double, 3> q = normalize_point(n, p);
  EXPECT_EQ(q, (std::array<double, 3>{5, 0, 0}));
  EXPECT_EQ(denormalize_point(n, q), p);
}

}  // namespace
}  // namespace nsdf::geometry
