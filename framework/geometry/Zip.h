#pragma once
// Zip archives (PKWARE's APPNOTE.TXT) as NumPy's .npz files use them: reading the members of an
// archive held in memory, stored or deflated, with zip64 records; writing archives whose
// members are stored, or deflated on request, with zip64 records where sizes need them (as
// Python's zipfile does); and the CRC-32 that guards each member.
//
// Archives are treated as hostile: the end-of-central-directory record points at the central
// directory, whose entries are authoritative for sizes, CRCs and where each local header is;
// every offset and size is checked against the bytes present, members must not overlap (the
// "better zip bomb"), inflation stops at the declared size, and CRC-32s are verified. Problems
// throw DataError whose message starts with the archive's name, and with the member's name for
// problems of one member ("planes.npz: pos.npy: ...").

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nsdf::geometry {

/// A member as the central directory describes it, and where its data starts.
struct ZipMember {
  std::string name;     ///< as stored (bytes; UTF-8 when flag bit 11 is set)
  uint16_t flags = 0;   ///< general purpose flags (bit 0: encrypted)
  uint16_t method = 0;  ///< 0 stored, 8 deflated (others are not supported)
  uint32_t crc = 0;     ///< CRC-32 of the uncompressed data
  uint64_t compressed_size = 0;
  uint64_t uncompressed_size = 0;
  uint64_t local_offset = 0;  ///< offset of the member's local header
  uint64_t data_offset = 0;   ///< offset of its (compressed) data, after the local header
};

/// The members of the zip archive `zip`, in central-directory order, each checked to lie
/// inside the archive before the central directory, without overlapping another, its local
/// header naming it as the directory does. Their data is not read (see zip_member_data).
/// @param[in] zip the whole archive
/// @param[in] name starts every error message (a path)
/// Throws DataError for anything that is not a well-formed single-disk zip archive.
std::vector<ZipMember> read_zip_directory(std::string_view zip, const std::string& name);

/// The uncompressed bytes of `member`: a view into `zip` for a stored member, the inflated
/// bytes in `buffer` for a deflated one. Encrypted members and other compression methods are
/// rejected, and the CRC-32 must match the directory's.
/// @param[in] zip the archive `member` was read from (read_zip_directory)
/// @param[in] where starts every error message ("archive.npz: member.npy")
/// @param[out] buffer holds the inflated bytes the result views (untouched for stored members)
std::string_view zip_member_data(std::string_view zip, const ZipMember& member,
                                 const std::string& where, std::string& buffer);

/// The CRC-32 of `bytes`, as zip (and zlib) computes it.
uint32_t zip_crc32(std::string_view bytes);

/// Builds a zip archive in memory, member by member, the way numpy.savez writes one: members
/// in the order added, fixed timestamps (1980-01-01 00:00, so equal contents give equal
/// archives), and zip64 records where a size or offset exceeds 2 GiB - 1.
class ZipWriter {
 public:
  /// @param[in] compress deflate the members (np.savez_compressed) instead of storing them
  /// @param[in] force_zip64 write zip64 records even where sizes do not need them (readers
  ///   accept both; it lets tests cover the zip64 path without 4 GiB files)
  explicit ZipWriter(bool compress = false, bool force_zip64 = false)
      : compress_(compress), force_zip64_(force_zip64) {}

  /// Appends the member `name` (shorter than 65535 bytes) holding `data`.
  /// @param[in] where starts error messages
  void add(const std::string& name, std::string_view data, const std::string& where);

  /// The archive: the members added so far, the central directory and the end records. The
  /// writer is empty again afterwards.
  std::string finish();

 private:
  bool compress_;
  bool force_zip64_;
  std::string zip_;        // local headers and data
  std::string directory_;  // central directory entries
  uint64_t entries_ = 0;
};

}  // namespace nsdf::geometry
