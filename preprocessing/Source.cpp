#include "preprocessing/Source.h"

#include <fmt/format.h>

#include "core/Error.h"

namespace nsdf::preprocessing {

namespace {

constexpr size_t kMaxIdBytes = 1024;

// The id as it can be shown in a message: control bytes escaped, long ids cut.
std::string printable(const std::string& id) {
  std::string out;
  for (size_t i = 0; i < id.size() && i < 120; ++i) {
    const auto c = static_cast<unsigned char>(id[i]);
    out += c < 0x20 ? fmt::format("\\x{:02x}", c) : std::string(1, id[i]);
  }
  if (id.size() > 120) out += "...";
  return out;
}

}  // namespace

void check_shape_id(const std::string& id, const std::string& context) {
  auto fail = [&](const std::string& what) {
    throw core::DataError(fmt::format("{}: shape id '{}': {}", context, printable(id), what));
  };
  if (id.empty()) fail("is empty");
  if (id.size() > kMaxIdBytes) {
    fail(fmt::format("is {} bytes long, at most {} are allowed", id.size(), kMaxIdBytes));
  }
  for (size_t i = 0; i < id.size(); ++i) {
    if (static_cast<unsigned char>(id[i]) < 0x20) {
      fail(fmt::format("control character at byte {}", i));
    }
  }
  if (id.front() == '/') fail("starts with '/'");
  if (id.back() == '/') fail("ends with '/'");
  size_t begin = 0;
  while (begin <= id.size()) {
    size_t end = id.find('/', begin);
    if (end == std::string::npos) end = id.size();
    const std::string part = id.substr(begin, end - begin);
    if (part.empty()) fail("has an empty component ('//')");
    if (part == "." || part == "..") fail("has a '" + part + "' component");
    begin = end + 1;
  }
}

}  // namespace nsdf::preprocessing
