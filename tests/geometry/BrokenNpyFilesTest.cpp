// Hostile and damaged .npy / .npz files: each must fail with a DataError (IoError for a missing
// file) whose message starts with the file path and says what is wrong, without crashing,
// hanging, or allocating what a lying header declares.

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "core/Error.h"
#include "geometry/DeepSdfFiles.h"
#include "geometry/Npy.h"
#include "support/NpyBytes.h"
#include "support/TestFiles.h"

namespace nsdf::geometry {
namespace {

using test::npy_with_header;

std::string valid_npy() {
  return encode_npy(make_npy_array(std::vector<float>{1, 2, 3, 4, 5, 6}, {2, 3}), "v.npy");
}

// An archive with members a.npy and b.npy (stored unless `compress`).
std::string valid_npz(bool compress = false) {
  return encode_npz({{"a", make_npy_array(std::vector<float>{1, 2, 3}, {3})},
                     {"b", make_npy_array(std::vector<double>{4, 5}, {2})}},
                    "v.npz", compress);
}

uint32_t get_le32(const std::string& s, size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}

void set_le(std::string& s, size_t at, uint64_t value, int width) {
  for (int i = 0; i < width; ++i) s[at + i] = static_cast<char>((value >> (8 * i)) & 0xff);
}

// CRC-32 as zip computes it (bitwise, reflected polynomial 0xedb88320).
uint32_t crc32(const std::string& s) {
  uint32_t c = 0xffffffff;
  for (const char byte : s) {
    c ^= static_cast<unsigned char>(byte);
    for (int k = 0; k < 8; ++k) c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1u)));
  }
  return ~c;
}

// Position of the n-th (0-based) central directory entry of our own, comment-free archives.
size_t central_entry(const std::string& zip, int n) {
  size_t pos = zip.find(std::string("PK\x01\x02", 4));
  for (int i = 0; i < n; ++i) pos = zip.find(std::string("PK\x01\x02", 4), pos + 4);
  EXPECT_NE(pos, std::string::npos);
  return pos;
}

class BrokenNpyFiles : public ::testing::Test {
 protected:
  // Writes `content` as `name`, runs `read` on its path and expects ErrorType whose message
  // starts with the path and contains `expected`.
  template <typename ErrorType = core::DataError>
  void expect_error(const std::string& name, const std::string& content,
                    const std::function<void(const std::string&)>& read,
                    const std::string& expected) {
    const std::string path = dir_.write(name, content);
    expect_error_at<ErrorType>(path, read, expected);
  }

  template <typename ErrorType = core::DataError>
  void expect_error_at(const std::string& path, const std::function<void(const std::string&)>& read,
                       const std::string& expected) {
    try {
      read(path);
      ADD_FAILURE() << path << ": no error, expected one containing \"" << expected << "\"";
    } catch (const ErrorType& e) {
      const std::string message = e.what();
      EXPECT_EQ(message.rfind(path + ": ", 0), 0u) << message;
      EXPECT_NE(message.find(expected), std::string::npos)
          << "message: " << message << "\nexpected to contain: " << expected;
    }
  }

  void expect_npy_error(const std::string& content, const std::string& expected) {
    expect_error(
        "broken.npy", content, [](const std::string& p) { read_npy(p); }, expected);
  }

  void expect_npz_error(const std::string& content, const std::string& expected) {
    expect_error(
        "broken.npz", content, [](const std::string& p) { read_npz(p); }, expected);
  }

  void expect_samples_error(const std::map<std::string, NpyArray>& arrays,
                            const std::string& expected) {
    const std::string path = (dir_.path() / "samples.npz").string();
    write_npz(path, arrays);
    expect_error_at(
        path, [](const std::string& p) { read_deepsdf_samples(p); }, expected);
  }

  test::TempDir dir_;
};

TEST_F(BrokenNpyFiles, BadMagic) {
  std::string npy = valid_npy();
  npy[5] = 'X';
  expect_npy_error(npy, "bad magic");
  expect_npy_error("", "bad magic");
  expect_npy_error("PK\x03\x04 a zip, not an npy", "not a .npy file");
}

