#include "geometry/Npy.h"

#include <fmt/ranges.h>
#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <type_traits>
#include <utility>

#include "core/Error.h"
#include "core/Files.h"

namespace nsdf::geometry {

namespace {

constexpr bool kHostIsBigEndian = __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__;

// ---------------------------------------------------------------------------------------------
// Little-endian fields (npy preambles and zip records are little-endian whatever the host).

uint64_t load_le(std::string_view bytes, size_t at, int width) {
  uint64_t v = 0;
  for (int i = width - 1; i >= 0; --i) {
    v = (v << 8) | static_cast<unsigned char>(bytes[at + static_cast<size_t>(i)]);
  }
  return v;
}
uint16_t le16(std::string_view b, size_t at) { return static_cast<uint16_t>(load_le(b, at, 2)); }
uint32_t le32(std::string_view b, size_t at) { return static_cast<uint32_t>(load_le(b, at, 4)); }
uint64_t le64(std::string_view b, size_t at) { return load_le(b, at, 8); }

void put_le(std::string& out, uint64_t v, int width) {
  for (int i = 0; i < width; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put16(std::string& out, uint64_t v) { put_le(out, v, 2); }
void put32(std::string& out, uint64_t v) { put_le(out, v, 4); }
void put64(std::string& out, uint64_t v) { put_le(out, v, 8); }

// a * b, or false when it does not fit in int64 (shapes in hostile headers can be anything).
bool checked_mul(int64_t a, int64_t b, int64_t* out) {
  if (a != 0 && b > std::numeric_limits<int64_t>::max() / a) return false;
  *out = a * b;
  return true;
}

std::string shape_repr(const std::vector<int64_t>& shape) {
  // Python's repr of a tuple: "()", "(3,)", "(2, 3)".
  if (shape.size() == 1) return fmt::format("({},)", shape[0]);
  return fmt::format("({})", fmt::join(shape, ", "));
}

// A short printable excerpt of untrusted text for error messages.
std::string excerpt(std::string_view text, size_t max_chars = 80) {
  std::string out;
  for (size_t i = 0; i < text.size() && i < max_chars; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\\' || c == '"') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  if (text.size() > max_chars) out += "...";
  return out;
}

// ---------------------------------------------------------------------------------------------
// dtypes

constexpr const char* kSupportedDtypes =
    "supported: float f2/f4/f8, int i1/i2/i4/i8, uint u1/u2/u4/u8, bool b1, with byte order "
    "'<', '>', '=' or (1-byte types) '|'";

struct Dtype {
  char kind = 'f';  // 'f' float, 'i' signed, 'u' unsigned, 'b' bool
  int itemsize = 8;
  bool big_endian = false;

  // The canonical type string numpy writes: explicit byte order, '|' for one-byte types.
  std::string str() const {
    const char order = itemsize == 1 ? '|' : (big_endian ? '>' : '<');
    return fmt::format("{}{}{}", order, kind, itemsize);
  }
};

const char* kind_description(char kind) {
  switch (kind) {
    case 'O':
      return "object arrays hold pickled Python objects, which cannot be read without Python";
    case 'c':
      return "complex numbers are not supported";
    case 'U':
    case 'S':
    case 'a':
      return "strings are not supported";
    case 'V':
      return "raw or structured records are not supported";
    case 'M':
    case 'm':
      return "datetimes are not supported";
    default:
      return "unknown type";
  }
}

Dtype parse_dtype(const std::string& descr, const std::string& name) {
  std::string_view rest = descr;
  char order = '=';
  if (!rest.empty() && std::string_view("<>|=").find(rest[0]) != std::string_view::npos) {
    order = rest[0];
    rest.remove_prefix(1);
  }
  Dtype dtype;
  bool known = rest.size() == 2 &&
               std::string_view("fiub").find(rest[0]) != std::string_view::npos &&
               std::string_view("1248").find(rest[1]) != std::string_view::npos;
  if (known) {
    dtype.kind = rest[0];
    dtype.itemsize = rest[1] - '0';
    known = (dtype.kind == 'f' && dtype.itemsize != 1) ||
            (dtype.kind == 'b' && dtype.itemsize == 1) || dtype.kind == 'i' || dtype.kind == 'u';
  }
  if (!known) {
    const char kind = rest.empty() ? '?' : rest[0];
    throw core::DataError(fmt::format("{}: unsupported dtype '{}' ({}; {})", name, excerpt(descr),
                                kind_description(kind), kSupportedDtypes));
  }
  NSDF_CHECK(order != '|' || dtype.itemsize == 1, core::DataError,
             "{}: dtype '{}' has no byte order ('|') although its items have {} bytes", name, descr,
             dtype.itemsize);
  dtype.big_endian = order == '>' || (order == '=' && kHostIsBigEndian);
  return dtype;
}

// ---------------------------------------------------------------------------------------------
// The header: a Python literal dict such as
//   {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
// parsed as Python would (any key order, spaces, trailing commas), never evaluated.

struct PyLiteral {
  enum class Kind { String, Integer, Bool, None, Tuple, List, Dict };
  Kind kind = Kind::None;
  std::string text;               // String
  int64_t integer = 0;            // Integer
  bool boolean = false;           // Bool
  std::vector<PyLiteral> items;   // Tuple and List elements, Dict values
  std::vector<std::string> keys;  // Dict keys, parallel to items
};

const char* kind_name(PyLiteral::Kind kind) {
  switch (kind) {
    case PyLiteral::Kind::String:
      return "a string";
    case PyLiteral::Kind::Integer:
      return "an integer";
    case PyLiteral::Kind::Bool:
      return "a bool";
    case PyLiteral::Kind::None:
      return "None";
    case PyLiteral::Kind::Tuple:
      return "a tuple";
    case PyLiteral::Kind::List:
      return "a list";
    case PyLiteral::Kind::Dict:
      return "a dict";
  }
  return "?";
}

class LiteralParser {
 public:
  LiteralParser(std::string_view text, const std::string& name) : text_(text), name_(name) {}

  PyLiteral parse() {
    PyLiteral value = parse_value(0);
    skip_space();
    if (pos_ != text_.size()) fail("unexpected text after the dict");
    return value;
  }

 private:
  // Deeper nesting than any real header: bounds recursion on hostile input.
  static constexpr int kMaxDepth = 16;

  [[noreturn]] void fail(const std::string& what) const {
    throw core::DataError(fmt::format("{}: malformed header: {} at offset {} in \"{}\"", name_,
                                      what, pos_, excerpt(text_)));
  }

  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                   text_[pos_] == '\r' || text_[pos_] == '\n')) {
      ++pos_;
    }
  }

  bool consume(char c) {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }

  void expect(char c) {
    if (!consume(c)) fail(fmt::format("expected '{}'", c));
  }

  PyLiteral parse_value(int depth) {
    if (depth > kMaxDepth) fail("nesting too deep");
    skip_space();
    if (pos_ >= text_.size()) fail("unexpected end");
    const char c = text_[pos_];
    if (c == '{') return parse_dict(depth);
    if (c == '(') return parse_sequence(depth, ')', PyLiteral::Kind::Tuple);
    if (c == '[') return parse_sequence(depth, ']', PyLiteral::Kind::List);
    if (c == '\'' || c == '"') return parse_string();
    if (c == '-' || c == '+' || (c >= '0' && c <= '9')) return parse_integer();
    return parse_name();
  }

  PyLiteral parse_dict(int depth) {
    PyLiteral dict;
    dict.kind = PyLiteral::Kind::Dict;
    expect('{');
    while (!consume('}')) {
      PyLiteral key = parse_value(depth + 1);
      if (key.kind != PyLiteral::Kind::String) fail("dict keys must be strings");
      expect(':');
      dict.keys.push_back(key.text);
      dict.items.push_back(parse_value(depth + 1));
      if (!consume(',')) {
        expect('}');
        break;
      }
    }
    return dict;
  }

  PyLiteral parse_sequence(int depth, char close, PyLiteral::Kind kind) {
    PyLiteral seq;
    seq.kind = kind;
    ++pos_;  // the opening bracket
    bool trailing_comma = false;
    while (!consume(close)) {
      seq.items.push_back(parse_value(depth + 1));
      trailing_comma = consume(',');
      if (!trailing_comma) {
        expect(close);
        break;
      }
    }
    // "(3)" is just 3 in Python, not a tuple.
    if (kind == PyLiteral::Kind::Tuple && seq.items.size() == 1 && !trailing_comma) {
      return std::move(seq.items[0]);
    }
    return seq;
  }

  PyLiteral parse_string() {
    PyLiteral s;
    s.kind = PyLiteral::Kind::String;
    const char quote = text_[pos_++];
    while (true) {
      if (pos_ >= text_.size()) fail("unterminated string");
      const char c = text_[pos_++];
      if (c == quote) break;
      if (c == '\\') {
        if (pos_ >= text_.size()) fail("unterminated string");
        s.text += text_[pos_++];
        continue;
      }
      s.text += c;
    }
    return s;
  }

  PyLiteral parse_integer() {
    PyLiteral n;
    n.kind = PyLiteral::Kind::Integer;
    bool negative = false;
    if (text_[pos_] == '-' || text_[pos_] == '+') negative = text_[pos_++] == '-';
    const size_t start = pos_;
    uint64_t value = 0;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      const auto digit = static_cast<uint64_t>(text_[pos_] - '0');
      if (value > (static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) - digit) / 10) {
        fail("integer too large");
      }
      value = value * 10 + digit;
      ++pos_;
    }
    if (pos_ == start) fail("expected a digit");
    // Python 2 numpy wrote longs as "3L".
    if (pos_ < text_.size() && (text_[pos_] == 'L' || text_[pos_] == 'l')) ++pos_;
    n.integer = negative ? -static_cast<int64_t>(value) : static_cast<int64_t>(value);
    return n;
  }

