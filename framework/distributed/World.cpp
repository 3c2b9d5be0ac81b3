#include "distributed/World.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>

#include <fmt/format.h>

#include "core/Error.h"

namespace nsdf::distributed {

namespace {

// The value of `name` as an int in [lo, hi]; `fallback` when the variable is not set.
int int_var(const Environment& env, const char* name, int fallback, int lo, int hi) {
  const char* v = env(name);
  if (!v || !*v) return fallback;
  char* end = nullptr;
  errno = 0;
  const long x = std::strtol(v, &end, 10);
  NSDF_CHECK(end && *end == '\0' && errno == 0 && x >= lo && x <= hi, core::UsageError,
             "environment variable {}='{}': expected an integer in [{}, {}]", name, v, lo, hi);
  return static_cast<int>(x);
}

const char* set_or_null(const Environment& env, const char* name) {
  const char* v = env(name);
  return v && *v ? v : nullptr;
}

}  // namespace

std::string WorldInfo::describe() const {
  if (!distributed()) return "a single process";
  return fmt::format("rank {} of {} ({}, master {}:{})", rank, size, source, master_addr,
                     master_port);
}

std::string first_slurm_host(const std::string& nodelist) {
  // The first entry: up to the first comma outside brackets.
  std::string first;
  int depth = 0;
  for (char c : nodelist) {
    if (c == '[') ++depth;
    if (c == ']') --depth;
    if (c == ',' && depth == 0) break;
    first += c;
  }
  const auto open = first.find('[');
  std::string host = first;
  if (open != std::string::npos) {
    const auto close = first.find(']', open);
    NSDF_CHECK(close != std::string::npos, core::UsageError,
               "SLURM node list '{}': unbalanced '['", nodelist);
    const std::string inside = first.substr(open + 1, close - open - 1);
    // The first number of the range list keeps its zero padding: "003-010,012" -> "003".
    const std::string start = inside.substr(0, inside.find_first_of(",-"));
    host = first.substr(0, open) + start + first.substr(close + 1);
  }
  NSDF_CHECK(!host.empty() && host.find_first_of("[],") == std::string::npos, core::UsageError,
             "SLURM node list '{}': no host name in it", nodelist);
  return host;
}

WorldInfo world_from_environment(const Environment& given) {
  const Environment env = given ? given : Environment([](const char* n) { return std::getenv(n); });
  WorldInfo w;
  constexpr int kMaxRanks = 1 << 20;
  if (set_or_null(env, "WORLD_SIZE")) {
    w.source = "env";
    w.size = int_var(env, "WORLD_SIZE", 1, 1, kMaxRanks);
    NSDF_CHECK(w.size == 1 || set_or_null(env, "RANK"), core::UsageError,
               "WORLD_SIZE={} is set but RANK is not: set both (or use `nsdf launch`)", w.size);
    w.rank = int_var(env, "RANK", 0, 0, kMaxRanks);
    NSDF_CHECK(w.rank < w.size, core::UsageError, "RANK={} is not below WORLD_SIZE={}", w.rank,
               w.size);
    w.local_rank = int_var(env, "LOCAL_RANK", w.rank, 0, kMaxRanks);
    w.local_size = int_var(env, "LOCAL_WORLD_SIZE", w.size, 1, kMaxRanks);
    if (const char* addr = set_or_null(env, "MASTER_ADDR")) w.master_addr = addr;
    else
      NSDF_CHECK(w.size == 1, core::UsageError,
                 "WORLD_SIZE={} is set but MASTER_ADDR is not: set the address of rank 0's host",
                 w.size);
    w.master_port = int_var(env, "MASTER_PORT", w.master_port, 1, 65535);
  } else if (set_or_null(env, "SLURM_STEP_ID") && set_or_null(env, "SLURM_PROCID")) {
    w.source = "slurm";
    const char* tasks = set_or_null(env, "SLURM_STEP_NUM_TASKS") ? "SLURM_STEP_NUM_TASKS"
                                                                  : "SLURM_NTASKS";
    w.size = int_var(env, tasks, 1, 1, kMaxRanks);
    w.rank = int_var(env, "SLURM_PROCID", 0, 0, kMaxRanks);
    NSDF_CHECK(w.rank < w.size, core::UsageError, "SLURM_PROCID={} is not below {}={}", w.rank,
               tasks, w.size);
    w.local_rank = int_var(env, "SLURM_LOCALID", 0, 0, kMaxRanks);
    // Tasks on this node: SLURM_STEP_TASKS_PER_NODE is "2(x3),1"; this node's count is not
    // named there, so the step's largest one is a safe share of the cores.
    w.local_size = 1;
    if (const char* per_node = set_or_null(env, "SLURM_STEP_TASKS_PER_NODE")) {
      // Entries are "N" or "N(xM)", separated by commas: N is the count.
      bool at_entry = true;
      for (const char* p = per_node; *p; ++p) {
        if (at_entry && std::isdigit(static_cast<unsigned char>(*p)))
          w.local_size = std::max(w.local_size, std::atoi(p));
        at_entry = *p == ',';
      }
    }
    if (const char* addr = set_or_null(env, "MASTER_ADDR")) {
      w.master_addr = addr;
    } else {
      const char* list = set_or_null(env, "SLURM_STEP_NODELIST")
                             ? set_or_null(env, "SLURM_STEP_NODELIST")
                             : set_or_null(env, "SLURM_JOB_NODELIST");
      NSDF_CHECK(list || w.size == 1, core::UsageError,
                 "a SLURM step of {} tasks without SLURM_JOB_NODELIST or MASTER_ADDR: cannot "
                 "tell where rank 0 runs",
                 w.size);
      if (list) w.master_addr = first_slurm_host(list);
    }
    const int job = int_var(env, "SLURM_JOB_ID", 0, 0, 2147483647);
    w.master_port = int_var(env, "MASTER_PORT", 15000 + job % 20000, 1, 65535);
  }
  if (w.size == 1) w = WorldInfo{};
  return w;
}

}  // namespace nsdf::distributed
