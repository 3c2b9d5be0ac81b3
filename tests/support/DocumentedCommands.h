#pragma once
// The command lines and overrides that configs/ recommend in their comments. A config's
// documented variants are part of its interface, so tests run every one of them:
//
//   #   nsdf run configs/fit/igr_cpu.yaml experiment.input=scan.ply          a command line
//   #   nsdf preprocess configs/preprocess/chairs.yaml a.b=1 \              continued with '\'
//   #     a.c=2
//   #   ... a.d=3                        '...': the previous command line plus these overrides
//   # Without normals: experiment.normals=ignore.    key=value in prose: an override of this
//                                                    file's first command line for itself
//
// Overrides are `dotted.key=value` tokens (optionally `+dotted.key=value`); a prose token loses
// a trailing '.', ',', ';', ':' or ')'.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <string>
#include <vector>

namespace nsdf::test {

struct DocumentedCommand {
  std::string file;     ///< config holding the comment, relative to the source folder
  int line = 0;         ///< 1-based line where the comment starts
  std::string command;  ///< "run" or "preprocess"
  std::string config;   ///< the config it applies to, relative to the source folder
  std::vector<std::string> overrides;

  std::string where() const { return file + ":" + std::to_string(line); }
};

/// Every documented command of every .yaml under source_dir/configs, in file order.
inline std::vector<DocumentedCommand> documented_commands(const std::filesystem::path& source_dir) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (const auto& e : fs::recursive_directory_iterator(source_dir / "configs"))
    if (e.is_regular_file() && e.path().extension() == ".yaml") files.push_back(e.path());
  std::sort(files.begin(), files.end());

  static const std::regex command_re(R"(^\s*nsdf\s+(run|preprocess)\s+(\S+\.yaml)\b(.*)$)");
  static const std::regex override_re(R"((?:^|\s)(\+?[a-z_][a-z0-9_]*(?:\.[a-z0-9_]+)+=\S+))");
  std::vector<DocumentedCommand> out;
  for (const auto& path : files) {
    const std::string rel = fs::relative(path, source_dir).generic_string();
    std::ifstream in(path);
    std::string text, line;
    bool preprocess_file = false;
    std::vector<std::pair<int, std::string>> comments;  // logical comment lines
    int number = 0;
    bool continued = false;
    while (std::getline(in, line)) {
      ++number;
      if (line.rfind("preprocess:", 0) == 0) preprocess_file = true;
      if (line.empty() || line[0] != '#') {
        continued = false;
        continue;
      }
      std::string body = line.substr(1);
      const bool continues = !body.empty() && body.back() == '\\';
      if (continues) body.pop_back();
      if (continued) {
        comments.back().second += " " + body;
      } else {
        comments.emplace_back(number, body);
      }
      continued = continues;
    }
    const size_t file_begin = out.size();
    std::vector<size_t> prose_entries;
    int previous = -1;  // index in out of the last command line
    for (const auto& [start, body] : comments) {
      DocumentedCommand c;
      c.file = rel;
      c.line = start;
      std::string rest = body;
      std::smatch m;
      const auto first = body.find_first_not_of(" \t");
      const bool continuation =
          first != std::string::npos && body.compare(first, 3, "...") == 0 && previous >= 0;
      const bool prose = !continuation && !std::regex_match(body, m, command_re);
      if (continuation) {
        c.command = out[previous].command;
        c.config = out[previous].config;
        c.overrides = out[previous].overrides;
        rest = body.substr(first + 3);
      } else if (!prose) {
        c.command = m[1];
        c.config = m[2];
        rest = m[3];
      } else {
        c.command = preprocess_file ? "preprocess" : "run";
        c.config = rel;
      }
      bool any = false;
      for (auto it = std::sregex_iterator(rest.begin(), rest.end(), override_re);
           it != std::sregex_iterator(); ++it) {
        std::string token = (*it)[1];
        if (prose)
          while (!token.empty() && std::string(".,;:)").find(token.back()) != std::string::npos)
            token.pop_back();
        c.overrides.push_back(token);
        any = true;
      }
      if (!prose || any) {
        if (prose) prose_entries.push_back(out.size());
        out.push_back(c);
        if (!prose) previous = static_cast<int>(out.size()) - 1;
      }
    }
    // Prose advice applies to the way the file says to run itself (its input placeholders).
    for (size_t i = file_begin; i < out.size(); ++i) {
      const bool is_prose =
          std::find(prose_entries.begin(), prose_entries.end(), i) != prose_entries.end();
      if (is_prose || out[i].config != rel) continue;
      for (const size_t p : prose_entries)
        out[p].overrides.insert(out[p].overrides.begin(), out[i].overrides.begin(),
                                out[i].overrides.end());
      break;
    }
  }
  return out;
}

}  // namespace nsdf::test