  PyLiteral parse_name() {
    const size_t start = pos_;
    while (pos_ < text_.size() &&
           (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_')) {
      ++pos_;
    }
    const std::string_view word = text_.substr(start, pos_ - start);
    PyLiteral v;
    if (word == "True" || word == "False") {
      v.kind = PyLiteral::Kind::Bool;
      v.boolean = word == "True";
    } else if (word == "None") {
      v.kind = PyLiteral::Kind::None;
    } else {
      pos_ = start;
      fail(word.empty() ? "unexpected character" : fmt::format("unknown name '{}'", word));
    }
    return v;
  }

  std::string_view text_;
  const std::string& name_;
  size_t pos_ = 0;
};

struct NpyHeader {
  std::string descr;  // as written in the file
  Dtype dtype;
  bool fortran_order = false;
  std::vector<int64_t> shape;
};

// numpy itself allows 32 dimensions (64 since NumPy 2); more is a corrupt header.
constexpr size_t kMaxDims = 64;

NpyHeader parse_header(std::string_view text, const std::string& name) {
  const PyLiteral dict = LiteralParser(text, name).parse();
  NSDF_CHECK(dict.kind == PyLiteral::Kind::Dict, core::DataError,
             "{}: malformed header: expected a dict, found {} in \"{}\"", name,
             kind_name(dict.kind), excerpt(text));
  const PyLiteral* descr = nullptr;
  const PyLiteral* fortran = nullptr;
  const PyLiteral* shape = nullptr;
  for (size_t i = 0; i < dict.keys.size(); ++i) {
    const std::string& key = dict.keys[i];
    const PyLiteral** slot = key == "descr"           ? &descr
                             : key == "fortran_order" ? &fortran
                             : key == "shape"         ? &shape
                                                      : nullptr;
    NSDF_CHECK(slot != nullptr, core::DataError,
               "{}: malformed header: unexpected key '{}' (expected 'descr', 'fortran_order', "
               "'shape')",
               name, excerpt(key));
    NSDF_CHECK(*slot == nullptr, core::DataError, "{}: malformed header: key '{}' appears twice",
               name, key);
    *slot = &dict.items[i];
  }
  for (const auto& [field, key] : {std::pair{descr, "descr"}, std::pair{fortran, "fortran_order"},
                                   std::pair{shape, "shape"}}) {
    NSDF_CHECK(field != nullptr, core::DataError, "{}: malformed header: no '{}' key in \"{}\"",
               name, key, excerpt(text));
  }
  NSDF_CHECK(descr->kind != PyLiteral::Kind::List, core::DataError,
             "{}: unsupported dtype: structured arrays (a list of fields) are not supported ({})",
             name, kSupportedDtypes);
  NSDF_CHECK(descr->kind == PyLiteral::Kind::String, core::DataError,
             "{}: malformed header: 'descr' must be a string, found {}", name,
             kind_name(descr->kind));
  NSDF_CHECK(fortran->kind == PyLiteral::Kind::Bool, core::DataError,
             "{}: malformed header: 'fortran_order' must be True or False, found {}", name,
             kind_name(fortran->kind));
  NSDF_CHECK(shape->kind == PyLiteral::Kind::Tuple, core::DataError,
             "{}: malformed header: 'shape' must be a tuple, found {}", name,
             kind_name(shape->kind));
  NSDF_CHECK(shape->items.size() <= kMaxDims, core::DataError,
             "{}: malformed header: shape has {} dimensions (at most {} supported)", name,
             shape->items.size(), kMaxDims);
  NpyHeader header;
  header.descr = descr->text;
  header.dtype = parse_dtype(descr->text, name);
  header.fortran_order = fortran->boolean;
  for (const PyLiteral& extent : shape->items) {
    NSDF_CHECK(extent.kind == PyLiteral::Kind::Integer && extent.integer >= 0, core::DataError,
               "{}: malformed header: shape entries must be non-negative integers in \"{}\"", name,
               excerpt(text));
    header.shape.push_back(extent.integer);
  }
  return header;
}

// ---------------------------------------------------------------------------------------------
// Element conversion

double half_to_double(uint16_t h) {
  const int exponent = (h >> 10) & 0x1f;
  const int mantissa = h & 0x3ff;
  double v = 0;
  if (exponent == 0) {
    v = std::ldexp(mantissa, -24);
  } else if (exponent == 31) {
    v = mantissa != 0 ? std::numeric_limits<double>::quiet_NaN()
                      : std::numeric_limits<double>::infinity();
  } else {
    v = std::ldexp(mantissa + 1024, exponent - 25);
  }
  return (h & 0x8000) != 0 ? -v : v;
}

template <typename T>
T load_item(const char* src, bool swap) {
  char buf[sizeof(T)];
  std::memcpy(buf, src, sizeof(T));
  if (swap) std::reverse(buf, buf + sizeof(T));
  T v;
  std::memcpy(&v, buf, sizeof(T));
  return v;
}

template <typename T>
void decode_items(const char* src, size_t count, bool swap, double* out) {
  for (size_t i = 0; i < count; ++i)
    out[i] = static_cast<double>(load_item<T>(src + i * sizeof(T), swap));
}

void decode(const Dtype& dtype, const char* src, size_t count, double* out) {
  const bool swap = dtype.big_endian != kHostIsBigEndian;
  switch (dtype.kind) {
    case 'f':
      if (dtype.itemsize == 2) {
        for (size_t i = 0; i < count; ++i)
          out[i] = half_to_double(load_item<uint16_t>(src + 2 * i, swap));
      } else if (dtype.itemsize == 4) {
        decode_items<float>(src, count, swap, out);
      } else {
        decode_items<double>(src, count, swap, out);
      }
      return;
    case 'b':
      for (size_t i = 0; i < count; ++i) out[i] = src[i] != 0 ? 1.0 : 0.0;
      return;
    case 'i':
      switch (dtype.itemsize) {
        case 1:
          return decode_items<int8_t>(src, count, swap, out);
        case 2:
          return decode_items<int16_t>(src, count, swap, out);
        case 4:
          return decode_items<int32_t>(src, count, swap, out);
        default:
          return decode_items<int64_t>(src, count, swap, out);
      }
    default:
      switch (dtype.itemsize) {
        case 1:
          return decode_items<uint8_t>(src, count, swap, out);
        case 2:
          return decode_items<uint16_t>(src, count, swap, out);
        case 4:
          return decode_items<uint32_t>(src, count, swap, out);
        default:
          return decode_items<uint64_t>(src, count, swap, out);
      }
  }
}

// Fortran order stores the first axis fastest; walk the C-order output with an odometer and
// track the matching Fortran offset.
std::vector<double> fortran_to_c_order(const std::vector<double>& values,
                                       const std::vector<int64_t>& shape) {
  const size_t ndim = shape.size();
  if (ndim < 2 || values.empty()) return values;
  std::vector<int64_t> stride(ndim, 1);
  for (size_t k = 1; k < ndim; ++k) stride[k] = stride[k - 1] * shape[k - 1];
  std::vector<int64_t> index(ndim, 0);
  std::vector<double> out(values.size());
  int64_t offset = 0;
  for (double& v : out) {
    v = values[static_cast<size_t>(offset)];
    for (size_t k = ndim; k-- > 0;) {
      if (++index[k] < shape[k]) {
        offset += stride[k];
        break;
      }
      offset -= stride[k] * (shape[k] - 1);
      index[k] = 0;
    }
  }
  return out;
}

template <typename T>
void store_item(T v, bool swap, std::string& out) {
  char buf[sizeof(T)];
  std::memcpy(buf, &v, sizeof(T));
  if (swap) std::reverse(buf, buf + sizeof(T));
  out.append(buf, sizeof(T));
}

template <typename T>
void encode_integers(const std::vector<double>& values, const Dtype& dtype, bool swap,
                     const std::string& name, std::string& out) {
  const int bits = 8 * static_cast<int>(sizeof(T));
  const double lo = std::is_signed_v<T> ? -std::ldexp(1.0, bits - 1) : 0.0;
  const double hi = std::ldexp(1.0, std::is_signed_v<T> ? bits - 1 : bits);  // exclusive
  for (size_t i = 0; i < values.size(); ++i) {
    const double v = values[i];
    NSDF_CHECK(v >= lo && v < hi && v == std::trunc(v), core::DataError,
               "{}: value {} at index {} does not fit dtype '{}'", name, v, i, dtype.str());
    store_item(static_cast<T>(v), swap, out);
  }
}

// The npy preamble and header for `descr` and `shape`, byte for byte what numpy 1.24 writes
// (including the spare spaces it leaves so the first axis can grow in place).
std::string npy_preamble(const std::string& descr, const std::vector<int64_t>& shape) {
  constexpr size_t kAlign = 64;
  constexpr size_t kGrowthAxisMaxDigits = 21;
  std::string dict = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}", descr,
                                 shape_repr(shape));
  if (!shape.empty()) dict.append(kGrowthAxisMaxDigits - std::to_string(shape[0]).size(), ' ');
  const size_t header_len = dict.size() + 1;  // + '\n'
  const bool v1 = 10 + header_len + kAlign <= 0xffff;
  const size_t prefix = v1 ? 10 : 12;
  const size_t padding = kAlign - (prefix + header_len) % kAlign;
  std::string out("\x93NUMPY", 6);
  out.push_back(v1 ? 1 : 2);
  out.push_back(0);
  put_le(out, header_len + padding, v1 ? 2 : 4);
  out += dict;
  out.append(padding, ' ');
  out.push_back('\n');
  return out;
}

