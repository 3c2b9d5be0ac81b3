#pragma once
// 8-bit RGB images and PNG files, for pictures of meshes and point clouds (Render.h) without a
// graphics library; and 16-bit greyscale PNG, the usual file format of depth images (Kinect,
// RealSense, TUM, ScanNet: depth in millimetres or a stated unit, 0 = no measurement). The encoder writes plain 8-bit RGB, non-interlaced PNG (zlib deflate, one
// filter per row chosen by the usual minimum-sum-of-absolute-differences heuristic), which every
// viewer and browser reads. The decoder reads exactly that kind of PNG — 8-bit RGB,
// non-interlaced, any of the five row filters — so tests and tools can check what was written;
// other PNGs (palette, grey, alpha, 16-bit, interlaced) give a DataError saying what they are.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nsdf::geometry {

/// One pixel: red, green, blue.
using Rgb8 = std::array<uint8_t, 3>;

/// An RGB image, rows top to bottom, pixels left to right, 3 bytes per pixel (no padding).
struct Image {
  int width = 0;
  int height = 0;
  /// width * height * 3 bytes.
  std::vector<uint8_t> rgb;

  Image() = default;
  /// A width x height image filled with `fill`. Throws DataError unless both sizes are >= 0.
  Image(int width, int height, Rgb8 fill = {0, 0, 0});

  Rgb8 pixel(int x, int y) const;
  void set_pixel(int x, int y, Rgb8 color);
};

/// `images` in a grid, left to right then top to bottom, `columns` per row, each in a cell as
/// large as the largest image (smaller ones top-left aligned), `gap` pixels of `fill` between
/// cells. Throws DataError when `images` is empty or columns < 1.
Image tile_images(const std::vector<Image>& images, int columns, int gap = 0,
                  Rgb8 fill = {255, 255, 255});

/// A 16-bit greyscale image (a depth map), rows top to bottom: values[y * width + x].
struct Image16 {
  int width = 0;
  int height = 0;
  std::vector<uint16_t> values;
};

/// The filter applied to every row before compression (PNG spec section 9); Adaptive picks one
/// per row. Only tests need anything but the default.
enum class PngFilter { None = 0, Sub = 1, Up = 2, Average = 3, Paeth = 4, Adaptive = 5 };

/// The bytes of a PNG file holding `image` (8-bit RGB, non-interlaced).
/// Throws DataError for an empty image (PNG has no 0 x N images) or an rgb of the wrong size.
std::string encode_png(const Image& image, PngFilter filter = PngFilter::Adaptive);

/// Parses a PNG held in memory; `path` only names the file in messages. Checks the signature,
/// every chunk's CRC, and that the pixel data has exactly the size IHDR declares (a lying header
/// gives a DataError, never a huge allocation). Throws DataError for anything else than 8-bit
/// RGB non-interlaced PNG.
Image decode_png(std::string_view data, const std::string& path);

/// The bytes of a 16-bit greyscale PNG holding `image` (adaptive filters). DataError for an
/// empty image or a values array of the wrong size.
std::string encode_png16(const Image16& image);
/// Parses a 16-bit greyscale, non-interlaced PNG (the checks of decode_png); anything else is a
/// DataError saying what it is.
Image16 decode_png16(std::string_view data, const std::string& path);
void write_png16(const Image16& image, const std::string& path);
Image16 read_png16(const std::string& path);

/// Writes `image` to `path` as PNG, atomically (write_file_atomic). Throws IoError on failure.
void write_png(const Image& image, const std::string& path);

/// Reads a PNG written by write_png (see decode_png). Throws IoError when the file cannot be
/// read, DataError when its contents are wrong; messages start with `path`.
Image read_png(const std::string& path);

}  // namespace nsdf::geometry
