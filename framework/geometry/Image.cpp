// PNG encoding and decoding of 8-bit RGB and 16-bit greyscale images (PNG specification, 2nd edition, W3C 2003).
#include "geometry/Image.h"

#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "core/Error.h"
#include "core/Files.h"

namespace nsdf::geometry {

namespace {

constexpr char kSignature[] = "\x89PNG\r\n\x1a\n";
constexpr size_t kSignatureSize = 8;
// Deflate cannot expand 1 byte into more than 1032 (258-byte matches coded in 2 bits); zlib's
// header and checksum add a few bytes. An IHDR asking for more than this cannot be honest.
constexpr uint64_t kMaxDeflateRatio = 1032;
constexpr uint64_t kZlibOverhead = 64;

void put_u32(std::string& out, uint32_t v) {
  const char bytes[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16),
                         static_cast<char>(v >> 8), static_cast<char>(v)};
  out.append(bytes, 4);
}

uint32_t get_u32(std::string_view data, size_t pos) {
  const auto* p = reinterpret_cast<const unsigned char*>(data.data() + pos);
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

// The CRC of a chunk covers its type and data, not its length.
uint32_t chunk_crc(std::string_view type_and_data) {
  return static_cast<uint32_t>(
      crc32_z(0, reinterpret_cast<const Bytef*>(type_and_data.data()), type_and_data.size()));
}

void put_chunk(std::string& out, const char* type, std::string_view data) {
  put_u32(out, static_cast<uint32_t>(data.size()));
  const size_t start = out.size();
  out.append(type, 4);
  out.append(data);
  put_u32(out, chunk_crc(std::string_view(out).substr(start)));
}

// The predictor of the Paeth filter: whichever of left, up, up-left is closest to
// left + up - up_left (ties in that order).
uint8_t paeth(int a, int b, int c) {
  const int p = a + b - c;
  const int pa = std::abs(p - a);
  const int pb = std::abs(p - b);
  const int pc = std::abs(p - c);
  if (pa <= pb && pa <= pc) return static_cast<uint8_t>(a);
  if (pb <= pc) return static_cast<uint8_t>(b);
  return static_cast<uint8_t>(c);
}

// The predictor of byte i of a row for `filter`; `prev` is the row above (zeros for the first),
// bpp bytes per pixel.
uint8_t predict(int filter, const uint8_t* row, const uint8_t* prev, size_t i, size_t bpp) {
  const int left = i >= bpp ? row[i - bpp] : 0;
  const int up = prev[i];
  const int up_left = i >= bpp ? prev[i - bpp] : 0;
  switch (filter) {
    case 1:
      return static_cast<uint8_t>(left);
    case 2:
      return static_cast<uint8_t>(up);
    case 3:
      return static_cast<uint8_t>((left + up) / 2);
    case 4:
      return paeth(left, up, up_left);
    default:
      return 0;
  }
}

void filter_row(int filter, const uint8_t* row, const uint8_t* prev, size_t n, size_t bpp,
                uint8_t* out) {
  for (size_t i = 0; i < n; ++i) {
    out[i] = static_cast<uint8_t>(row[i] - predict(filter, row, prev, i, bpp));
  }
}

// libpng's default heuristic: the filter whose output, read as signed bytes, has the smallest
// sum of magnitudes compresses best on photographs and renders alike.
uint64_t filtered_cost(const uint8_t* filtered, size_t n) {
  uint64_t cost = 0;
  for (size_t i = 0; i < n; ++i) cost += static_cast<uint64_t>(std::abs(int8_t(filtered[i])));
  return cost;
}

}  // namespace

Image::Image(int w, int h, Rgb8 fill) : width(w), height(h) {
  NSDF_CHECK(w >= 0 && h >= 0, core::DataError, "image size {} x {} must not be negative", w, h);
  rgb.resize(static_cast<size_t>(w) * static_cast<size_t>(h) * 3);
  for (size_t i = 0; i < rgb.size(); i += 3) std::memcpy(&rgb[i], fill.data(), 3);
}

Rgb8 Image::pixel(int x, int y) const {
  NSDF_ASSERT(x >= 0 && x < width && y >= 0 && y < height, "pixel ({}, {}) outside {} x {}", x, y,
              width, height);
  const size_t i = (static_cast<size_t>(y) * static_cast<size_t>(width) + x) * 3;
  return {rgb[i], rgb[i + 1], rgb[i + 2]};
}

Image tile_images(const std::vector<Image>& images, int columns, int gap, Rgb8 fill) {
  NSDF_CHECK(!images.empty(), core::DataError, "tile_images: no images");
  NSDF_CHECK(columns >= 1 && gap >= 0, core::DataError,
             "tile_images: columns ({}) must be >= 1 and gap ({}) >= 0", columns, gap);
  int cell_w = 0, cell_h = 0;
  for (const Image& im : images) {
    cell_w = std::max(cell_w, im.width);
    cell_h = std::max(cell_h, im.height);
  }
  const int n = static_cast<int>(images.size());
  const int cols = std::min(columns, n), rows = (n + cols - 1) / cols;
  Image out(cols * cell_w + (cols - 1) * gap, rows * cell_h + (rows - 1) * gap, fill);
  for (int k = 0; k < n; ++k) {
    const Image& im = images[static_cast<size_t>(k)];
    const int x0 = (k % cols) * (cell_w + gap), y0 = (k / cols) * (cell_h + gap);
    for (int y = 0; y < im.height; ++y)
      std::copy_n(im.rgb.begin() + static_cast<std::ptrdiff_t>(y) * im.width * 3, im.width * 3,
                  out.rgb.begin() + (static_cast<std::ptrdiff_t>(y0 + y) * out.width + x0) * 3);
  }
  return out;
}

void Image::set_pixel(int x, int y, Rgb8 color) {
  NSDF_ASSERT(x >= 0 && x < width && y >= 0 && y < height, "pixel ({}, {}) outside {} x {}", x, y,
              width, height);
  const size_t i = (static_cast<size_t>(y) * static_cast<size_t>(width) + x) * 3;
  std::memcpy(&rgb[i], color.data(), 3);
}

namespace {

// A PNG of `height` rows of `stride` bytes (pixels of `bpp` bytes; IHDR bit depth and colour
// type as given), deflated, non-interlaced.
std::string encode_pixels(int width, int height, const uint8_t* pixels, size_t bpp, int bit_depth,
                          int color_type, PngFilter filter) {
  const size_t stride = static_cast<size_t>(width) * bpp;
  // Each row: its filter type byte, then the filtered bytes.
  std::string raw(static_cast<size_t>(height) * (stride + 1), '\0');
  const std::vector<uint8_t> zeros(stride, 0);
  std::vector<uint8_t> trial(stride);
  for (int y = 0; y < height; ++y) {
    const uint8_t* row = pixels + static_cast<size_t>(y) * stride;
    const uint8_t* prev = y > 0 ? row - stride : zeros.data();
    auto* out = reinterpret_cast<uint8_t*>(&raw[static_cast<size_t>(y) * (stride + 1)]);
    int chosen = static_cast<int>(filter);
    if (filter == PngFilter::Adaptive) {
      uint64_t best = std::numeric_limits<uint64_t>::max();
      for (int f = 0; f <= 4; ++f) {
        filter_row(f, row, prev, stride, bpp, trial.data());
        const uint64_t cost = filtered_cost(trial.data(), stride);
        if (cost < best) best = cost, chosen = f;
      }
    }
    out[0] = static_cast<uint8_t>(chosen);
    filter_row(chosen, row, prev, stride, bpp, out + 1);
  }

  uLongf packed_size = compressBound(static_cast<uLong>(raw.size()));
  std::string packed(packed_size, '\0');
  const int rc = compress2(reinterpret_cast<Bytef*>(packed.data()), &packed_size,
                           reinterpret_cast<const Bytef*>(raw.data()),
                           static_cast<uLong>(raw.size()), Z_DEFAULT_COMPRESSION);
  NSDF_ASSERT(rc == Z_OK, "zlib compress2 failed ({})", rc);
  packed.resize(packed_size);

  std::string ihdr;
  put_u32(ihdr, static_cast<uint32_t>(width));
  put_u32(ihdr, static_cast<uint32_t>(height));
  // Bit depth, colour type, deflate, adaptive filtering, no interlace.
  ihdr += static_cast<char>(bit_depth);
  ihdr += static_cast<char>(color_type);
  ihdr += std::string("\x00\x00\x00", 3);

  std::string png(kSignature, kSignatureSize);
  put_chunk(png, "IHDR", ihdr);
  put_chunk(png, "IDAT", packed);
  put_chunk(png, "IEND", "");
  return png;
}

struct DecodedPixels {
  uint32_t width = 0;
  uint32_t height = 0;
  std::vector<uint8_t> bytes;  // height rows of width * bpp bytes, unfiltered
};

// Decodes a PNG that must have the given bit depth and colour type (`kind` names them in the
// error for any other).
DecodedPixels decode_pixels(std::string_view data, const std::string& path, int want_depth,
                            int want_color_type, size_t bpp, const char* kind) {
  NSDF_CHECK(data.size() >= kSignatureSize &&
                 data.substr(0, kSignatureSize) == std::string_view(kSignature, kSignatureSize),
             core::DataError, "{}: not a PNG file (bad signature)", path);
  size_t pos = kSignatureSize;
  bool have_header = false;
  bool ended = false;
  uint32_t width = 0;
  uint32_t height = 0;
  std::string packed;
  while (!ended) {
    NSDF_CHECK(pos + 12 <= data.size(), core::DataError,
               "{}: truncated PNG (chunk at byte {} is cut off; no IEND)", path, pos);
    const uint32_t length = get_u32(data, pos);
    const std::string_view type = data.substr(pos + 4, 4);
    NSDF_CHECK(length <= data.size() - pos - 12, core::DataError,
               "{}: truncated PNG ({} chunk at byte {} declares {} bytes, {} remain)", path, type,
               pos, length, data.size() - pos - 12);
    const std::string_view body = data.substr(pos + 8, length);
    NSDF_CHECK(get_u32(data, pos + 8 + length) == chunk_crc(data.substr(pos + 4, 4 + length)),
               core::DataError, "{}: corrupt PNG ({} chunk at byte {} fails its CRC)", path, type,
               pos);
    NSDF_CHECK(have_header || type == "IHDR", core::DataError,
               "{}: corrupt PNG (first chunk is {}, not IHDR)", path, type);
    if (type == "IHDR") {
      NSDF_CHECK(!have_header && length == 13, core::DataError, "{}: corrupt PNG (bad IHDR)", path);
      width = get_u32(body, 0);
      height = get_u32(body, 4);
      const auto depth = static_cast<int>(static_cast<uint8_t>(body[8]));
      const auto color_type = static_cast<int>(static_cast<uint8_t>(body[9]));
      const auto interlace = static_cast<int>(static_cast<uint8_t>(body[12]));
      const uint32_t kMaxSide = std::numeric_limits<int32_t>::max();
      NSDF_CHECK(width >= 1 && height >= 1 && width <= kMaxSide && height <= kMaxSide,
                 core::DataError, "{}: corrupt PNG (size {} x {})", path, width, height);
      NSDF_CHECK(depth == want_depth && color_type == want_color_type, core::DataError,
                 "{}: unsupported PNG: bit depth {}, colour type {} ({}); only {} (bit depth "
                 "{}, colour type {}) is read here",
                 path, depth, color_type,
                 color_type == 0   ? "grey"
                 : color_type == 2 ? "RGB"
                 : color_type == 3 ? "palette"
                 : color_type == 4 ? "grey + alpha"
                 : color_type == 6 ? "RGBA"
                                   : "invalid",
                 kind, want_depth, want_color_type);
      NSDF_CHECK(body[10] == 0 && body[11] == 0, core::DataError,
                 "{}: corrupt PNG (unknown compression or filter method)", path);
      NSDF_CHECK(interlace == 0, core::DataError,
                 "{}: unsupported PNG: interlaced (Adam7); only non-interlaced is read", path);
      have_header = true;
    } else if (type == "IDAT") {
      packed.append(body);
    } else if (type == "IEND") {
      ended = true;
    } else {
      // Ancillary chunks (lowercase first letter: gAMA, tEXt, ...) may be skipped by the spec;
      // critical ones (PLTE for RGB is only a suggestion, but others change the meaning) not.
      NSDF_CHECK((type[0] & 0x20) != 0 || type == "PLTE", core::DataError,
                 "{}: unsupported PNG: unknown critical chunk {}", path, type);
    }
    pos += 12 + length;
  }

  const uint64_t stride = uint64_t{width} * bpp;
  const uint64_t raw_size = (stride + 1) * height;
  NSDF_CHECK(raw_size <= kMaxDeflateRatio * packed.size() + kZlibOverhead, core::DataError,
             "{}: corrupt PNG ({} x {} pixels cannot come from {} bytes of image data)", path,
             width, height, packed.size());
  std::string raw(raw_size, '\0');
  uLongf raw_len = static_cast<uLongf>(raw_size);
  const int rc =
      uncompress(reinterpret_cast<Bytef*>(raw.data()), &raw_len,
                 reinterpret_cast<const Bytef*>(packed.data()), static_cast<uLong>(packed.size()));
  NSDF_CHECK(rc == Z_OK && raw_len == raw_size, core::DataError,
             "{}: corrupt PNG (image data {}; {} x {} {} needs {} bytes)", path,
             rc == Z_OK          ? fmt::format("inflates to {} bytes", raw_len)
             : rc == Z_BUF_ERROR ? std::string("is too long or cut off")
                                 : std::string("is not valid zlib data"),
             width, height, kind, raw_size);

  DecodedPixels out;
  out.width = width;
  out.height = height;
  out.bytes.resize(stride * height);
  const std::vector<uint8_t> zeros(stride, 0);
  for (uint32_t y = 0; y < height; ++y) {
    const auto* in = reinterpret_cast<const uint8_t*>(raw.data() + y * (stride + 1));
    const int filter = in[0];
    NSDF_CHECK(filter <= 4, core::DataError, "{}: corrupt PNG (row {} has filter type {})", path, y,
               filter);
    uint8_t* row = out.bytes.data() + y * stride;
    const uint8_t* prev = y > 0 ? row - stride : zeros.data();
    // Unfiltering reads bytes of this row already reconstructed, so it runs left to right.
    for (size_t i = 0; i < stride; ++i) {
      row[i] = static_cast<uint8_t>(in[1 + i] + predict(filter, row, prev, i, bpp));
    }
  }
  return out;
}

}  // namespace

Image decode_png(std::string_view data, const std::string& path) {
  DecodedPixels d = decode_pixels(data, path, 8, 2, 3, "8-bit RGB");
  Image image;
  image.width = static_cast<int>(d.width);
  image.height = static_cast<int>(d.height);
  image.rgb = std::move(d.bytes);
  return image;
}

Image16 decode_png16(std::string_view data, const std::string& path) {
  const DecodedPixels d = decode_pixels(data, path, 16, 0, 2, "16-bit greyscale");
  Image16 image;
  image.width = static_cast<int>(d.width);
  image.height = static_cast<int>(d.height);
  image.values.resize(d.bytes.size() / 2);
  for (size_t i = 0; i < image.values.size(); ++i)
    image.values[i] = static_cast<uint16_t>((d.bytes[2 * i] << 8) | d.bytes[2 * i + 1]);
  return image;
}

std::string encode_png(const Image& image, PngFilter filter) {
  NSDF_CHECK(image.width > 0 && image.height > 0, core::DataError,
             "PNG: cannot encode a {} x {} image (both sizes must be at least 1)", image.width,
             image.height);
  const size_t stride = static_cast<size_t>(image.width) * 3;
  NSDF_CHECK(image.rgb.size() == stride * static_cast<size_t>(image.height), core::DataError,
             "PNG: a {} x {} RGB image needs {} bytes, it holds {}", image.width, image.height,
             stride * static_cast<size_t>(image.height), image.rgb.size());
  return encode_pixels(image.width, image.height, image.rgb.data(), 3, 8, 2, filter);
}

std::string encode_png16(const Image16& image) {
  NSDF_CHECK(image.width > 0 && image.height > 0, core::DataError,
             "PNG: cannot encode a {} x {} image (both sizes must be at least 1)", image.width,
             image.height);
  const size_t n = static_cast<size_t>(image.width) * static_cast<size_t>(image.height);
  NSDF_CHECK(image.values.size() == n, core::DataError,
             "PNG: a {} x {} 16-bit image needs {} values, it holds {}", image.width,
             image.height, n, image.values.size());
  std::vector<uint8_t> bytes(2 * n);
  for (size_t i = 0; i < n; ++i) {  // PNG samples are big-endian
    bytes[2 * i] = static_cast<uint8_t>(image.values[i] >> 8);
    bytes[2 * i + 1] = static_cast<uint8_t>(image.values[i] & 0xff);
  }
  return encode_pixels(image.width, image.height, bytes.data(), 2, 16, 0, PngFilter::Adaptive);
}

void write_png(const Image& image, const std::string& path) {
  core::write_file_atomic(path, encode_png(image));
}

Image read_png(const std::string& path) { return decode_png(core::read_file(path), path); }

void write_png16(const Image16& image, const std::string& path) {
  core::write_file_atomic(path, encode_png16(image));
}

Image16 read_png16(const std::string& path) {
  return decode_png16(core::read_file(path), path);
}

}  // namespace nsdf::geometry