void check_shape(const std::vector<int64_t>& shape, size_t count, const std::string& name) {
  int64_t expected = 1;
  for (int64_t extent : shape) {
    NSDF_CHECK(extent >= 0 && checked_mul(expected, extent, &expected), core::DataError,
               "{}: invalid shape {}", name, shape_repr(shape));
  }
  NSDF_CHECK(static_cast<uint64_t>(expected) == count, core::DataError,
             "{}: shape {} needs {} values, but {} were given", name, shape_repr(shape), expected,
             count);
}

template <typename T>
std::string encode_native_floats(const std::vector<T>& data, const std::vector<int64_t>& shape,
                                 const std::string& name) {
  check_shape(shape, data.size(), name);
  std::string out = npy_preamble(sizeof(T) == 4 ? "<f4" : "<f8", shape);
  const size_t start = out.size();
  out.resize(start + data.size() * sizeof(T));
  if (!data.empty()) std::memcpy(&out[start], data.data(), data.size() * sizeof(T));
  if (kHostIsBigEndian) {
    for (size_t i = start; i < out.size(); i += sizeof(T)) {
      std::reverse(out.begin() + static_cast<std::ptrdiff_t>(i),
                   out.begin() + static_cast<std::ptrdiff_t>(i + sizeof(T)));
    }
  }
  return out;
}