TEST_F(BrokenNpyFiles, UnsupportedVersion) {
  std::string npy = valid_npy();
  npy[6] = 4;
  expect_npy_error(npy, "unsupported .npy format version 4.0");
}

TEST_F(BrokenNpyFiles, TruncatedHeader) {
  expect_npy_error(valid_npy().substr(0, 9), "truncated header");
  expect_npy_error(valid_npy().substr(0, 40), "header length 118 goes beyond the end of the file");
}

TEST_F(BrokenNpyFiles, HeaderLengthBeyondFile) {
  std::string npy = valid_npy();
  set_le(npy, 8, 0xffff, 2);
  expect_npy_error(npy, "header length 65535 goes beyond the end of the file (152 bytes)");
  std::string v2 = valid_npy();
  v2[6] = 2;  // version 2.0 reads a 4-byte length
  set_le(v2, 8, 0xfffffff0, 4);
  expect_npy_error(v2, "header length 4294967280 goes beyond the end of the file");
}

TEST_F(BrokenNpyFiles, MalformedDict) {
  const std::string data(24, '\0');
  expect_npy_error(npy_with_header("{'descr': '<f4' 'fortran_order': False, 'shape': (6,)}", data),
                   "malformed header: expected '}'");
  expect_npy_error(npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (6,", data),
                   "malformed header");
  expect_npy_error(npy_with_header("['descr', '<f4']", data), "expected a dict, found a list");
  expect_npy_error(npy_with_header("{'descr': '<f4', 'fortran_order': Maybe, 'shape': (6,)}", data),
                   "unknown name 'Maybe'");
  expect_npy_error(npy_with_header("{'descr': '<f4', 'fortran_order': 0, 'shape': (6,)}", data),
                   "'fortran_order' must be True or False, found an integer");
  expect_npy_error(
      npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (6,), 'x': 1}", data),
      "unexpected key 'x'");
  expect_npy_error(
      npy_with_header("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (6,)}",
                      data),
      "key 'descr' appears twice");
  expect_npy_error(
      npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (-6,)}", data),
      "shape entries must be non-negative integers");
  expect_npy_error(npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': "
                                   "(99999999999999999999,)}",
                                   data),
                   "integer too large");
  expect_npy_error(
      npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': (6,)} x", data),
      "unexpected text after the dict");
}

TEST_F(BrokenNpyFiles, DeeplyNestedHeaderDoesNotOverflowTheStack) {
  expect_npy_error(npy_with_header(std::string(5000, '(') + std::string(5000, ')'), ""),
                   "nesting too deep");
}

TEST_F(BrokenNpyFiles, MissingShape) {
  expect_npy_error(npy_with_header("{'descr': '<f4', 'fortran_order': False, }", ""),
                   "malformed header: no 'shape' key");
  expect_npy_error(npy_with_header("{'shape': (1,), 'fortran_order': False, }", ""),
                   "malformed header: no 'descr' key");
  expect_npy_error(npy_with_header("{'descr': '<f4', 'fortran_order': False, 'shape': [1]}",
                                   std::string(4, '\0')),
                   "'shape' must be a tuple, found a list");
}

TEST_F(BrokenNpyFiles, UnsupportedDtype) {
  const std::string data(16, '\0');
  expect_npy_error(
      npy_with_header("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", data),
      "unsupported dtype '|O' (object arrays hold pickled Python objects");
  expect_npy_error(
      npy_with_header("{'descr': '<c16', 'fortran_order': False, 'shape': (1,), }", data),
      "unsupported dtype '<c16' (complex numbers are not supported");
  expect_npy_error(
      npy_with_header("{'descr': '<U4', 'fortran_order': False, 'shape': (1,), }", data),
      "unsupported dtype '<U4'");
  expect_npy_error(
      npy_with_header("{'descr': '|f4', 'fortran_order': False, 'shape': (4,), }", data),
      "dtype '|f4' has no byte order");
  expect_npy_error(
      npy_with_header("{'descr': [('x', '<f4'), ('y', '<f4')], 'fortran_order': False, "
                      "'shape': (2,), }",
                      data),
      "structured arrays");
}

