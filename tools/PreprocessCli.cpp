#include "PreprocessCli.h"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "CommandLine.h"
#include "core/Error.h"
#include "core/Json.h"
#include "core/Progress.h"
#include "preprocessing/DeepSdfLayout.h"
#include "preprocessing/Preprocess.h"
#include "preprocessing/SignCheck.h"

namespace nsdf::tools {

namespace {

namespace fs = std::filesystem;
using namespace preprocessing;

constexpr const char* kUsage = R"(usage: nsdf preprocess CONFIG [key=value ...]
       nsdf preprocess check FILE.h5 [--shape ID ...] [--queries N] [--seed S]
                                     [--max-fraction F]
       nsdf preprocess export FILE.h5 DIR
       nsdf preprocess import DIR OUT.h5 [--split SPLIT.json]

CONFIG: meshes of a source (ShapeNet, D-Faust, Stanford, a folder) to SDF samples, surface
points and depth views in one HDF5 file (schema: preprocessing/README.md), with DeepSDF's
protocol by default. Runs in parallel; run the same command again after an interruption to go
on where it stopped. Exits 1 when any shape failed (they are listed, the others are written).

check: the fraction of samples whose sign disagrees with an exact winding-number reference on
the source mesh, per shape (all shapes by default; N random samples each, default 20000, 0 for
all). With --max-fraction, exits 1 when a shape's fraction exceeds F.

export: the file in DeepSDF's layout (SdfSamples/, SurfaceSamples/, NormalizationParameters/,
split.json). import: DeepSDF's layout (all SdfSamples, or those SPLIT.json lists) to a file.
)";

int run_config(const std::vector<std::string>& args, const SourceRegistry& sources) {
  const CommandLine line = parse_command_line("preprocess", args, {}, {}, kUsage);
  const std::string& config = line.file;
  NSDF_CHECK(!config.empty(), core::UsageError, "preprocess: missing CONFIG\n{}", kUsage);
  const PreparedPreprocess run = prepare_preprocess(sources, config, line.overrides);
  const PreprocessSummary s = run_preprocess(run);
  if (s.up_to_date) {
    fmt::print("{}: up to date ({} shapes)\n", s.output, s.shapes);
    return 0;
  }
  fmt::print(
      "{}: {} shapes ({} processed in {}{}, {} from an interrupted run, {} kept), {} failed\n",
      s.output, s.shapes, s.processed, core::format_duration(s.seconds),
      s.processed > 0 ? fmt::format(", {:.2f} s per shape", s.seconds / s.processed) : "",
      s.resumed, s.reused, s.failures.size());
  for (const auto& [id, reason] : s.failures) fmt::print("  failed: {}: {}\n", id, reason);
  return s.failures.empty() ? 0 : 1;
}

std::string value_of(const std::vector<std::string>& args, size_t& i) {
  NSDF_CHECK(i + 1 < args.size(), core::UsageError, "preprocess: {} needs a value\n{}", args[i],
             kUsage);
  return args[++i];
}

double number_of(const std::vector<std::string>& args, size_t& i) {
  const std::string option = args[i];
  const std::string text = value_of(args, i);
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  NSDF_CHECK(!text.empty() && end == text.c_str() + text.size() && std::isfinite(v) && v >= 0,
             core::UsageError, "preprocess: {} expects a number >= 0, got '{}'", option, text);
  return v;
}

int run_check(const std::vector<std::string>& args, const SourceRegistry& sources) {
  std::string file;
  std::vector<std::string> ids;
  SignCheckOptions options;
  double max_fraction = -1;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--shape") {
      ids.push_back(value_of(args, i));
    } else if (args[i] == "--queries") {
      options.queries = static_cast<int64_t>(number_of(args, i));
    } else if (args[i] == "--seed") {
      options.seed = static_cast<uint64_t>(number_of(args, i));
    } else if (args[i] == "--max-fraction") {
      max_fraction = number_of(args, i);
    } else if (args[i].rfind("--", 0) == 0 || !file.empty()) {
      throw core::UsageError(fmt::format("preprocess check: unexpected '{}'\n{}", args[i], kUsage));
    } else {
      file = args[i];
    }
  }
  NSDF_CHECK(!file.empty(), core::UsageError, "preprocess check: missing FILE.h5\n{}", kUsage);
  const SampleFile samples(file);
  const auto source = source_from_parameters(sources, samples);
  options.orient = oriented_in_parameters(samples);
  if (ids.empty()) ids = samples.shape_ids();
  std::map<std::string, SourceShape> listed;
  for (SourceShape& s : source->shapes()) listed.emplace(s.id, std::move(s));
  bool exceeded = false;
  double worst = 0;
  for (const std::string& id : ids) {
    const ShapeRecord shape = samples.read(id);
    const auto src = listed.find(id);
    NSDF_CHECK(src != listed.end(), core::DataError,
               "{}: shape '{}' is not listed by its source any more", file, id);
    const SignCheckResult r = check_signs(shape, source->load(src->second), options);
    worst = std::max(worst, r.fraction());
    exceeded = exceeded || (max_fraction >= 0 && r.fraction() > max_fraction);
    fmt::print("{}: {} of {} checked samples disagree ({:.4f}%, 95% upper bound {:.4f}%); "
               "{} of them within {} of the surface ({} samples there)\n",
               id, r.disagree, r.checked, 100 * r.fraction(), 100 * r.upper95, r.near_disagree,
               options.near_band, r.near);
  }
  fmt::print("{} shapes, largest disagreement {:.4f}%\n", ids.size(), 100 * worst);
  return exceeded ? 1 : 0;
}

}  // namespace

int cmd_preprocess(const std::vector<std::string>& args, const SourceRegistry& sources) {
  for (const auto& a : args) {
    if (a == "-h" || a == "--help") return fmt::print("{}", kUsage), 0;
  }
  NSDF_CHECK(!args.empty(), core::UsageError, "preprocess: missing CONFIG\n{}", kUsage);
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "check") return run_check(rest, sources);
  if (args[0] == "export") {
    NSDF_CHECK(rest.size() == 2, core::UsageError, "preprocess export: expected FILE.h5 DIR\n{}",
               kUsage);
    const int64_t n = export_deepsdf(SampleFile(rest[0]), rest[1]);
    fmt::print("{}: {} shapes in DeepSDF's layout\n", rest[1], n);
    return 0;
  }
  if (args[0] == "import") {
    std::string split;
    std::vector<std::string> positional;
    for (size_t i = 0; i < rest.size(); ++i) {
      if (rest[i] == "--split") {
        split = value_of(rest, i);
      } else {
        positional.push_back(rest[i]);
      }
    }
    NSDF_CHECK(positional.size() == 2, core::UsageError,
               "preprocess import: expected DIR OUT.h5 [--split SPLIT.json]\n{}", kUsage);
    const int64_t n = import_deepsdf(positional[0], split, positional[1]);
    fmt::print("{}: {} shapes imported from {}\n", positional[1], n, positional[0]);
    return 0;
  }
  return run_config(args, sources);
}

}  // namespace nsdf::tools