// ---------------------------------------------------------------------------------------------
// Zip archives (APPNOTE.TXT): the end-of-central-directory record points at the central
// directory, whose entries are authoritative for sizes, CRCs and where each local header is.
// numpy writes local headers with zip64 extras and, for big arrays, zip64 end records.

constexpr uint32_t kLocalHeaderSig = 0x04034b50;
constexpr uint32_t kCentralHeaderSig = 0x02014b50;
constexpr uint32_t kEndSig = 0x06054b50;
constexpr uint32_t kZip64EndSig = 0x06064b50;
constexpr uint32_t kZip64LocatorSig = 0x07064b50;
constexpr size_t kLocalHeaderSize = 30;
constexpr size_t kCentralHeaderSize = 46;
constexpr size_t kEndSize = 22;
constexpr size_t kZip64EndSize = 56;
constexpr size_t kZip64LocatorSize = 20;
constexpr uint16_t kZip64ExtraId = 0x0001;
constexpr uint32_t kSentinel32 = 0xffffffff;
constexpr uint16_t kSentinel16 = 0xffff;
// Python's zipfile switches to zip64 above 2 GiB - 1 (some readers treat the fields as signed).
constexpr uint64_t kZip64Limit = (uint64_t{1} << 31) - 1;
// Deflate cannot expand 1 byte into more than 1032 (258-byte matches coded in 2 bits).
constexpr uint64_t kMaxDeflateRatio = 1032;
// zlib counts in uInt; feed it at most this much at a time.
constexpr size_t kZlibChunk = size_t{1} << 30;

struct ZipMember {
  std::string name;
  uint16_t flags = 0;
  uint16_t method = 0;
  uint32_t crc = 0;
  uint64_t compressed_size = 0;
  uint64_t uncompressed_size = 0;
  uint64_t local_offset = 0;
  uint64_t data_offset = 0;  // filled from the local header
};

struct ZipDirectory {
  uint64_t entries = 0;
  uint64_t size = 0;
  uint64_t offset = 0;
  uint64_t end = 0;  // where the end records start: the directory must lie before
};

ZipDirectory find_directory(std::string_view zip, const std::string& name) {
  NSDF_CHECK(zip.size() >= kEndSize, core::DataError,
             "{}: not a zip archive: {} bytes is too short for an end-of-central-directory record",
             name, zip.size());
  // The end record sits at the very end, followed only by an archive comment of at most 64 KiB.
  size_t end = std::string::npos;
  const size_t lowest = zip.size() - std::min(zip.size(), kEndSize + 0xffff);
  for (size_t pos = zip.size() - kEndSize + 1; pos-- > lowest;) {
    if (le32(zip, pos) == kEndSig && pos + kEndSize + le16(zip, pos + 20) == zip.size()) {
      end = pos;
      break;
    }
  }
  NSDF_CHECK(end != std::string::npos, core::DataError,
             "{}: not a zip archive: no end-of-central-directory record (truncated or not an "
             ".npz file)",
             name);
  ZipDirectory dir;
  dir.end = end;
  const uint16_t disk = le16(zip, end + 4);
  const uint16_t directory_disk = le16(zip, end + 6);
  dir.entries = le16(zip, end + 10);
  dir.size = le32(zip, end + 12);
  dir.offset = le32(zip, end + 16);
  const bool has_locator =
      end >= kZip64LocatorSize && le32(zip, end - kZip64LocatorSize) == kZip64LocatorSig;
  if (has_locator) {
    const size_t locator = end - kZip64LocatorSize;
    const uint64_t record = le64(zip, locator + 8);
    NSDF_CHECK(record <= locator && locator - record >= kZip64EndSize, core::DataError,
               "{}: corrupt zip: zip64 end record offset {} lies outside the file ({} bytes)", name,
               record, zip.size());
    NSDF_CHECK(le32(zip, record) == kZip64EndSig, core::DataError,
               "{}: corrupt zip: no zip64 end record at offset {}", name, record);
    NSDF_CHECK(
        le32(zip, record + 16) == 0 && le32(zip, record + 20) == 0 && le32(zip, locator + 16) <= 1,
        core::DataError, "{}: multi-disk zip archives are not supported", name);
    dir.entries = le64(zip, record + 32);
    dir.size = le64(zip, record + 40);
    dir.offset = le64(zip, record + 48);
    dir.end = record;
  } else {
    NSDF_CHECK(dir.entries != kSentinel16 && dir.size != kSentinel32 && dir.offset != kSentinel32,
               core::DataError, "{}: corrupt zip: zip64 sizes announced but no zip64 end record",
               name);
    NSDF_CHECK(disk == 0 && directory_disk == 0, core::DataError,
               "{}: multi-disk zip archives are not supported", name);
  }
  NSDF_CHECK(dir.offset <= dir.end && dir.size <= dir.end - dir.offset, core::DataError,
             "{}: corrupt zip: central directory (offset {}, {} bytes) lies outside the file "
             "({} bytes before the end records)",
             name, dir.offset, dir.size, dir.end);
  NSDF_CHECK(dir.entries <= dir.size / kCentralHeaderSize, core::DataError,
             "{}: corrupt zip: {} entries cannot fit a {}-byte central directory", name,
             dir.entries, dir.size);
  return dir;
}

