#include "report/Report.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <limits>
#include <map>
#include <set>

#include "core/Error.h"
#include "core/Files.h"
#include "core/Log.h"
#include "geometry/Image.h"
#include "geometry/MeshIo.h"
#include "geometry/Render.h"
#include "geometry/Simplify.h"
#include "report/Chart.h"
#include "report/Html.h"
#include "report/MeshPack.h"
#include "report/Pca.h"

namespace nsdf::report {

namespace fs = std::filesystem;

namespace {

constexpr const char* kAbsent = "(absent)";
const std::set<std::string> kNotCurves = {"step", "epoch", "time"};

std::string slug(const std::string& s) {
  std::string out;
  for (char c : s)
    out += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_')
               ? c
               : '_';
  return out.empty() ? "_" : out;
}

// A relative path as a URL: every byte outside the unreserved set and '/' percent-encoded.
std::string url(const fs::path& relative) {
  std::string out;
  for (unsigned char c : relative.generic_string()) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/')
      out += static_cast<char>(c);
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

void write_text(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  core::write_file_atomic(path.string(), text);
}

// "chamfer_l1_median" is the median twin of "chamfer_l1" in eval/metrics.json.
bool is_median(const std::string& key) {
  return key.size() > 7 && key.compare(key.size() - 7, 7, "_median") == 0;
}

std::string number_cell(double v) { return std::isfinite(v) ? fmt::format("{:.6g}", v) : ""; }

// The value of `key` in a run's eval/metrics.json, NaN when absent.
double summary_value(const RunFolder& run, const std::string& key) {
  for (const auto& [k, value] : run.summary)
    if (k == key) return value;
  return std::numeric_limits<double>::quiet_NaN();
}

// Evaluation means worth a column: the usual reconstruction metrics first, then the rest of
// the non-median top-level numbers, at most `cap`.
std::vector<std::string> summary_columns(const std::vector<RunFolder>& runs, std::size_t cap) {
  static const std::vector<std::string> kFirst = {
      "chamfer_l1", "chamfer_l2", "fscore", "normal_consistency", "hausdorff", "sdf_mae"};
  std::vector<std::string> all;
  std::set<std::string> seen;
  for (const auto& run : runs)
    for (const auto& [k, v] : run.summary) {
      if (is_median(k) || k.find('.') != std::string::npos || k == "shapes") continue;
      if (seen.insert(k).second) all.push_back(k);
    }
  std::vector<std::string> out;
  for (const auto& k : kFirst)
    if (seen.count(k)) out.push_back(k);
  for (const auto& k : all)
    if (std::find(out.begin(), out.end(), k) == out.end()) out.push_back(k);
  if (out.size() > cap) out.resize(cap);
  return out;
}

struct Section {
  std::string id, title, html;
};

class ReportWriter {
 public:
  ReportWriter(const std::vector<RunFolder>& runs, const ReportOptions& options)
      : runs_(runs), o_(options) {
    for (const auto& r : runs_) slugs_.push_back(slug(r.label));
    // Legends name a run by what differs ("loss.lambda=0.1 seed=1") when that is short, as in
    // a sweep; otherwise by its label.
    const std::vector<std::string> diff = differing_keys(runs_);
    for (const auto& r : runs_) {
      std::string text;
      for (const auto& k : diff) {
        if (k == "experiment.name" || k == "experiment.id") continue;
        const std::string v = r.config(k);
        text += (text.empty() ? "" : " ") + k.substr(k.rfind('.') + 1) + "=" + (v.empty() ? "-" : v);
      }
      legend_.push_back(!text.empty() && text.size() <= 40 && diff.size() <= 3 ? text : r.label);
    }
  }

  ReportSummary write() {
    fs::create_directories(o_.output);
    copy_assets();
    std::vector<Section> sections;
    sections.push_back({"runs", "Runs", runs_section()});
    if (runs_.size() > 1) {
      const std::string diff = differences_section();
      if (!diff.empty()) sections.push_back({"differences", "Config differences", diff});
      const std::string overlay = overlay_section();
      if (!overlay.empty()) sections.push_back({"curves", "Curves across runs", overlay});
    }
    for (std::size_t i = 0; i < runs_.size(); ++i)
      sections.push_back({"run-" + slugs_[i], runs_[i].label, run_section(i)});
    write_text(o_.output / "report.html", page(sections));
    summary_.html = o_.output / "report.html";
    summary_.runs = static_cast<int>(runs_.size());
    return summary_;
  }

 private:
  void copy_assets() {
    const fs::path three = o_.assets / "node_modules" / "three" / "build" / "three.cjs";
    for (const fs::path& f : {o_.assets / "viewer.js", o_.assets / "report.css", three})
      NSDF_CHECK(fs::is_regular_file(f), core::IoError,
                 "{}: missing (the report's assets: tools/setup.sh installs three.js from npm "
                 "into tools/report/node_modules; NSDF_REPORT_ASSETS names another tools/report "
                 "folder)",
                 f.string());
    write_text(o_.output / "assets" / "viewer.js", core::read_file((o_.assets / "viewer.js").string()));
    write_text(o_.output / "assets" / "report.css", core::read_file((o_.assets / "report.css").string()));
    // three.cjs is CommonJS; wrapped, it runs as a classic script (ES modules do not load
    // from file://) and defines window.THREE.
    write_text(o_.output / "assets" / "three.js",
               "(function(){var exports={};var module={exports:exports};\n" +
                   core::read_file(three.string()) + "\nwindow.THREE=module.exports;})();\n");
  }

  std::string chart(const Chart& c, const fs::path& file) {
    const std::string svg = chart_svg(c);
    write_text(o_.output / file, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + svg);
    ++summary_.charts;
    return svg;
  }

  // --- the runs table, and mean/std over seeds ---------------------------------------------
  std::string runs_section() {
    const std::vector<std::string> diff = differing_keys(runs_);
    std::vector<std::string> shown_diff(diff.begin(), diff.begin() + static_cast<std::ptrdiff_t>(std::min<std::size_t>(diff.size(), 8)));
    const std::vector<std::string> metrics = summary_columns(runs_, 10);
    Table t;
    t.header = {"run", "experiment"};
    for (const auto& k : shown_diff) t.header.push_back(k);
    t.header.insert(t.header.end(), {"steps", "final loss"});
    for (const auto& m : metrics) t.header.push_back(m);
    for (const auto& run : runs_) {
      std::vector<std::string> row = {run.label, run.experiment_type};
      for (const auto& k : shown_diff) {
        const std::string v = run.config(k);
        row.push_back(v.empty() ? kAbsent : v);
      }
      row.push_back(number_cell(final_metric(run, "step")));
      row.push_back(number_cell(final_metric(run, "loss")));
      for (const auto& m : metrics) {
        row.push_back(number_cell(summary_value(run, m)));
      }
      t.rows.push_back(std::move(row));
    }
    write_text(o_.output / "runs.csv", table_csv(t));
    write_text(o_.output / "runs.md", table_markdown(t));
    std::string html =
        "<p>Final loss: the last <code>loss</code> of metrics.jsonl. Evaluation columns: the "
        "means of eval/metrics.json (conventions in each run's eval/summary.md). Also as "
        "<a href=\"runs.csv\">runs.csv</a> and <a href=\"runs.md\">runs.md</a>.</p>\n" +
        table_html(t);
    if (std::find(diff.begin(), diff.end(), "seed") != diff.end())
      html += seeds_table(diff, t, 2 + shown_diff.size());
    return html;
  }

  // Runs that differ only in `seed` grouped: mean and (sample) std of each numeric column.
  std::string seeds_table(const std::vector<std::string>& diff, const Table& runs_table,
                          std::size_t first_numeric) {
    std::vector<std::string> group_keys;
    for (const auto& k : diff)
      if (k != "seed" && k != "experiment.name") group_keys.push_back(k);
    std::map<std::vector<std::string>, std::vector<std::size_t>> groups;
    std::vector<std::vector<std::string>> order;
    for (std::size_t i = 0; i < runs_.size(); ++i) {
      std::vector<std::string> key;
      for (const auto& k : group_keys) key.push_back(runs_[i].config(k));
      if (!groups.count(key)) order.push_back(key);
      groups[key].push_back(i);
    }
    Table t;
    t.header = group_keys;
    t.header.push_back("runs");
    for (std::size_t c = first_numeric; c < runs_table.header.size(); ++c) {
      t.header.push_back(runs_table.header[c] + " mean");
      t.header.push_back(runs_table.header[c] + " std");
    }
    for (const auto& key : order) {
      std::vector<std::string> row = key;
      const auto& members = groups[key];
      row.push_back(std::to_string(members.size()));
      for (std::size_t c = first_numeric; c < runs_table.header.size(); ++c) {
        std::vector<double> values;
        for (std::size_t i : members) {
          const std::string& cell = runs_table.rows[i][c];
          if (!cell.empty()) values.push_back(std::stod(cell));
        }
        double mean = 0, var = 0;
        for (double v : values) mean += v / static_cast<double>(values.size());
        for (double v : values) var += (v - mean) * (v - mean);
        const double sd = values.size() > 1 ? std::sqrt(var / static_cast<double>(values.size() - 1))
                                            : std::numeric_limits<double>::quiet_NaN();
        row.push_back(values.empty() ? "" : number_cell(mean));
        row.push_back(number_cell(sd));
      }
      t.rows.push_back(std::move(row));
    }
    write_text(o_.output / "runs_by_seed.csv", table_csv(t));
    write_text(o_.output / "runs_by_seed.md", table_markdown(t));
    return "<h3>Mean and standard deviation over seeds</h3>\n<p>Runs that differ only in "
           "<code>seed</code>, grouped (std: sample standard deviation, n - 1). Also as "
           "<a href=\"runs_by_seed.csv\">runs_by_seed.csv</a>.</p>\n" +
           table_html(t);
  }

  std::string differences_section() {
    const std::vector<std::string> diff = differing_keys(runs_);
    if (diff.empty()) return "";
    Table t;
    t.header = {"key"};
    for (const auto& r : runs_) t.header.push_back(r.label);
    for (const auto& k : diff) {
      std::vector<std::string> row = {k};
      for (const auto& r : runs_) {
        const std::string v = r.config(k);
        row.push_back(v.empty() ? kAbsent : v);
      }
      t.rows.push_back(std::move(row));
    }
    return "<p>Every config key whose value is not the same in all runs.</p>\n" + table_html(t);
  }

  // --- curves -------------------------------------------------------------------------------
  static Series series_of(const RunFolder& run, const std::string& key, const std::string& label) {
    Series s;
    s.label = label;
    for (std::size_t i = 0; i < run.metrics.size(); ++i) {
      const auto& row = run.metrics[i];
      const auto it = row.find(key);
      if (it == row.end()) continue;
      const auto step = row.find("step");
      s.x.push_back(step != row.end() ? step->second : static_cast<double>(i + 1));
      s.y.push_back(it->second);
    }
    return s;
  }

  static bool wide_positive(const std::vector<Series>& series) {
    double lo = std::numeric_limits<double>::infinity(), hi = 0;
    for (const auto& s : series)
      for (double v : s.y) {
        if (!std::isfinite(v)) continue;
        if (v <= 0) return false;
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
    return std::isfinite(lo) && hi / lo > 30;
  }

  std::string run_curves(std::size_t i) {
    const RunFolder& run = runs_[i];
    std::vector<std::string> keys, lr_keys;
    for (const auto& k : run.metric_keys) {
      if (kNotCurves.count(k)) continue;
      (k.rfind("lr", 0) == 0 ? lr_keys : keys).push_back(k);
    }
    std::string html;
    int count = 0;
    for (const auto& k : keys) {
      if (count++ >= o_.max_charts_per_run) break;
      Chart c;
      c.title = k;
      c.series = {series_of(run, k, k)};
      c.log_y = wide_positive(c.series);
      html += chart(c, fs::path("curves") / slugs_[i] / (slug(k) + ".svg"));
    }
    if (!lr_keys.empty() && count < o_.max_charts_per_run) {
      Chart c;
      c.title = "learning rate";
      for (const auto& k : lr_keys) c.series.push_back(series_of(run, k, k));
      c.log_y = true;
      html += chart(c, fs::path("curves") / slugs_[i] / "learning_rate.svg");
    }
    if (html.empty()) return "";
    return "<h3>Curves</h3>\n<p>From metrics.jsonl, over the logged step" +
           std::string(run.skipped_metric_lines
                           ? fmt::format(" ({} unreadable lines skipped)", run.skipped_metric_lines)
                           : "") +
           ".</p>\n<div class=\"curves\">\n" + html + "</div>\n";
  }

  std::string overlay_section() {
    std::vector<std::string> keys;
    std::map<std::string, int> runs_with;
    for (const auto& run : runs_)
      for (const auto& k : run.metric_keys)
        if (!kNotCurves.count(k) && runs_with[k]++ == 0) keys.push_back(k);
    std::string html;
    int count = 0;
    for (const auto& k : keys) {
      if (runs_with[k] < 2) continue;
      if (count++ >= o_.max_charts_per_run) break;
      Chart c;
      c.title = k;
      for (std::size_t i = 0; i < runs_.size(); ++i) {
        const RunFolder& run = runs_[i];
        if (std::find(run.metric_keys.begin(), run.metric_keys.end(), k) != run.metric_keys.end())
          c.series.push_back(series_of(run, k, legend_[i]));
      }
      c.log_y = wide_positive(c.series) || k.rfind("lr", 0) == 0;
      html += chart(c, fs::path("curves") / "all" / (slug(k) + ".svg"));
    }
    if (html.empty()) return "";
    return "<p>Each metric logged by two or more runs, one line per run (hover a line for its "
           "run).</p>\n<div class=\"curves\">\n" + html + "</div>\n";
  }

  // --- evaluation, pictures, viewers, latent map -----------------------------------------
  std::string evaluation(std::size_t i) {
    const RunFolder& run = runs_[i];
    if (run.summary.empty() && run.per_shape.empty()) return "";
    std::string html = "<h3>Evaluation</h3>\n";
    if (!run.summary.empty()) {
      // "x" and "x_median" side by side.
      Table t;
      t.header = {"metric", "value (mean)", "median"};
      std::map<std::string, double> median, value;
      for (const auto& [k, v] : run.summary)
        (is_median(k) ? median[k.substr(0, k.size() - 7)] : value[k]) = v;
      for (const auto& [k, v] : run.summary) {
        if (is_median(k) && value.count(k.substr(0, k.size() - 7))) continue;
        const auto m = median.find(k);
        t.rows.push_back({k, number_cell(v), m == median.end() ? "" : number_cell(m->second)});
      }
      html += "<details" + std::string(t.rows.size() <= 16 ? " open" : "") +
              "><summary>eval/metrics.json</summary>\n" + table_html(t) + "</details>\n";
    }
    if (run.per_shape.size() > 1) {
      Table t;
      t.header = run.per_shape[0];
      t.rows.assign(run.per_shape.begin() + 1, run.per_shape.end());
      html += fmt::format("<details><summary>eval/per_shape.csv ({} shapes)</summary>\n",
                          t.rows.size()) +
              table_html(t) + "</details>\n";
    }
    return html;
  }

  std::string pictures(std::size_t i) {
    const RunFolder& run = runs_[i];
    if (run.images.empty()) return "";
    std::string html = "<h3>Pictures</h3>\n<div class=\"images\">\n";
    const std::size_t shown = std::min(run.images.size(), static_cast<std::size_t>(o_.max_images_per_run));
    for (std::size_t k = 0; k < shown; ++k) {
      const fs::path rel = fs::path("images") / slugs_[i] / fs::relative(run.images[k], "images");
      write_text(o_.output / rel, core::read_file((run.path / run.images[k]).string()));
      html += fmt::format(
          "<figure><img loading=\"lazy\" src=\"{}\" alt=\"{}\"><figcaption>{}</figcaption></figure>\n",
          url(rel), html_escape(run.images[k].generic_string()),
          html_escape(run.images[k].generic_string()));
      ++summary_.images;
    }
    html += "</div>\n";
    if (shown < run.images.size())
      html += fmt::format("<p class=\"note\">{} more pictures in {}/images.</p>\n",
                          run.images.size() - shown, html_escape(run.path.string()));
    return html;
  }

  // Which meshes get a viewer: round robin over the runs, so each run gets its share.
  std::vector<std::vector<std::size_t>> viewer_choice() const {
    std::vector<std::vector<std::size_t>> chosen(runs_.size());
    int left = o_.max_viewers;
    for (std::size_t round = 0; left > 0; ++round) {
      bool any = false;
      for (std::size_t i = 0; i < runs_.size() && left > 0; ++i)
        if (round < runs_[i].meshes.size()) {
          chosen[i].push_back(round);
          --left;
          any = true;
        }
      if (!any) break;
    }
    return chosen;
  }

  std::string viewers(std::size_t i, const std::vector<std::size_t>& chosen) {
    const RunFolder& run = runs_[i];
    if (chosen.empty()) return "";
    std::string html = "<h3>3D</h3>\n<p>Drag to turn, wheel to zoom, double-click to reset.";
    if (chosen.size() < run.meshes.size())
      html += fmt::format(" {} of the run's {} meshes (the report shows at most {} viewers).",
                          chosen.size(), run.meshes.size(), o_.max_viewers);
    html += "</p>\n<div class=\"viewers\">\n";
    for (std::size_t k : chosen) {
      const fs::path& rel = run.meshes[k];
      const geometry::Mesh full = geometry::read_mesh((run.path / rel).string());
      if (full.V.empty()) continue;
      const geometry::Mesh mesh = geometry::simplify_by_clustering(full, o_.max_viewer_faces);
      std::string stem = fs::relative(rel, "meshes").replace_extension().generic_string();
      const std::string name = slugs_[i] + "/" + slug(stem);
      const fs::path js = fs::path("meshes") / slugs_[i] / (slug(stem) + ".js");
      write_text(o_.output / js, mesh_script(name, mesh));
      std::string caption = fmt::format("{} ({} {})", stem, mesh.F.empty() ? mesh.V.size() : mesh.F.size(),
                                        mesh.F.empty() ? "points" : "triangles");
      if (mesh.F.size() < full.F.size())
        caption += fmt::format(", simplified from {}", full.F.size());
      html += fmt::format(
          "<figure class=\"viewer\" data-mesh=\"{}\" data-name=\"{}\"><figcaption>{}</figcaption>"
          "</figure>\n",
          url(js), html_escape(name), html_escape(caption));
      ++summary_.viewers;
    }
    return html + "</div>\n";
  }

  std::string latent_map(std::size_t i) {
    const RunFolder& run = runs_[i];
    if (run.codes_file.empty() || !o_.load_codes) return "";
    const CodeTable codes = o_.load_codes(run.codes_file);
    if (codes.size() < 2) return "";
    std::vector<std::vector<float>> values;
    for (const auto& [id, z] : codes) values.push_back(z);
    const Projection2d p = pca_2d(values);
    double lo[2] = {0, 0}, hi[2] = {0, 0};
    for (const auto& q : p.points)
      for (int a = 0; a < 2; ++a) {
        lo[a] = std::min(lo[a], q[static_cast<std::size_t>(a)]);
        hi[a] = std::max(hi[a], q[static_cast<std::size_t>(a)]);
      }
    const int size = 640, margin = 44, thumb = 60;
    const auto px = [&](double v, int a) {
      const double span = hi[a] - lo[a] > 0 ? hi[a] - lo[a] : 1;
      const double t = (v - lo[a]) / span;
      return a == 0 ? margin + t * (size - 2 * margin) : size - margin - t * (size - 2 * margin);
    };
    std::string svg = fmt::format(
        "<svg class=\"latent-map\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" "
        "height=\"{0}\" viewBox=\"0 0 {0} {0}\" font-family=\"sans-serif\" font-size=\"11\">\n"
        "<rect width=\"{0}\" height=\"{0}\" fill=\"white\" stroke=\"#ccc\"/>\n"
        "<text x=\"{1}\" y=\"{2}\" text-anchor=\"middle\">PC1 ({3:.0f}% of the variance)</text>\n"
        "<text x=\"14\" y=\"{1}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {1})\">PC2 "
        "({4:.0f}%)</text>\n",
        size, size / 2, size - 8, 100 * p.explained[0], 100 * p.explained[1]);
    int thumbs = 0;
    for (std::size_t k = 0; k < codes.size(); ++k) {
      const std::string& id = codes[k].first;
      const double x = px(p.points[k][0], 0), y = px(p.points[k][1], 1);
      svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3\" fill=\"#1f77b4\"><title>{}</title></circle>\n",
                         x, y, html_escape(id));
      const fs::path mesh_file = run.path / "meshes" / (id + ".ply");
      if (thumbs >= o_.max_thumbnails || !fs::exists(mesh_file)) continue;
      const geometry::Mesh mesh =
          geometry::simplify_by_clustering(geometry::read_mesh(mesh_file.string()), 20000);
      if (mesh.V.empty()) continue;
      geometry::RenderOptions ro;
      ro.width = ro.height = o_.thumbnail_size;
      const fs::path rel = fs::path("thumbs") / slugs_[i] / (slug(id) + ".png");
      fs::create_directories((o_.output / rel).parent_path());
      geometry::write_png(geometry::render(mesh, ro), (o_.output / rel).string());
      svg += fmt::format(
          "<image href=\"{}\" x=\"{:.1f}\" y=\"{:.1f}\" width=\"{}\" height=\"{}\"><title>{}</title></image>\n",
          url(rel), x - thumb / 2.0, y - thumb / 2.0, thumb, thumb, html_escape(id));
      ++thumbs;
    }
    svg += "</svg>\n";
    ++summary_.latent_maps;
    return fmt::format(
               "<h3>Latent map</h3>\n<p>The {} codes of latents/latents.pt projected on their two "
               "principal directions (PCA){}; hover for the shape id.</p>\n",
               codes.size(),
               thumbs ? fmt::format(", {} drawn as their meshes", thumbs) : std::string()) +
           "<div class=\"latent\">\n" + svg + "</div>\n";
  }

  std::string run_section(std::size_t i) {
    const RunFolder& run = runs_[i];
    if (chosen_.empty()) chosen_ = viewer_choice();
    std::string html = fmt::format(
        "<p class=\"meta\">{} <code>{}</code> &middot; {}</p>\n",
        html_escape(run.experiment_type.empty() ? "run" : run.experiment_type),
        html_escape(run.experiment_name), html_escape(run.path.string()));
    html += run_curves(i);
    html += evaluation(i);
    html += pictures(i);
    html += viewers(i, chosen_[i]);
    html += latent_map(i);
    html += "<details><summary>config.yaml</summary><pre>" + html_escape(run.config_text) +
            "</pre></details>\n";
    return html;
  }

  std::string page(const std::vector<Section>& sections) const {
    char date[64] = "";
    const std::time_t now = std::time(nullptr);
    std::strftime(date, sizeof date, "%Y-%m-%d %H:%M", std::localtime(&now));
    std::string html = fmt::format(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<title>{0}</title>\n<link rel=\"stylesheet\" href=\"assets/report.css\">\n</head>\n"
        "<body>\n<header>\n<h1>{0}</h1>\n<p class=\"meta\">{1} run{2}, written by nsdf report "
        "on {3}.</p>\n<nav>\n",
        html_escape(o_.title), runs_.size(), runs_.size() == 1 ? "" : "s", date);
    for (const auto& s : sections)
      html += fmt::format("<a href=\"#{}\">{}</a>\n", s.id, html_escape(s.title));
    html += "</nav>\n</header>\n<main>\n";
    for (const auto& s : sections)
      html += fmt::format("<section id=\"{}\">\n<h2>{}</h2>\n{}</section>\n", s.id,
                          html_escape(s.title), s.html);
    html += "</main>\n<script src=\"assets/three.js\"></script>\n"
            "<script src=\"assets/viewer.js\"></script>\n</body>\n</html>\n";
    return html;
  }

  const std::vector<RunFolder>& runs_;
  const ReportOptions& o_;
  std::vector<std::string> slugs_, legend_;
  std::vector<std::vector<std::size_t>> chosen_;
  ReportSummary summary_;
};

}  // namespace

std::vector<std::string> differing_keys(const std::vector<RunFolder>& runs) {
  std::vector<std::string> order;
  std::map<std::string, std::set<std::string>> values;
  for (const auto& run : runs)
    for (const auto& [k, v] : run.config_values)
      if (values[k].empty() && std::find(order.begin(), order.end(), k) == order.end())
        order.push_back(k);
  for (const auto& k : order)
    for (const auto& run : runs) {
      const std::string v = run.config(k);
      values[k].insert(v.empty() ? kAbsent : v);
    }
  std::vector<std::string> out, names;
  for (const auto& k : order) {
    if (values[k].size() < 2) continue;
    (k == "experiment.name" || k == "experiment.id" ? names : out).push_back(k);
  }
  return out.empty() ? names : out;
}

double final_metric(const RunFolder& run, const std::string& key) {
  for (auto it = run.metrics.rbegin(); it != run.metrics.rend(); ++it) {
    const auto f = it->find(key);
    if (f != it->end() && std::isfinite(f->second)) return f->second;
  }
  return std::numeric_limits<double>::quiet_NaN();
}

ReportSummary write_report(const std::vector<RunFolder>& runs, const ReportOptions& options) {
  NSDF_CHECK(!runs.empty(), core::DataError, "nsdf report: no runs to report");
  return ReportWriter(runs, options).write();
}

}  // namespace nsdf::report