TEST_F(BrokenNpyFiles, DataShorterThanShape) {
  expect_npy_error(valid_npy().substr(0, valid_npy().size() - 1),
                   "data is 23 bytes, but shape (2, 3) of '<f4' needs 24 bytes (truncated file)");
  expect_npy_error(valid_npy() + "x", "data is 25 bytes, but shape (2, 3) of '<f4' needs 24");
}

TEST_F(BrokenNpyFiles, AbsurdShapeDoesNotAllocate) {
  // 1.6e19 elements overflow int64; 1.6e16 doubles (128 PB) fit but are not in the file.
  expect_npy_error(npy_with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (4000000000, "
                                   "4000000000), }",
                                   ""),
                   "shape (4000000000, 4000000000) has more elements than any file can hold");
  expect_npy_error(npy_with_header("{'descr': '<f8', 'fortran_order': False, 'shape': "
                                   "(4000000000, 4000000), }",
                                   std::string(8, '\0')),
                   "data is 8 bytes, but shape (4000000000, 4000000) of '<f8' needs "
                   "128000000000000000 bytes");
  expect_npy_error(npy_with_header("{'descr': '<f8', 'fortran_order': False, 'shape': (" +
                                       std::string(100, '1') + ",)}",
                                   ""),
                   "integer too large");
  std::string many_dims = "{'descr': '<f8', 'fortran_order': False, 'shape': (";
  for (int i = 0; i < 100; ++i) many_dims += "1, ";
  expect_npy_error(npy_with_header(many_dims + ")}", std::string(8, '\0')),
                   "shape has 100 dimensions");
}

TEST_F(BrokenNpyFiles, NpzWithoutEndOfCentralDirectory) {
  const std::string zip = valid_npz();
  expect_npz_error(zip.substr(0, zip.size() - 1), "no end-of-central-directory record");
  expect_npz_error(valid_npy(), "not a zip archive");
  expect_npz_error("PK", "too short for an end-of-central-directory record");
}

TEST_F(BrokenNpyFiles, CentralDirectoryOutsideTheFile) {
  std::string zip = valid_npz();
  set_le(zip, zip.size() - 6, 0x7fffffff, 4);  // directory offset in the end record
  expect_npz_error(zip, "central directory (offset 2147483647");
  std::string many = valid_npz();
  set_le(many, many.size() - 12, 60000, 2);  // total entries
  expect_npz_error(many, "60000 entries cannot fit");
}

TEST_F(BrokenNpyFiles, MemberOffsetOutsideTheFile) {
  std::string zip = valid_npz();
  set_le(zip, central_entry(zip, 1) + 42, 0x7ffffff0, 4);
  expect_npz_error(zip,
                   "b.npy: corrupt zip: member header offset 2147483632 lies outside the file");
  std::string big = valid_npz();
  const size_t entry = central_entry(big, 0);
  set_le(big, entry + 20, 0x10000000, 4);  // compressed size
  set_le(big, entry + 24, 0x10000000, 4);
  expect_npz_error(big,
                   "a.npy: corrupt zip: member data (offset 35, 268435456 bytes) lies "
                   "outside the file");
}

TEST_F(BrokenNpyFiles, OverlappingMembers) {
  std::string zip = valid_npz();
  const size_t entry = central_entry(zip, 0);
  const uint32_t size = get_le32(zip, entry + 20);
  set_le(zip, entry + 20, size + 10, 4);  // a.npy's data now runs into b.npy's header
  expect_npz_error(zip, "b.npy: corrupt zip: member overlaps member a.npy");
}

TEST_F(BrokenNpyFiles, CrcMismatch) {
  std::string zip = valid_npz();
  zip[zip.find("NUMPY") + 130] ^= 0x01;  // a data byte of a.npy
  expect_npz_error(zip, "a.npy: CRC-32 mismatch");
  std::string crc = valid_npz(true);
  const size_t entry = central_entry(crc, 1);
  set_le(crc, entry + 16, get_le32(crc, entry + 16) ^ 1, 4);
  expect_npz_error(crc, "b.npy: CRC-32 mismatch");
}