// Replaces 0xffffffff sizes/offset with the zip64 extra field's 64-bit values (which hold
// exactly the fields that overflowed, in this order).
void apply_zip64_extra(std::string_view extra, ZipMember& m, bool size_max, bool csize_max,
                       bool offset_max, const std::string& where) {
  size_t pos = 0;
  while (pos + 4 <= extra.size()) {
    const uint16_t id = le16(extra, pos);
    const uint16_t len = le16(extra, pos + 2);
    NSDF_CHECK(pos + 4 + len <= extra.size(), core::DataError,
               "{}: corrupt zip: extra field runs past its end", where);
    if (id == kZip64ExtraId) {
      std::string_view field = extra.substr(pos + 4, len);
      size_t at = 0;
      const auto next = [&](uint64_t& value) {
        NSDF_CHECK(at + 8 <= field.size(), core::DataError,
                   "{}: corrupt zip: zip64 extra field too short", where);
        value = le64(field, at);
        at += 8;
      };
      if (size_max) next(m.uncompressed_size);
      if (csize_max) next(m.compressed_size);
      if (offset_max) next(m.local_offset);
      return;
    }
    pos += 4 + len;
  }
  throw core::DataError(
      fmt::format("{}: corrupt zip: sizes are 0xffffffff but no zip64 extra field", where));
}

std::vector<ZipMember> read_directory(std::string_view zip, const ZipDirectory& dir,
                                      const std::string& name) {
  std::vector<ZipMember> members;
  members.reserve(static_cast<size_t>(dir.entries));
  size_t pos = static_cast<size_t>(dir.offset);
  const size_t limit = static_cast<size_t>(dir.offset + dir.size);
  for (uint64_t i = 0; i < dir.entries; ++i) {
    NSDF_CHECK(pos + kCentralHeaderSize <= limit && le32(zip, pos) == kCentralHeaderSig,
               core::DataError, "{}: corrupt zip: central directory entry {} is missing or damaged",
               name, i);
    const size_t name_len = le16(zip, pos + 28);
    const size_t extra_len = le16(zip, pos + 30);
    const size_t comment_len = le16(zip, pos + 32);
    NSDF_CHECK(pos + kCentralHeaderSize + name_len + extra_len + comment_len <= limit,
               core::DataError,
               "{}: corrupt zip: central directory entry {} runs past the directory", name, i);
    ZipMember m;
    m.name = std::string(zip.substr(pos + kCentralHeaderSize, name_len));
    const std::string where = fmt::format("{}: {}", name, excerpt(m.name));
    m.flags = le16(zip, pos + 8);
    m.method = le16(zip, pos + 10);
    m.crc = le32(zip, pos + 16);
    m.compressed_size = le32(zip, pos + 20);
    m.uncompressed_size = le32(zip, pos + 24);
    const uint16_t disk = le16(zip, pos + 34);
    m.local_offset = le32(zip, pos + 42);
    const bool size_max = m.uncompressed_size == kSentinel32;
    const bool csize_max = m.compressed_size == kSentinel32;
    const bool offset_max = m.local_offset == kSentinel32;
    if (size_max || csize_max || offset_max) {
      apply_zip64_extra(zip.substr(pos + kCentralHeaderSize + name_len, extra_len), m, size_max,
                        csize_max, offset_max, where);
    }
    NSDF_CHECK(disk == 0 || disk == kSentinel16, core::DataError,
               "{}: multi-disk zip archives are not supported", where);
    members.push_back(std::move(m));
    pos += kCentralHeaderSize + name_len + extra_len + comment_len;
  }
  return members;
}

