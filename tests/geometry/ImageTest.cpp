#include <gtest/gtest.h>
#include <zlib.h>

#include <random>
#include <string>

#include "core/Error.h"
#include "core/Files.h"
#include "geometry/Image.h"
#include "support/TestFiles.h"

namespace nsdf::geometry {
namespace {

Image random_image(int width, int height, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int> byte(0, 255);
  Image image(width, height);
  for (uint8_t& b : image.rgb) b = static_cast<uint8_t>(byte(rng));
  return image;
}

// An image that compresses: smooth gradients with a few sharp edges, like a render.
Image smooth_image(int width, int height) {
  Image image(width, height);
  for (int y = 0; y < height; ++y) {
    for (int x = 0; x < width; ++x) {
      image.set_pixel(x, y,
                      {static_cast<uint8_t>(x * 255 / width), static_cast<uint8_t>(y % 64 * 4),
                       static_cast<uint8_t>(x > width / 2 ? 200 : 30)});
    }
  }
  return image;
}

uint32_t be32(const std::string& s, size_t pos) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data() + pos);
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

TEST(Png, RandomImageRoundTripsThroughAFile) {
  test::TempDir dir;
  const Image image = random_image(37, 23, 7);
  const std::string path = (dir.path() / "random.png").string();
  write_png(image, path);
  const Image back = read_png(path);
  EXPECT_EQ(back.width, 37);
  EXPECT_EQ(back.height, 23);
  EXPECT_EQ(back.rgb, image.rgb);
}

TEST(Png, FileStartsWithSignatureAndIhdr) {
  const std::string png = encode_png(random_image(300, 2, 1));
  ASSERT_GT(png.size(), 33u);
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(be32(png, 8), 13u);  // IHDR length
  EXPECT_EQ(png.substr(12, 4), "IHDR");
  EXPECT_EQ(be32(png, 16), 300u);
  EXPECT_EQ(be32(png, 20), 2u);
  EXPECT_EQ(png[24], 8);  // bit depth
  EXPECT_EQ(png[25], 2);  // colour type RGB
  EXPECT_EQ(png[26], 0);  // compression
  EXPECT_EQ(png[27], 0);  // filter method
  EXPECT_EQ(png[28], 0);  // no interlace
  const auto crc =
      static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(png.data() + 12), 17));
  EXPECT_EQ(be32(png, 29), crc);
  EXPECT_EQ(png.substr(png.size() - 12),
            std::string("\0\0\0\0IEND\xae\x42\x60\x82", 12));  // the fixed IEND chunk
}

TEST(Png, EveryRowFilterDecodes) {
  for (const Image& image : {random_image(19, 11, 3), smooth_image(64, 40)}) {
    for (const PngFilter filter : {PngFilter::None, PngFilter::Sub, PngFilter::Up,
                                   PngFilter::Average, PngFilter::Paeth, PngFilter::Adaptive}) {
      const Image back = decode_png(encode_png(image, filter), "mem.png");
      EXPECT_EQ(back.rgb, image.rgb) << static_cast<int>(filter);
    }
  }
}

TEST(Png, AdaptiveFilteringCompressesSmoothImages) {
  const Image image = smooth_image(256, 256);
  EXPECT_LT(encode_png(image).size(), encode_png(image, PngFilter::None).size());
  EXPECT_LT(encode_png(image).size(), image.rgb.size() / 10);
}

TEST(Png, OutputIsDeterministic) {
  const Image image = smooth_image(50, 50);
  EXPECT_EQ(encode_png(image), encode_png(image));
}

void expect_data_error(const std::string& bytes, const std::string& fragment) {
  try {
    decode_png(bytes, "pic.png");
    ADD_FAILURE() << "no error for " << fragment;
  } catch (const core::DataError& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.rfind("pic.png: ", 0), 0u) << what;
    EXPECT_NE(what.find(fragment), std::string::npos) << what;
  }
}

TEST(Png, BrokenFilesGiveDataErrors) {
  const std::string good = encode_png(smooth_image(20, 10));
  expect_data_error("GIF89a", "bad signature");
  expect_data_error(good.substr(0, good.size() - 12), "no IEND");
  expect_data_error(good.substr(0, 40), "truncated");
  std::string flipped = good;
  flipped[45] ^= 1;  // inside IDAT
  expect_data_error(flipped, "fails its CRC");

  // A header that claims a huge image is rejected before anything is allocated.
  std::string huge = good;
  huge[16] = 0x40;  // width 0x40000014
  const auto crc =
      static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(huge.data() + 12), 17));
  for (int i = 0; i < 4; ++i) huge[29 + i] = static_cast<char>(crc >> (24 - 8 * i));
  expect_data_error(huge, "cannot come from");

  std::string rgba = good;
  rgba[25] = 6;
  const auto crc2 =
      static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(rgba.data() + 12), 17));
  for (int i = 0; i < 4; ++i) rgba[29 + i] = static_cast<char>(crc2 >> (24 - 8 * i));
  expect_data_error(rgba, "colour type 6 (RGBA)");
}

TEST(Png, MissingFileIsAnIoErrorNamingIt) {
  test::TempDir dir;
  const std::string path = (dir.path() / "none.png").string();
  try {
    read_png(path);
    ADD_FAILURE() << "no error";
  } catch (const core::IoError& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

TEST(Png, EmptyImageCannotBeEncoded) {
  EXPECT_THROW(encode_png(Image(0, 5)), core::DataError);
  Image wrong(4, 4);
  wrong.rgb.pop_back();
  EXPECT_THROW(encode_png(wrong), core::DataError);
}

}  // namespace
}  // namespace nsdf::geometry