TEST_F(BrokenNpyFiles, UnsupportedCompressionMethod) {
  std::string zip = valid_npz();
  set_le(zip, central_entry(zip, 0) + 10, 12, 2);  // bzip2
  expect_npz_error(zip,
                   "a.npy: unsupported compression method 12 (supported: 0 stored, 8 deflate)");
}

TEST_F(BrokenNpyFiles, EncryptedMember) {
  std::string zip = valid_npz();
  set_le(zip, central_entry(zip, 1) + 8, 1, 2);
  expect_npz_error(zip, "b.npy: encrypted zip members are not supported");
}

TEST_F(BrokenNpyFiles, InflationStopsAtTheDeclaredSize) {
  const std::string zip = valid_npz(true);
  const size_t entry = central_entry(zip, 0);
  const uint32_t size = get_le32(zip, entry + 24);
  std::string smaller = zip;
  set_le(smaller, entry + 24, size - 1, 4);
  expect_npz_error(smaller, "a.npy: corrupt zip: inflates to more than the declared");
  std::string larger = zip;
  set_le(larger, entry + 24, size + 1, 4);
  expect_npz_error(larger, "a.npy: corrupt zip: inflates to");
  std::string bomb = zip;
  set_le(bomb, entry + 24, 0xfffffff0, 4);
  expect_npz_error(bomb, "more than deflate can produce");
  std::string garbage = zip;
  const size_t data = zip.find("a.npy") + 5;
  for (size_t i = data; i < data + 8; ++i) garbage[i] = static_cast<char>(0xff);
  expect_npz_error(garbage, "a.npy: corrupt zip:");
}

TEST_F(BrokenNpyFiles, BrokenNpyInsideNpzNamesTheMember) {
  // A stored member whose dtype is rewritten in place to '|O', with a matching CRC, so the
  // archive is sound and the .npy error must show with the member's name.
  std::string zip = encode_npz({{"m", NpyArray{{1}, {0}, "<f8"}}}, "g.npz");
  const size_t descr = zip.find("'<f8'");
  ASSERT_NE(descr, std::string::npos);
  zip.replace(descr, 5, "'|O' ");
  const size_t npy_start = zip.find("\x93NUMPY");
  const size_t entry = central_entry(zip, 0);
  const std::string npy = zip.substr(npy_start, get_le32(zip, entry + 24));
  set_le(zip, entry + 16, crc32(npy), 4);
  expect_npz_error(zip, "broken.npz: m.npy: unsupported dtype '|O'");
}

TEST_F(BrokenNpyFiles, MissingFileIsAnIoError) {
  const std::string missing = (dir_.path() / "missing.npy").string();
  expect_error_at<core::IoError>(
      missing, [](const std::string& p) { read_npy(p); }, "cannot open");
  expect_error_at<core::IoError>(
      missing, [](const std::string& p) { read_npz(p); }, "cannot open");
  expect_error_at<core::IoError>(
      missing, [](const std::string& p) { read_deepsdf_samples(p); }, "cannot open");
  expect_error_at<core::IoError>(
      dir_.path().string(), [](const std::string& p) { read_npz(p); }, "is a folder");
}

TEST_F(BrokenNpyFiles, DeepSdfSamplesMissingNeg) {
  expect_samples_error({{"pos", make_npy_array(std::vector<float>(8, 0.f), {2, 4})}},
                       "neg.npy: missing (the archive holds pos.npy)");
}

TEST_F(BrokenNpyFiles, DeepSdfSamplesWithThreeColumns) {
  expect_samples_error({{"pos", make_npy_array(std::vector<float>(8, 0.f), {2, 4})},
                        {"neg", make_npy_array(std::vector<float>(6, 0.f), {2, 3})}},
                       "neg.npy: expected shape (N, 4) of rows x, y, z, sdf, found (2, 3)");
  expect_samples_error({{"pos", make_npy_array(std::vector<float>(8, 0.f), {8})},
                        {"neg", make_npy_array(std::vector<float>(8, 0.f), {2, 4})}},
                       "pos.npy: expected shape (N, 4) of rows x, y, z, sdf, found (8)");
}

