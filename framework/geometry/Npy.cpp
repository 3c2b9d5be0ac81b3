#include "geometry/Npy.h"

#include <fcntl.h>
#include <fmt/ranges.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>
#include <set>
#include <type_traits>
#include <utility>

#include "core/Error.h"
#include "core/Files.h"
#include "geometry/Endian.h"
#include "geometry/TextScan.h"
#include "geometry/Zip.h"

namespace nsdf::geometry {

namespace {

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
    throw core::DataError(fmt::format("{}: unsupported dtype '{}' ({}; {})", name,
                                      detail::excerpt(descr), kind_description(kind),
                                      kSupportedDtypes));
  }
  NSDF_CHECK(order != '|' || dtype.itemsize == 1, core::DataError,
             "{}: dtype '{}' has no byte order ('|') although its items have {} bytes", name, descr,
             dtype.itemsize);
  dtype.big_endian = order == '>' || (order == '=' && detail::kHostIsBigEndian);
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
                                      what, pos_, detail::excerpt(text_)));
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
             kind_name(dict.kind), detail::excerpt(text));
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
               name, detail::excerpt(key));
    NSDF_CHECK(*slot == nullptr, core::DataError, "{}: malformed header: key '{}' appears twice",
               name, key);
    *slot = &dict.items[i];
  }
  for (const auto& [field, key] : {std::pair{descr, "descr"}, std::pair{fortran, "fortran_order"},
                                   std::pair{shape, "shape"}}) {
    NSDF_CHECK(field != nullptr, core::DataError, "{}: malformed header: no '{}' key in \"{}\"",
               name, key, detail::excerpt(text));
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
               detail::excerpt(text));
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
void decode_items(const char* src, size_t count, bool swap, double* out) {
  for (size_t i = 0; i < count; ++i)
    out[i] = static_cast<double>(detail::load_scalar<T>(src + i * sizeof(T), swap));
}

