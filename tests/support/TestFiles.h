#pragma once
// Test helpers: a fresh temporary folder per test, file writing, and running a program.

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace nsdf::test {

/// A new empty folder under the system temp dir, removed when the object goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  /// Writes `text` to path()/name (creating folders) and returns the full path.
  std::string write(const std::string& name, const std::string& text) const;

 private:
  std::filesystem::path path_;
};

std::string read_text(const std::filesystem::path& path);

/// The rows of a CSV file with a header line (no quoting), each as header -> cell.
std::vector<std::map<std::string, std::string>> read_csv(const std::filesystem::path& path);

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::string out;
  std::string err;
};

/// Runs argv[0] with arguments, waits, and returns its exit code and output.
ProcessResult run_process(const std::vector<std::string>& argv,
                          const std::filesystem::path& cwd = {});

/// Starts argv in the background (output to files in `log_dir`) and returns its pid.
int spawn_process(const std::vector<std::string>& argv, const std::filesystem::path& log_dir,
                  const std::filesystem::path& cwd = {});

}  // namespace nsdf::test
