// Zip archives: reading with every offset and size checked, inflation bounded by the declared
// size, and writing as numpy.savez does; see Zip.h.
#include "geometry/Zip.h"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <utility>

#include "core/Error.h"
#include "geometry/Endian.h"
#include "geometry/TextScan.h"

namespace nsdf::geometry {

namespace {

using detail::excerpt;
using detail::le16;
using detail::le32;
using detail::le64;
using detail::put16;
using detail::put32;
using detail::put64;

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

std::vector<ZipMember> read_zip_directory(std::string_view zip, const std::string& name) {
  const ZipDirectory dir = find_directory(zip, name);
  std::vector<ZipMember> members = read_directory(zip, dir, name);
  locate_data(zip, dir, members, name);
  return members;
}

uint32_t zip_crc32(std::string_view bytes) {
  return static_cast<uint32_t>(
      crc32_z(0, reinterpret_cast<const Bytef*>(bytes.data()), bytes.size()));
}

std::string_view zip_member_data(std::string_view zip, const ZipMember& m, const std::string& where,
                                 std::string& buffer) {
  NSDF_CHECK((m.flags & 0x41) == 0 && m.method != 99, core::DataError,
             "{}: encrypted zip members are not supported", where);
  const std::string_view stored =
      zip.substr(static_cast<size_t>(m.data_offset), static_cast<size_t>(m.compressed_size));
  std::string_view member;
  if (m.method == 0) {
    NSDF_CHECK(m.compressed_size == m.uncompressed_size, core::DataError,
               "{}: corrupt zip: stored member is {} bytes but declares {} uncompressed", where,
               m.compressed_size, m.uncompressed_size);
    member = stored;
  } else if (m.method == 8) {
    NSDF_CHECK(m.uncompressed_size <= m.compressed_size * kMaxDeflateRatio + 1024, core::DataError,
               "{}: corrupt zip: declares {} bytes uncompressed from {} compressed, more than "
               "deflate can produce",
               where, m.uncompressed_size, m.compressed_size);
    buffer = inflate_member(stored, m.uncompressed_size, where);
    member = buffer;
  } else {
    throw core::DataError(fmt::format(
        "{}: unsupported compression method {} (supported: 0 stored, 8 deflate)", where, m.method));
  }
  const uint32_t crc = zip_crc32(member);
  NSDF_CHECK(crc == m.crc, core::DataError,
             "{}: CRC-32 mismatch: data has {:08x}, directory says {:08x} (corrupt archive)", where,
             crc, m.crc);
  return member;
}

void ZipWriter::add(const std::string& name, std::string_view data, const std::string& where) {
  NSDF_CHECK(name.size() < 0xffff, core::DataError,
             "{}: zip member names must be shorter than 65535 bytes", where);
  const std::string deflated = compress_ ? deflate_raw(data, where) : std::string();
  const std::string_view stored = compress_ ? std::string_view(deflated) : data;
  const uint32_t crc = zip_crc32(data);
  const uint64_t offset = zip_.size();
  const bool zip64 = force_zip64_ || data.size() > kZip64Limit || stored.size() > kZip64Limit;
  const bool offset64 = force_zip64_ || offset > kZip64Limit;
  // Names are bytes as given; flag bit 11 says they are UTF-8 when they are not plain ASCII.
  const bool ascii = std::all_of(name.begin(), name.end(),
                                 [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  const uint16_t flags = ascii ? 0 : 0x800;
  const uint16_t method = compress_ ? 8 : 0;
  const uint16_t version = zip64 || offset64 ? 45 : 20;

  put32(zip_, kLocalHeaderSig);
  put16(zip_, version);
  put16(zip_, flags);
  put16(zip_, method);
  put16(zip_, kDosTime);
  put16(zip_, kDosDate);
  put32(zip_, crc);
  put32(zip_, zip64 ? kSentinel32 : stored.size());
  put32(zip_, zip64 ? kSentinel32 : data.size());
  put16(zip_, name.size());
  put16(zip_, zip64 ? 20 : 0);
  zip_ += name;
  if (zip64) {
    put16(zip_, kZip64ExtraId);
    put16(zip_, 16);
    put64(zip_, data.size());
    put64(zip_, stored.size());
  }
  zip_ += stored;

  const uint16_t extra_len = (zip64 ? 16 : 0) + (offset64 ? 8 : 0);
  put32(directory_, kCentralHeaderSig);
  put16(directory_, (3 << 8) | version);  // made by: Unix
  put16(directory_, version);
  put16(directory_, flags);
  put16(directory_, method);
  put16(directory_, kDosTime);
  put16(directory_, kDosDate);
  put32(directory_, crc);
  put32(directory_, zip64 ? kSentinel32 : stored.size());
  put32(directory_, zip64 ? kSentinel32 : data.size());
  put16(directory_, name.size());
  put16(directory_, extra_len == 0 ? 0 : extra_len + 4);
  put16(directory_, 0);            // comment length
  put16(directory_, 0);            // disk
  put16(directory_, 0);            // internal attributes
  put32(directory_, 0644u << 16);  // external attributes: -rw-r--r--
  put32(directory_, offset64 ? kSentinel32 : offset);
  directory_ += name;
  if (extra_len != 0) {
    put16(directory_, kZip64ExtraId);
    put16(directory_, extra_len);
    if (zip64) {
      put64(directory_, data.size());
      put64(directory_, stored.size());
    }
    if (offset64) put64(directory_, offset);
  }
  ++entries_;
}

std::string ZipWriter::finish() {
  std::string zip = std::move(zip_);
  const uint64_t directory_offset = zip.size();
  const uint64_t entries = entries_;
  zip += directory_;
  const bool end64 = force_zip64_ || entries >= kSentinel16 || directory_.size() > kZip64Limit ||
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
    put64(zip, directory_.size());
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
  put32(zip, end64 ? kSentinel32 : directory_.size());
  put32(zip, end64 ? kSentinel32 : directory_offset);
  put16(zip, 0);  // comment length
  zip_.clear();
  directory_.clear();
  entries_ = 0;
  return zip;
}

}  // namespace nsdf::geometry