// Checks the member's local header and finds where its data starts; the data must lie inside
// the file, before the central directory, and members must not overlap (overlapping members
// turn a small archive into a huge output: the "better zip bomb").
void locate_data(std::string_view zip, const ZipDirectory& dir, std::vector<ZipMember>& members,
                 const std::string& name) {
  for (ZipMember& m : members) {
    const std::string where = fmt::format("{}: {}", name, excerpt(m.name));
    NSDF_CHECK(m.local_offset <= dir.offset && dir.offset - m.local_offset >= kLocalHeaderSize,
               core::DataError,
               "{}: corrupt zip: member header offset {} lies outside the file's data ({} bytes)",
               where, m.local_offset, dir.offset);
    const auto at = static_cast<size_t>(m.local_offset);
    NSDF_CHECK(le32(zip, at) == kLocalHeaderSig, core::DataError,
               "{}: corrupt zip: no local file header at offset {}", where, at);
    const uint64_t name_len = le16(zip, at + 26);
    const uint64_t extra_len = le16(zip, at + 28);
    m.data_offset = m.local_offset + kLocalHeaderSize + name_len + extra_len;
    NSDF_CHECK(m.data_offset <= dir.offset && m.compressed_size <= dir.offset - m.data_offset,
               core::DataError,
               "{}: corrupt zip: member data (offset {}, {} bytes) lies outside the file's data "
               "({} bytes)",
               where, m.data_offset, m.compressed_size, dir.offset);
    NSDF_CHECK(zip.substr(at + kLocalHeaderSize, name_len) == m.name, core::DataError,
               "{}: corrupt zip: local header names \"{}\"", where,
               excerpt(zip.substr(at + kLocalHeaderSize, name_len)));
  }
  std::vector<const ZipMember*> sorted;
  for (const ZipMember& m : members) sorted.push_back(&m);
  std::sort(sorted.begin(), sorted.end(), [](const ZipMember* a, const ZipMember* b) {
    return a->local_offset < b->local_offset;
  });
  for (size_t i = 1; i < sorted.size(); ++i) {
    const ZipMember& prev = *sorted[i - 1];
    NSDF_CHECK(prev.data_offset + prev.compressed_size <= sorted[i]->local_offset, core::DataError,
               "{}: {}: corrupt zip: member overlaps member {}", name, excerpt(sorted[i]->name),
               excerpt(prev.name));
  }
}

uint32_t crc32_of(std::string_view bytes) {
  return static_cast<uint32_t>(
      crc32_z(0, reinterpret_cast<const Bytef*>(bytes.data()), bytes.size()));
}

// Inflates raw deflate data into at most `declared` bytes. The buffer grows with the output
// actually produced, so a header that lies about the size costs nothing.
std::string inflate_member(std::string_view in, uint64_t declared, const std::string& where) {
  z_stream zs{};
  NSDF_CHECK(inflateInit2(&zs, -15) == Z_OK, core::DataError, "{}: cannot start zlib inflate",
             where);
  struct End {
    z_stream* zs;
    ~End() { inflateEnd(zs); }
  } end{&zs};
  std::string out;
  out.resize(static_cast<size_t>(
      std::min<uint64_t>(declared, std::max<uint64_t>(in.size() * 4, 1 << 20))));
  size_t in_pos = 0;
  size_t out_pos = 0;
  char probe = 0;  // once `declared` bytes are out, one more byte would mean the size lied
  while (true) {
    if (out_pos == out.size() && out.size() < declared) {
      out.resize(static_cast<size_t>(std::min<uint64_t>(declared, 2 * uint64_t{out.size()})));
    }
    const bool full = out_pos == out.size();
    const size_t in_chunk = std::min(in.size() - in_pos, kZlibChunk);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data() + in_pos));
    zs.avail_in = static_cast<uInt>(in_chunk);
    const size_t out_chunk = full ? 1 : std::min(out.size() - out_pos, kZlibChunk);
    zs.next_out = reinterpret_cast<Bytef*>(full ? &probe : &out[out_pos]);
    zs.avail_out = static_cast<uInt>(out_chunk);
    const int rc = inflate(&zs, Z_NO_FLUSH);
    const size_t consumed = in_chunk - zs.avail_in;
    const size_t produced = out_chunk - zs.avail_out;
    in_pos += consumed;
    NSDF_CHECK(!(full && produced > 0), core::DataError,
               "{}: corrupt zip: inflates to more than the declared {} bytes", where, declared);
    out_pos += produced;
    if (rc == Z_STREAM_END) break;
    NSDF_CHECK(rc != Z_DATA_ERROR && rc != Z_NEED_DICT, core::DataError,
               "{}: corrupt zip: bad deflate data ({})", where, zs.msg ? zs.msg : "no detail");
    NSDF_CHECK(rc != Z_MEM_ERROR, core::DataError, "{}: out of memory while inflating", where);
    NSDF_CHECK(consumed > 0 || produced > 0, core::DataError,
               "{}: corrupt zip: deflate data ends early (after {} bytes out of {})", where,
               out_pos, declared);
  }
  NSDF_CHECK(out_pos == declared, core::DataError,
             "{}: corrupt zip: inflates to {} bytes, but the directory declares {}", where, out_pos,
             declared);
  out.resize(out_pos);
  return out;
}

std::string deflate_raw(std::string_view in, const std::string& where) {
  z_stream zs{};
  NSDF_CHECK(
      deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) == Z_OK,
      core::DataError, "{}: cannot start zlib deflate", where);
  struct End {
    z_stream* zs;
    ~End() { deflateEnd(zs); }
  } end{&zs};
  std::string out;
  size_t in_pos = 0;
  char buf[1 << 16];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    const size_t in_chunk = std::min(in.size() - in_pos, kZlibChunk);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data() + in_pos));
    zs.avail_in = static_cast<uInt>(in_chunk);
    const int flush = in_pos + in_chunk == in.size() ? Z_FINISH : Z_NO_FLUSH;
    do {
      zs.next_out = reinterpret_cast<Bytef*>(buf);
      zs.avail_out = sizeof(buf);
      rc = deflate(&zs, flush);
      NSDF_ASSERT(rc != Z_STREAM_ERROR, "deflate failed for {}", where);
      out.append(buf, sizeof(buf) - zs.avail_out);
    } while (zs.avail_out == 0);
    in_pos += in_chunk - zs.avail_in;
  }
  return out;
}

// 1980-01-01 00:00, the earliest DOS date: fixed so identical arrays give identical archives.
constexpr uint16_t kDosTime = 0;
constexpr uint16_t kDosDate = (0 << 9) | (1 << 5) | 1;

}  // namespace

// ---------------------------------------------------------------------------------------------
// Public API

int64_t NpyArray::size() const {
  int64_t n = 1;
  for (int64_t extent : shape) n *= extent;
  return n;
}

NpyArray make_npy_array(const std::vector<float>& data, std::vector<int64_t> shape) {
  return NpyArray{std::move(shape), std::vector<double>(data.begin(), data.end()), "<f4"};
}

NpyArray make_npy_array(const std::vector<double>& data, std::vector<int64_t> shape) {
  return NpyArray{std::move(shape), data, "<f8"};
}

std::vector<float> to_floats(const NpyArray& array) {
  return std::vector<float>(array.data.begin(), array.data.end());
}

