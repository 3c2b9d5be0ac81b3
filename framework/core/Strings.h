#pragma once
// Small string helpers shared by config errors and the command line.

#include <cstdint>
#include <string>
#include <vector>

namespace nsdf::core {

/// Levenshtein distance between a and b.
int edit_distance(const std::string& a, const std::string& b);

/// The candidate closest to `name` if it is close enough to be a likely typo, else "".
std::string closest_name(const std::string& name, const std::vector<std::string>& candidates);

/// " (did you mean 'x'?)" when a close candidate exists, else "".
std::string did_you_mean(const std::string& name, const std::vector<std::string>& candidates);

/// Joins items with sep.
std::string join(const std::vector<std::string>& items, const std::string& sep);

/// A byte count for people: "512 B", "3.4 MiB", "1.2 GiB".
std::string format_bytes(int64_t bytes);

}  // namespace nsdf::core
