#pragma once
// Text scanning shared by the ascii mesh and point-cloud readers (PLY, OBJ, OFF, XYZ): lines with
// 1-based numbers for messages, whitespace tokens, and number parsing that reports what went
// wrong instead of silently giving 0; and untrusted text made safe to quote in messages (also
// for the npy and zip readers).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace nsdf::geometry {

namespace detail {


inline bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/// Walks text line by line, counting 1-based line numbers. A line excludes its '\n'; a
/// trailing '\r' (CRLF files) is left in and treated as whitespace by Tokens.
class LineReader {
 public:
  LineReader(std::string_view text, size_t offset, int64_t first_line)
      : text_(text), pos_(offset), next_line_(first_line) {}

  /// The next line, or false at the end of the text.
  bool next(std::string_view& line);
  /// The next line holding something other than whitespace and (when comment != 0) text
  /// after the comment character, which is cut off. False at the end of the text.
  bool next_content(std::string_view& line, char comment);
  /// 1-based number of the line last returned.
  int64_t line_number() const { return next_line_ - 1; }
  /// Bytes not read yet.
  size_t remaining() const { return text_.size() - pos_; }

 private:
  std::string_view text_;
  size_t pos_;
  int64_t next_line_;
};

/// Whitespace-separated tokens of one line.
class Tokens {
 public:
  explicit Tokens(std::string_view line) : line_(line) {}
  /// The next token, or false when the line has no more.
  bool next(std::string_view& token) {
    while (pos_ < line_.size() && is_space(line_[pos_])) ++pos_;
    if (pos_ == line_.size()) return false;
    const size_t start = pos_;
    while (pos_ < line_.size() && !is_space(line_[pos_])) ++pos_;
    token = line_.substr(start, pos_ - start);
    return true;
  }
  /// How many tokens the whole line has (used for error messages).
  size_t count() const;

 private:
  std::string_view line_;
  size_t pos_ = 0;
};

/// The result of parsing a number token.
enum class NumberStatus { Ok, NotANumber, OutOfRange };

/// Parses a decimal or scientific number (an optional leading '+' allowed) into a float,
/// rounding correctly. Values below the float range become 0 (or a denormal); "nan"/"inf"
/// parse to NaN/Inf (callers reject them with a precise message); finite values above the
/// float range give OutOfRange.
NumberStatus parse_float(std::string_view token, float& out);

/// Parses a decimal integer (an optional leading '+' allowed).
NumberStatus parse_int(std::string_view token, int64_t& out);

/// A token made safe to print in a message: at most 40 characters, non-printable bytes as '?'.
std::string printable(std::string_view token);

/// An excerpt of untrusted text or bytes (npy headers, zip member names) to quote in a message:
/// at most max_chars bytes, backslashes and double quotes escaped with a backslash, other
/// non-printable bytes written as \xNN.
std::string excerpt(std::string_view text, size_t max_chars = 80);

/// "NaN" or "Inf" for a non-finite value.
const char* non_finite_name(float value);

/// Lower-cased extension with its dot ("x/Bunny.PLY" -> ".ply"), "" when there is none.
std::string lower_extension(const std::string& path);

}  // namespace detail

}  // namespace nsdf::geometry
