#include "preprocessing/Preprocess.h"

#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "core/ConfigLoader.h"
#include "core/Diagnostics.h"
#include "core/Error.h"
#include "core/Files.h"
#include "core/Log.h"
#include "core/Progress.h"
#include "core/Registry.h"

namespace nsdf::preprocessing {

namespace fs = std::filesystem;

void PreprocessOptions::declare(core::OptionSet<PreprocessOptions>& s) {
  using O = PreprocessOptions;
  s.add("output", &O::output, "the HDF5 sample file to write (one per split)").required();
  s.add("preset", &O::preset,
        "train: DeepSDF's training protocol; test: its test-time one (250k samples, variances "
        "0.05 and 0.0005) for the keys this section does not set")
      .one_of({"train", "test"});
  s.add("samples", &O::samples, "SDF samples per shape (near-surface + uniform)").positive();
  s.add("variances", &O::variances,
        "Gaussian variances of the near-surface perturbations, equal parts")
      .positive()
      .non_empty();
  s.add("uniform_fraction", &O::uniform_fraction, "fraction of samples uniform in [-1, 1]^3")
      .range(0, 1);
  s.add("buffer", &O::buffer, "unit-sphere normalization: the farthest vertex at 1 / buffer")
      .positive();
  s.add("surface_points", &O::surface_points,
        "points with normals on the surface, in original units (evaluation)")
      .non_negative();
  s.add("sign_method", &O::sign_method,
        "inside/outside: generalized winding number (robust to holes and flipped faces) or "
        "ray-parity voting")
      .one_of(geometry::sign_method_names());
  s.add("orient", &O::orient,
        "reorient faces consistently and outward first (needed by winding numbers for meshes "
        "with flipped faces)");
  s.add("parity_rays", &O::parity_rays, "rays per sample for ray_parity (odd)")
      .positive()
      .check([](int64_t v) { return v % 2 == 1 ? std::string() : "must be odd"; }, "odd");
  s.add("winding_beta", &O::winding_beta,
        "fast winding number accuracy (Barill et al.'s beta; larger is more exact)")
      .positive();
  s.section("views", &O::views, "view");
}

void ViewOptions::declare(core::OptionSet<ViewOptions>& s) {
  using O = ViewOptions;
  s.add("count", &O::count, "depth views per shape (0: none)").non_negative();
  s.add("width", &O::width, "image width in pixels").range(1, 8192);
  s.add("height", &O::height, "image height in pixels").range(1, 8192);
  s.add("fov_degrees", &O::fov_degrees, "vertical field of view").range(1e-3, 179.999);
  s.add("distance", &O::distance, "camera distance from the origin (normalized units)")
      .positive();
  s.add("placement", &O::placement,
        "fibonacci: the same evenly spread cameras for every shape; random: uniform on the "
        "sphere, different per shape")
      .one_of({"fibonacci", "random"});
}

PreparedPreprocess prepare_preprocess(const SourceRegistry& sources, const std::string& config,
                                      const std::vector<std::string>& overrides) {
  const core::ConfigNode root = core::load_config(config, overrides);
  core::Diagnostics diag;
  PreparedPreprocess run;
  run.resolved = core::ConfigNode::map();

  root.expect_keys({"preprocess", "seed", "num_threads"});
  const core::ConfigNode section = core::require_section(
      root, "preprocess", "a map with output, source and sampling options", diag);
  PreprocessOptions o;
  if (section && !section.is_map()) {
    diag.error(section, "expected a map with output, source and sampling options, got " +
                            section.kind_name());
    section.mark_subtree_read();
  } else if (section) {
    core::ConfigNode resolved = core::ConfigNode::map();
    if (auto spec = core::parse_component(section, "source", sources, diag)) {
      resolved.set("source", spec.resolved);
      run.source = spec.build();
      run.source_type = spec.type;
    }
    o = core::option_set<PreprocessOptions>().parse(section, diag);
    if (o.preset == "test") {
      const SamplingOptions test = deepsdf_test_preset();
      if (!section.peek("samples")) o.samples = test.samples;
      if (!section.peek("variances")) o.variances = test.variances;
    }
    core::option_set<PreprocessOptions>().write(o, resolved);
    run.resolved.set("preprocess", resolved);
  }
  struct Top {
    int64_t seed = 0;
    int64_t num_threads = 0;
    static void declare(core::OptionSet<Top>& s) {
      s.add("seed", &Top::seed, "seed of every random choice").non_negative();
      s.add("num_threads", &Top::num_threads, "threads (0: one per core)").non_negative();
    }
  };
  const Top top = core::option_set<Top>().parse(root, diag);
  core::option_set<Top>().write(top, run.resolved);
  core::report_unread_keys(root, diag);
  diag.throw_if_any();

  run.output = o.output.str();
  run.seed = static_cast<uint64_t>(top.seed);
  run.num_threads = top.num_threads;
  SamplingOptions& s = run.sampling;
  s.samples = o.samples;
  s.variances = o.variances;
  s.uniform_fraction = o.uniform_fraction;
  s.buffer = o.buffer;
  s.surface_points = o.surface_points;
  s.sign.sign_method = geometry::parse_sign_method(o.sign_method);
  s.sign.orient = o.orient;
  s.sign.parity_rays = static_cast<int>(o.parity_rays);
  s.sign.winding.beta = o.winding_beta;
  const ViewOptions& v = o.views;
  s.views.count = static_cast<int>(v.count);
  s.views.width = static_cast<int>(v.width);
  s.views.height = static_cast<int>(v.height);
  s.views.fov_degrees = v.fov_degrees;
  s.views.distance = v.distance;
  s.views.placement = v.placement;
  check_sampling_options(s);

  core::ConfigNode parameters = run.resolved.peek("preprocess").clone();
  parameters.erase("output");
  run.parameters = parameters.to_yaml();
  return run;
}

namespace {

std::string part_path(const std::string& parts_dir, const std::string& id) {
  return parts_dir + "/" + id + ".h5";
}

// A run of preprocessing: the listing, what is already done, and the work.
class PreprocessRun {
 public:
  explicit PreprocessRun(const PreparedPreprocess& run)
      : run_(run), parts_dir_(run.output + ".parts") {
    info_.method = "deepsdf";
    info_.parameters = run.parameters;
  }

