#pragma once
// The small pieces of HTML the report is made of: escaping and tables.

#include <string>
#include <vector>

namespace nsdf::report {

/// Text safe inside HTML elements and attribute values (& < > " ').
std::string html_escape(const std::string& text);

/// A table whose header cells sort it when clicked (viewer.js); cells are escaped, numbers
/// (cells that parse as a double) get class "num" (right-aligned).
struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  /// Rows after the first `max_rows` are left out with a note saying how many.
  std::size_t max_rows = 500;
};
std::string table_html(const Table& table);
/// The same table as Markdown (| a | b |), every row, for runs.md.
std::string table_markdown(const Table& table);
/// As CSV (RFC 4180 quoting where needed), every row.
std::string table_csv(const Table& table);

/// `text` as a whole is a number (strtod): sets `out` and returns true.
bool parse_number(const std::string& text, double& out);

/// Splits one CSV line (RFC 4180 quotes, no embedded newlines).
std::vector<std::string> split_csv_line(const std::string& line);

}  // namespace nsdf::report
