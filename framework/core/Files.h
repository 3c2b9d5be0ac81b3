#pragma once
// File writing that never leaves a half-written file under the final name: data goes to
// "<name>.tmp.<pid>", is flushed to disk (fsync), then renamed over the target, and the folder
// entry is synced. A reader sees the old file or the new one, never a mix.

#include <string>
#include <string_view>

namespace nsdf::core {

/// Writes `data` to `path` atomically (temp + fsync + rename + fsync of the folder).
/// Throws IoError naming the file on failure.
void write_file_atomic(const std::string& path, std::string_view data);

/// The temporary name write_file_atomic uses for `path` ("<path>.tmp.<pid>"), for writers that
/// produce a file through a library (HDF5) and then commit it with commit_file.
std::string temp_path(const std::string& path);

/// Moves a finished temporary file over `path`: fsync of `tmp`, rename, fsync of the folder.
/// Throws IoError naming the file on failure (the temporary file is then removed).
void commit_file(const std::string& tmp, const std::string& path);

/// Removes "<path>.tmp.<pid>" files left by processes that no longer run (a killed writer),
/// so interrupted runs do not accumulate them. Files of running processes are kept.
void remove_stale_temp_files(const std::string& path);

/// Reads a whole file; throws IoError naming it when it cannot (missing, a folder, unreadable).
std::string read_file(const std::string& path);

}  // namespace nsdf::core