void decode(const Dtype& dtype, const char* src, size_t count, double* out) {
  const bool swap = dtype.big_endian != detail::kHostIsBigEndian;
  switch (dtype.kind) {
    case 'f':
      if (dtype.itemsize == 2) {
        for (size_t i = 0; i < count; ++i)
          out[i] = half_to_double(detail::load_scalar<uint16_t>(src + 2 * i, swap));
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
void encode_integers(const std::vector<double>& values, const Dtype& dtype, bool swap,
                     const std::string& name, std::string& out) {
  const int bits = 8 * static_cast<int>(sizeof(T));
  const double lo = std::is_signed_v<T> ? -std::ldexp(1.0, bits - 1) : 0.0;
  const double hi = std::ldexp(1.0, std::is_signed_v<T> ? bits - 1 : bits);  // exclusive
  for (size_t i = 0; i < values.size(); ++i) {
    const double v = values[i];
    NSDF_CHECK(v >= lo && v < hi && v == std::trunc(v), core::DataError,
               "{}: value {} at index {} does not fit dtype '{}'", name, v, i, dtype.str());
    detail::append_scalar(out, static_cast<T>(v), swap);
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
  detail::put_le(out, header_len + padding, v1 ? 2 : 4);
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
  if (detail::kHostIsBigEndian) {
    for (size_t i = start; i < out.size(); i += sizeof(T)) {
      std::reverse(out.begin() + static_cast<std::ptrdiff_t>(i),
                   out.begin() + static_cast<std::ptrdiff_t>(i + sizeof(T)));
    }
  }
  return out;
}

// A .npy file's header and where its data starts, checked against the bytes present: the data
// must be exactly what the shape needs. Reads only the preamble and the header of `bytes`.
struct NpyLayout {
  NpyHeader header;
  size_t data_offset = 0;
  int64_t count = 0;  // elements
};

NpyLayout parse_npy_layout(std::string_view bytes, const std::string& name) {
  NSDF_CHECK(bytes.size() >= 8 && bytes.substr(0, 6) == std::string_view("\x93NUMPY", 6),
             core::DataError,
             "{}: not a .npy file: bad magic (expected \"\\x93NUMPY\", found \"{}\")", name,
             detail::excerpt(bytes.substr(0, 6)));
  const int major = static_cast<unsigned char>(bytes[6]);
  const int minor = static_cast<unsigned char>(bytes[7]);
  NSDF_CHECK(major >= 1 && major <= 3 && minor == 0, core::DataError,
             "{}: unsupported .npy format version {}.{} (supported: 1.0, 2.0, 3.0)", name, major,
             minor);
  const size_t prefix = major == 1 ? 10 : 12;
  NSDF_CHECK(bytes.size() >= prefix, core::DataError,
             "{}: truncated header: {} bytes, but a version {}.0 preamble needs {}", name,
             bytes.size(), major, prefix);
  const uint64_t header_len = major == 1 ? detail::le16(bytes, 8) : detail::le32(bytes, 8);
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
  return {header, static_cast<size_t>(prefix + header_len), count};
}

// Calls visit(key, member, where) for each "<key>.npy" member of the archive `zip`, in
// directory order (other members are skipped, as numpy.load has no array for them); a key
// seen twice is an error.
template <class Visit>
void for_each_npy_member(std::string_view zip, const std::string& name, Visit&& visit) {
  std::set<std::string> keys;
  for (const ZipMember& m : read_zip_directory(zip, name)) {
    const std::string where = fmt::format("{}: {}", name, detail::excerpt(m.name));
    constexpr std::string_view kSuffix = ".npy";
    const bool is_npy =
        m.name.size() > kSuffix.size() &&
        m.name.compare(m.name.size() - kSuffix.size(), kSuffix.size(), kSuffix) == 0;
    if (!is_npy) continue;  // numpy.load would hand these out as raw bytes; we have no use
    const std::string key = m.name.substr(0, m.name.size() - kSuffix.size());
    NSDF_CHECK(keys.insert(key).second, core::DataError, "{}: member appears twice", where);
    visit(key, m, where);
  }
}

// A whole file mapped read-only into memory: pages are read when touched, so looking at a zip
// directory and a few headers costs a few pages whatever the file's size. (A file truncated by
// another process while mapped would fault on access; files we read are not being written.)
class MappedFile {
 public:
  explicit MappedFile(const std::string& path) {
    std::error_code ec;
    NSDF_CHECK(!std::filesystem::is_directory(path, ec), core::IoError,
               "{}: cannot read: is a folder, not a file", path);
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    NSDF_CHECK(fd >= 0, core::IoError, "{}: cannot open for reading: {}", path,
               errno == ENOENT ? "no such file" : std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) == 0 && st.st_size > 0) {
      size_ = static_cast<size_t>(st.st_size);
      void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
      data_ = p == MAP_FAILED ? nullptr : static_cast<const char*>(p);
    }
    const int error = errno;
    ::close(fd);
    NSDF_CHECK(size_ == 0 || data_ != nullptr, core::IoError, "{}: cannot map for reading: {}",
               path, std::strerror(error));
  }
  ~MappedFile() {
    if (data_) ::munmap(const_cast<char*>(data_), size_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  std::string_view bytes() const { return {data_, size_}; }

 private:
  const char* data_ = nullptr;
  size_t size_ = 0;
};

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
  const NpyLayout layout = parse_npy_layout(bytes, name);
  const NpyHeader& header = layout.header;
  NpyArray array;
  array.shape = header.shape;
  array.dtype = header.descr;
  array.data.resize(static_cast<size_t>(layout.count));
  decode(header.dtype, bytes.data() + layout.data_offset, array.data.size(), array.data.data());
  if (header.fortran_order) array.data = fortran_to_c_order(array.data, array.shape);
  return array;
}

NpyArray read_npy(const std::string& path) { return parse_npy(core::read_file(path), path); }

std::string encode_npy(const NpyArray& array, const std::string& name) {
  const Dtype dtype = parse_dtype(array.dtype.empty() ? "<f8" : array.dtype, name);
  check_shape(array.shape, array.data.size(), name);
  std::string out = npy_preamble(dtype.str(), array.shape);
  out.reserve(out.size() + array.data.size() * static_cast<size_t>(dtype.itemsize));
  const bool swap = dtype.big_endian != detail::kHostIsBigEndian;
  switch (dtype.kind) {
    case 'f':
      NSDF_CHECK(dtype.itemsize != 2, core::DataError,
                 "{}: writing float16 is not supported (use '<f4' or '<f8')", name);
      for (double v : array.data) {
        if (dtype.itemsize == 4) {
          detail::append_scalar(out, static_cast<float>(v), swap);
        } else {
          detail::append_scalar(out, v, swap);
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
  std::map<std::string, NpyArray> arrays;
  for_each_npy_member(
      bytes, name, [&](const std::string& key, const ZipMember& m, const std::string& where) {
        std::string inflated;
        arrays.emplace(key, parse_npy(zip_member_data(bytes, m, where, inflated), where));
      });
  return arrays;
}

std::map<std::string, NpyArray> read_npz(const std::string& path) {
  return parse_npz(core::read_file(path), path);
}

std::map<std::string, NpyHeaderInfo> read_npz_headers(const std::string& path) {
  const MappedFile file(path);
  const std::string_view zip = file.bytes();
  std::map<std::string, NpyHeaderInfo> headers;
  for_each_npy_member(
      zip, path, [&](const std::string& key, const ZipMember& m, const std::string& where) {
        // A plain stored member is viewed in place (only its first page is read); anything else
        // goes through zip_member_data, which inflates it or says why it cannot.
        const bool in_place =
            m.method == 0 && (m.flags & 0x41) == 0 && m.compressed_size == m.uncompressed_size;
        std::string inflated;
        const std::string_view member = in_place
                                            ? zip.substr(static_cast<size_t>(m.data_offset),
                                                         static_cast<size_t>(m.compressed_size))
                                            : zip_member_data(zip, m, where, inflated);
        const NpyLayout layout = parse_npy_layout(member, where);
        headers.emplace(key, NpyHeaderInfo{layout.header.shape, layout.header.descr});
      });
  return headers;
}

std::string encode_npz(const std::map<std::string, NpyArray>& arrays, const std::string& name,
                       bool compress, bool force_zip64) {
  ZipWriter zip(compress, force_zip64);
  for (const auto& [key, array] : arrays) {
    const std::string member_name = key + ".npy";
    const std::string where = fmt::format("{}: {}", name, member_name);
    NSDF_CHECK(!key.empty() && member_name.size() < 0xffff, core::DataError,
               "{}: array names must be 1 to 65530 bytes long", where);
    zip.add(member_name, encode_npy(array, where), where);
  }
  return zip.finish();
}

void write_npz(const std::string& path, const std::map<std::string, NpyArray>& arrays,
               bool compress) {
  core::write_file_atomic(path, encode_npz(arrays, path, compress));
}

}  // namespace nsdf::geometry