TEST_F(BrokenNpyFiles, DeepSdfSamplesWithNaN) {
  std::vector<float> neg(8, 0.f);
  neg[7] = std::nanf("");
  expect_samples_error(
      {{"pos", make_npy_array(std::vector<float>(8, 0.f), {2, 4})},
       {"neg", make_npy_array(neg, {2, 4})}},
      "neg.npy: non-finite value nan in row 1 column 3 (DeepSDF drops rows with NaN "
      "sdf; read with NanSdfRows::Drop to do the same)");
  // A finite float64 beyond float32 range would become inf in training.
  expect_samples_error({{"pos", make_npy_array(std::vector<double>{0, 0, 1e300, 0}, {1, 4})},
                        {"neg", make_npy_array(std::vector<float>(4, 0.f), {1, 4})}},
                       "pos.npy: non-finite value 1e+300 in row 0 column 2");
}

TEST_F(BrokenNpyFiles, DeepSdfNormalizationProblems) {
  const std::string path = (dir_.path() / "norm.npz").string();
  const auto read = [](const std::string& p) { read_deepsdf_normalization(p); };
  write_npz(path, {{"offset", make_npy_array(std::vector<float>{1, 2}, {2})},
                   {"scale", make_npy_array(std::vector<float>{1}, {1})}});
  expect_error_at(path, read, "offset.npy: expected shape (3,) or (1, 3), found (2)");
  write_npz(path, {{"offset", make_npy_array(std::vector<float>{1, 2, 3}, {3})},
                   {"scale", make_npy_array(std::vector<float>{0}, {1})}});
  expect_error_at(path, read, "scale.npy: scale must be positive, found 0");
  write_npz(path, {{"offset", make_npy_array(std::vector<float>{1, 2, 3}, {3})}});
  expect_error_at(path, read, "scale.npy: missing");
  write_npz(path, {{"offset", make_npy_array(std::vector<double>{1, NAN, 3}, {3})},
                   {"scale", make_npy_array(std::vector<float>{1}, {})}});
  expect_error_at(path, read, "offset.npy: non-finite value nan at index 1");
}

TEST_F(BrokenNpyFiles, RandomCorruptionsFailCleanly) {
  // Flipped, truncated and overwritten bytes anywhere in valid files: parsing either succeeds
  // or throws DataError; anything else (a crash, another exception type) is a bug.
  std::mt19937 rng(1234);
  const std::vector<std::pair<std::string, bool>> inputs{
      {valid_npy(), false},
      {valid_npz(false), true},
      {valid_npz(true), true},
      {encode_npz({{"a", make_npy_array(std::vector<float>{1, 2}, {2})}}, "z.npz", true, true),
       true}};
  int failures = 0;
  for (const auto& [original, is_zip] : inputs) {
    for (int trial = 0; trial < 1500; ++trial) {
      std::string bytes = original;
      const int edits = 1 + static_cast<int>(rng() % 4);
      for (int e = 0; e < edits; ++e) {
        const size_t at = rng() % bytes.size();
        switch (rng() % 4) {
          case 0:
            bytes[at] = static_cast<char>(bytes[at] ^ (1 << (rng() % 8)));
            break;
          case 1:
            bytes[at] = static_cast<char>(rng());
            break;
          case 2:
            bytes[at] = static_cast<char>(0xff);
            break;
          default:
            bytes.resize(at);
            break;
        }
        if (bytes.empty()) break;
      }
      try {
        if (is_zip) {
          parse_npz(bytes, "fuzz.npz");
        } else {
          parse_npy(bytes, "fuzz.npy");
        }
      } catch (const core::DataError& e) {
        if (std::string(e.what()).rfind("fuzz.np", 0) != 0) ++failures;
      }
    }
  }
  EXPECT_EQ(failures, 0);
}

}  // namespace
}  // namespace nsdf::geometry
