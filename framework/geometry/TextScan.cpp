#include "geometry/TextScan.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "core/Error.h"
#include "core/Files.h"

namespace nsdf::geometry {

namespace detail {


bool LineReader::next(std::string_view& line) {
  if (pos_ >= text_.size()) return false;
  const char* begin = text_.data() + pos_;
  const auto* nl = static_cast<const char*>(std::memchr(begin, '\n', text_.size() - pos_));
  const size_t len = nl ? static_cast<size_t>(nl - begin) : text_.size() - pos_;
  line = std::string_view(begin, len);
  pos_ += len + (nl ? 1 : 0);
  ++next_line_;
  return true;
}

bool LineReader::next_content(std::string_view& line, char comment) {
  while (next(line)) {
    if (comment != 0) {
      const size_t hash = line.find(comment);
      if (hash != std::string_view::npos) line = line.substr(0, hash);
    }
    for (const char c : line) {
      if (!is_space(c)) return true;
    }
  }
  return false;
}

size_t Tokens::count() const {
  Tokens all(line_);
  std::string_view token;
  size_t n = 0;
  while (all.next(token)) ++n;
  return n;
}

NumberStatus parse_float(std::string_view token, float& out) {
  if (!token.empty() && token[0] == '+') token.remove_prefix(1);
  if (token.empty() || token[0] == '+') return NumberStatus::NotANumber;
  const char* first = token.data();
  const char* last = first + token.size();
  const auto [ptr, ec] = std::from_chars(first, last, out);
  if (ec == std::errc() && ptr == last) return NumberStatus::Ok;
  if (ec == std::errc::result_out_of_range && ptr == last) {
    // from_chars reports underflow as out of range too; tiny values are fine as 0 or denormal.
    const std::string copy(token);
    errno = 0;
    const double d = std::strtod(copy.c_str(), nullptr);
    if (std::abs(d) < 1.0) {
      out = static_cast<float>(d);
      return NumberStatus::Ok;
    }
    return NumberStatus::OutOfRange;
  }
  return NumberStatus::NotANumber;
}

NumberStatus parse_int(std::string_view token, int64_t& out) {
  if (!token.empty() && token[0] == '+') token.remove_prefix(1);
  if (token.empty() || token[0] == '+') return NumberStatus::NotANumber;
  const char* first = token.data();
  const char* last = first + token.size();
  const auto [ptr, ec] = std::from_chars(first, last, out);
  if (ptr != last) return NumberStatus::NotANumber;
  if (ec == std::errc::result_out_of_range) return NumberStatus::OutOfRange;
  return ec == std::errc() ? NumberStatus::Ok : NumberStatus::NotANumber;
}

std::string printable(std::string_view token) {
  constexpr size_t kMaxChars = 40;
  std::string out;
  for (size_t i = 0; i < token.size() && i < kMaxChars; ++i) {
    const auto c = static_cast<unsigned char>(token[i]);
    out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
  }
  if (token.size() > kMaxChars) out += "...";
  return out;
}

std::string excerpt(std::string_view text, size_t max_chars) {
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

const char* non_finite_name(float value) { return std::isnan(value) ? "NaN" : "Inf"; }

std::string lower_extension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

}  // namespace detail

}  // namespace nsdf::geometry