  PreprocessSummary execute() {
    const auto t0 = std::chrono::steady_clock::now();
    summary_.output = run_.output;
    const std::vector<SourceShape> shapes = run_.source->shapes();
    summary_.shapes = static_cast<int64_t>(shapes.size());
    open_existing_output();

    std::vector<const SourceShape*> pending;
    for (const SourceShape& s : shapes) {
      if (old_ && old_->index_of(s.id) >= 0) {
        ++summary_.reused;
      } else if (usable_part(s.id)) {
        ++summary_.resumed;
      } else {
        pending.push_back(&s);
      }
    }
    if (old_ && pending.empty() && summary_.resumed == 0 &&
        old_->shape_ids().size() == shapes.size() && old_->failures().empty()) {
      summary_.up_to_date = true;
      summary_.seconds = seconds_since(t0);
      return summary_;
    }
    core::log::info("preprocess: {} shapes from {}: {} to do, {} done by an earlier run, {} in {}",
              shapes.size(), run_.source_type, pending.size(), summary_.resumed,
              summary_.reused, run_.output);
    process(pending);
    assemble(shapes);
    summary_.seconds = seconds_since(t0);
    return summary_;
  }

 private:
  static double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }

  // Whether an earlier run left this shape's part, made with the same parameters (a part of a
  // killed run with other parameters, or an unreadable one, is removed and redone).
  bool usable_part(const std::string& id) const {
    const std::string part = part_path(parts_dir_, id);
    if (!fs::exists(part)) return false;
    try {
      const SampleFile f(part);
      if (f.info().parameters == run_.parameters && f.index_of(id) == 0) return true;
      core::log::warn("preprocess: {} was made with other parameters: redoing it", part);
    } catch (const core::Error& e) {
      core::log::warn("preprocess: {} is unreadable ({}): redoing it", part, e.what());
    }
    std::error_code ec;
    fs::remove(part, ec);
    return false;
  }