NpyArray parse_npy(std::string_view bytes, const std::string& name) {
  NSDF_CHECK(bytes.size() >= 8 && bytes.substr(0, 6) == std::string_view("\x93NUMPY", 6),
             core::DataError,
             "{}: not a .npy file: bad magic (expected \"\\x93NUMPY\", found \"{}\")", name,
             excerpt(bytes.substr(0, 6)));
  const int major = static_cast<unsigned char>(bytes[6]);
  const int minor = static_cast<unsigned char>(bytes[7]);
  NSDF_CHECK(major >= 1 && major <= 3 && minor == 0, core::DataError,
             "{}: unsupported .npy format version {}.{} (supported: 1.0, 2.0, 3.0)", name, major,
             minor);
  const size_t prefix = major == 1 ? 10 : 12;
  NSDF_CHECK(bytes.size() >= prefix, core::DataError,
             "{}: truncated header: {} bytes, but a version {}.0 preamble needs {}", name,
             bytes.size(), major, prefix);
  const uint64_t header_len = major == 1 ? le16(bytes, 8) : le32(bytes, 8);
  NSDF_CHECK(header_len <= bytes.size() - prefix, core::DataError,
             "{}: truncated header: header length {} goes beyond the end of the file ({} bytes)",
             name, header_len, bytes.size());
  const NpyHeader header =
      parse_header(bytes.substr(prefix, static_cast<size_t>(header_len)), name);

  // Check the declared size against the bytes present before allocating anything.
  int64_t count = 1;
  int64_t needed = 0;
  for (int64_t extent : header.shape) {
    NSDF_CHECK(checked_mul(count, extent, &count), core::DataError,
               "{}: shape {} has more elements than any file can hold", name,
               shape_repr(header.shape));
  }
  NSDF_CHECK(checked_mul(count, header.dtype.itemsize, &needed), core::DataError,
             "{}: shape {} has more elements than any file can hold", name,
             shape_repr(header.shape));
  const uint64_t present = bytes.size() - prefix - header_len;
  NSDF_CHECK(static_cast<uint64_t>(needed) == present, core::DataError,
             "{}: data is {} bytes, but shape {} of '{}' needs {} bytes ({})", name, present,
             shape_repr(header.shape), header.dtype.str(), needed,
             present < static_cast<uint64_t>(needed) ? "truncated file" : "trailing bytes");

  NpyArray array;
  array.shape = header.shape;
  array.dtype = header.descr;
  array.data.resize(static_cast<size_t>(count));
  decode(header.dtype, bytes.data() + prefix + header_len, array.data.size(), array.data.data());
  if (header.fortran_order) array.data = fortran_to_c_order(array.data, array.shape);
  return array;
}

NpyArray read_npy(const std::string& path) { return parse_npy(core::read_file(path), path); }

std::string encode_npy(const NpyArray& array, const std::string& name) {
  const Dtype dtype = parse_dtype(array.dtype.empty() ? "<f8" : array.dtype, name);
  check_shape(array.shape, array.data.size(), name);
  std::string out = npy_preamble(dtype.str(), array.shape);
  out.reserve(out.size() + array.data.size() * static_cast<size_t>(dtype.itemsize));
  const bool swap = dtype.big_endian != kHostIsBigEndian;
  switch (dtype.kind) {
    case 'f':
      NSDF_CHECK(dtype.itemsize != 2, core::DataError,
                 "{}: writing float16 is not supported (use '<f4' or '<f8')", name);
      for (double v : array.data) {
        if (dtype.itemsize == 4) {
          store_item(static_cast<float>(v), swap, out);
        } else {
          store_item(v, swap, out);
        }
      }
      break;
    case 'b':
      for (double v : array.data) out.push_back(v != 0 ? 1 : 0);
      break;
    case 'i':
      switch (dtype.itemsize) {
        case 1:
          encode_integers<int8_t>(array.data, dtype, swap, name, out);
          break;
        case 2:
          encode_integers<int16_t>(array.data, dtype, swap, name, out);
          break;
        case 4:
          encode_integers<int32_t>(array.data, dtype, swap, name, out);
          break;
        default:
          encode_integers<int64_t>(array.data, dtype, swap, name, out);
          break;
      }
      break;
    default:
      switch (dtype.itemsize) {
        case 1:
          encode_integers<uint8_t>(array.data, dtype, swap, name, out);
          break;
        case 2:
          encode_integers<uint16_t>(array.data, dtype, swap, name, out);
          break;
        case 4:
          encode_integers<uint32_t>(array.data, dtype, swap, name, out);
          break;
        default:
          encode_integers<uint64_t>(array.data, dtype, swap, name, out);
          break;
      }
      break;
  }
  return out;
}

void write_npy(const std::string& path, const std::vector<float>& data,
               const std::vector<int64_t>& shape) {
  core::write_file_atomic(path, encode_native_floats(data, shape, path));
}

void write_npy(const std::string& path, const std::vector<double>& data,
               const std::vector<int64_t>& shape) {
  core::write_file_atomic(path, encode_native_floats(data, shape, path));
}

void write_npy(const std::string& path, const NpyArray& array) {
  core::write_file_atomic(path, encode_npy(array, path));
}