  void open_existing_output() {
    if (!fs::exists(run_.output)) return;
    try {
      old_ = std::make_unique<SampleFile>(run_.output);
    } catch (const core::Error& e) {
      throw core::IoError(fmt::format(
          "{}: exists but is not a readable sample file ({}); delete it or choose another "
          "output",
          run_.output, e.what()));
    }
    NSDF_CHECK(old_->info().parameters == run_.parameters, core::ConfigError,
               "{}: exists and was made with other parameters; delete it or choose another "
               "output (shapes of two protocols are not mixed in one file)\n"
               "  its parameters:\n{}\n  this run's:\n{}",
               run_.output, old_->info().parameters, run_.parameters);
  }

  void process(const std::vector<const SourceShape*>& pending) {
    if (pending.empty()) return;
    core::Progress progress("preprocess", static_cast<int64_t>(pending.size()), 0, "shapes");
    std::mutex mutex;
    std::atomic<int64_t> done{0};
    auto one = [&](const SourceShape& shape) {
      try {
        const geometry::Mesh mesh = run_.source->load(shape);
        ShapeRecord record =
            sample_shape(mesh, run_.sampling, shape_seed(run_.seed, shape.id), shape.path);
        record.id = shape.id;
        record.source_path = shape.path;
        record.source_key = shape.key;
        record.source_frame = shape.frame;
        const std::string part = part_path(parts_dir_, shape.id);
        fs::create_directories(fs::path(part).parent_path());
        write_sample_file(part, info_, {record});
      } catch (const core::Error& e) {
        std::lock_guard<std::mutex> lock(mutex);
        failed_[shape.id] = e.what();
        core::log::warn("preprocess: shape '{}' failed: {}", shape.id, e.what());
      } catch (const std::bad_alloc&) {
        std::lock_guard<std::mutex> lock(mutex);
        failed_[shape.id] = shape.path + ": out of memory";
        core::log::warn("preprocess: shape '{}' failed: {}: out of memory", shape.id, shape.path);
      }
      const int64_t n = ++done;
      std::lock_guard<std::mutex> lock(mutex);
      progress.update(n, fmt::format("{} failed", failed_.size()));
    };
    const int threads = run_.num_threads > 0 ? static_cast<int>(run_.num_threads)
                                             : tbb::this_task_arena::max_concurrency();
    tbb::task_arena arena(threads);
    arena.execute([&] {
      tbb::parallel_for(size_t{0}, pending.size(), [&](size_t i) { one(*pending[i]); });
    });
    progress.finish(fmt::format("{} failed", failed_.size()));
    summary_.processed = static_cast<int64_t>(pending.size() - failed_.size());
  }

  void assemble(const std::vector<SourceShape>& shapes) {
    {
      SampleFileWriter writer(run_.output, info_);
      for (const SourceShape& s : shapes) {
        auto f = failed_.find(s.id);
        if (f != failed_.end()) {
          writer.add_failure(s.id, f->second);
          summary_.failures.emplace_back(s.id, f->second);
        } else if (old_ && old_->index_of(s.id) >= 0) {
          writer.add(old_->read(s.id));
        } else {
          writer.add(SampleFile(part_path(parts_dir_, s.id)).read(s.id));
        }
      }
      old_.reset();
      writer.commit();
    }
    std::error_code ec;
    fs::remove_all(parts_dir_, ec);
  }

  const PreparedPreprocess& run_;
  const std::string parts_dir_;
  SampleFileInfo info_;
  std::unique_ptr<SampleFile> old_;
  std::map<std::string, std::string> failed_;
  PreprocessSummary summary_;
};

}  // namespace

PreprocessSummary run_preprocess(const PreparedPreprocess& run) {
  NSDF_CHECK(run.source, core::ConfigError, "preprocess: no source");
  const fs::path folder = fs::path(run.output).parent_path();
  if (!folder.empty()) {
    std::error_code ec;
    fs::create_directories(folder, ec);
    NSDF_CHECK(!ec, core::IoError, "{}: cannot create the output folder: {}", folder.string(),
               ec.message());
  }
  core::remove_stale_temp_files(run.output);  // an earlier run killed while assembling
  return PreprocessRun(run).execute();
}

}  // namespace nsdf::preprocessing