std::map<std::string, NpyArray> parse_npz(std::string_view bytes, const std::string& name) {
  const ZipDirectory dir = find_directory(bytes, name);
  std::vector<ZipMember> members = read_directory(bytes, dir, name);
  locate_data(bytes, dir, members, name);
  std::map<std::string, NpyArray> arrays;
  for (const ZipMember& m : members) {
    const std::string where = fmt::format("{}: {}", name, excerpt(m.name));
    constexpr std::string_view kSuffix = ".npy";
    const bool is_npy =
        m.name.size() > kSuffix.size() &&
        m.name.compare(m.name.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0;
    if (!is_npy) continue;  // numpy.load would hand these out as raw bytes; we have no use
    NSDF_CHECK((m.flags & 0x41) == 0 && m.method != 99, core::DataError,
               "{}: encrypted zip members are not supported", where);
    const std::string_view stored =
        bytes.substr(static_cast<size_t>(m.data_offset), static_cast<size_t>(m.compressed_size));
    std::string inflated;
    std::string_view member;
    if (m.method == 0) {
      NSDF_CHECK(m.compressed_size == m.uncompressed_size, core::DataError,
                 "{}: corrupt zip: stored member is {} bytes but declares {} uncompressed", where,
                 m.compressed_size, m.uncompressed_size);
      member = stored;
    } else if (m.method == 8) {
      NSDF_CHECK(m.uncompressed_size <= m.compressed_size * kMaxDeflateRatio + 1024,
                 core::DataError,
                 "{}: corrupt zip: declares {} bytes uncompressed from {} compressed, more than "
                 "deflate can produce",
                 where, m.uncompressed_size, m.compressed_size);
      inflated = inflate_member(stored, m.uncompressed_size, where);
      member = inflated;
    } else {
      throw core::DataError(
          fmt::format("{}: unsupported compression method {} (supported: 0 stored, 8 deflate)",
                      where, m.method));
    }
    const uint32_t crc = crc32_of(member);
    NSDF_CHECK(crc == m.crc, core::DataError,
               "{}: CRC-32 mismatch: data has {:08x}, directory says {:08x} (corrupt archive)",
               where, crc, m.crc);
    const std::string key = m.name.substr(0, m.name.size() - kSuffix.size());
    NSDF_CHECK(arrays.count(key) == 0, core::DataError, "{}: member appears twice", where);
    arrays.emplace(key, parse_npy(member, where));
  }
  return arrays;
}

std::map<std::string, NpyArray> read_npz(const std::string& path) {
  return parse_npz(core::read_file(path), path);
}

std::string encode_npz(const std::map<std::string, NpyArray>& arrays, const std::string& name,
                       bool compress, bool force_zip64) {
  std::string zip;
  std::string directory;
  for (const auto& [key, array] : arrays) {
    const std::string member_name = key + ".npy";
    const std::string where = fmt::format("{}: {}", name, member_name);
    NSDF_CHECK(!key.empty() && member_name.size() < 0xffff, core::DataError,
               "{}: array names must be 1 to 65530 bytes long", where);
    const std::string npy = encode_npy(array, where);
    const std::string deflated = compress ? deflate_raw(npy, where) : std::string();
    const std::string_view data = compress ? std::string_view(deflated) : std::string_view(npy);
    const uint32_t crc = crc32_of(npy);
    const uint64_t offset = zip.size();
    const bool zip64 = force_zip64 || npy.size() > kZip64Limit || data.size() > kZip64Limit;
    const bool offset64 = force_zip64 || offset > kZip64Limit;
    // Names are bytes as given; flag bit 11 says they are UTF-8 when they are not plain ASCII.
    const bool ascii = std::all_of(member_name.begin(), member_name.end(),
                                   [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    const uint16_t flags = ascii ? 0 : 0x800;
    const uint16_t method = compress ? 8 : 0;
    const uint16_t version = zip64 || offset64 ? 45 : 20;

    put32(zip, kLocalHeaderSig);
    put16(zip, version);
    put16(zip, flags);
    put16(zip, method);
    put16(zip, kDosTime);
    put16(zip, kDosDate);
    put32(zip, crc);
    put32(zip, zip64 ? kSentinel32 : data.size());
    put32(zip, zip64 ? kSentinel32 : npy.size());
    put16(zip, member_name.size());
    put16(zip, zip64 ? 20 : 0);
    zip += member_name;
    if (zip64) {
      put16(zip, kZip64ExtraId);
      put16(zip, 16);
      put64(zip, npy.size());
      put64(zip, data.size());
    }
    zip += data;

    const uint16_t extra_len = (zip64 ? 16 : 0) + (offset64 ? 8 : 0);
    put32(directory, kCentralHeaderSig);
    put16(directory, (3 << 8) | version);  // made by: Unix
    put16(directory, version);
    put16(directory, flags);
    put16(directory, method);
    put16(directory, kDosTime);
    put16(directory, kDosDate);
    put32(directory, crc);
    put32(directory, zip64 ? kSentinel32 : data.size());
    put32(directory, zip64 ? kSentinel32 : npy.size());
    put16(directory, member_name.size());
    put16(directory, extra_len == 0 ? 0 : extra_len + 4);
    put16(directory, 0);            // comment length
    put16(directory, 0);            // disk
    put16(directory, 0);            // internal attributes
    put32(directory, 0644u << 16);  // external attributes: -rw-r--r--
    put32(directory, offset64 ? kSentinel32 : offset);
    directory += member_name;
    if (extra_len != 0) {
      put16(directory, kZip64ExtraId);
      put16(directory, extra_len);
      if (zip64) {
        put64(directory, npy.size());
        put64(directory, data.size());
      }
      if (offset64) put64(directory, offset);
    }
  }
  const uint64_t directory_offset = zip.size();
  const uint64_t entries = arrays.size();
  zip += directory;
  const bool end64 = force_zip64 || entries >= kSentinel16 || directory.size() > kZip64Limit ||
                     directory_offset > kZip64Limit;
  if (end64) {
    const uint64_t record = zip.size();
    put32(zip, kZip64EndSig);
    put64(zip, kZip64EndSize - 12);  // size of the rest of the record
    put16(zip, (3 << 8) | 45);
    put16(zip, 45);
    put32(zip, 0);  // this disk
    put32(zip, 0);  // disk with the directory
    put64(zip, entries);
    put64(zip, entries);
    put64(zip, directory.size());
    put64(zip, directory_offset);
    put32(zip, kZip64LocatorSig);
    put32(zip, 0);
    put64(zip, record);
    put32(zip, 1);  // total disks
  }
  put32(zip, kEndSig);
  put16(zip, 0);
  put16(zip, 0);
  put16(zip, end64 ? kSentinel16 : entries);
  put16(zip, end64 ? kSentinel16 : entries);
  put32(zip, end64 ? kSentinel32 : directory.size());
  put32(zip, end64 ? kSentinel32 : directory_offset);
  put16(zip, 0);  // comment length
  return zip;
}

void write_npz(const std::string& path, const std::map<std::string, NpyArray>& arrays,
               bool compress) {
  core::write_file_atomic(path, encode_npz(arrays, path, compress));
}

}  // namespace nsdf::geometry
