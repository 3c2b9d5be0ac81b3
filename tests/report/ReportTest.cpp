#include "report/Report.h"

#include <gtest/gtest.h>

#include <regex>

#include "core/Error.h"
#include "core/Files.h"
#include "geometry/Image.h"
#include "geometry/MeshIo.h"
#include "geometry/TestMeshes.h"
#include "report/MeshPack.h"
#include "report/RunFolder.h"
#include "support/TestFiles.h"

namespace nsdf::report {
namespace {

namespace fs = std::filesystem;

int count(const std::string& s, const std::string& what) {
  int n = 0;
  for (auto p = s.find(what); p != std::string::npos; p = s.find(what, p + 1)) ++n;
  return n;
}

// A run folder as `nsdf run` leaves it.
fs::path make_run(const test::TempDir& tmp, const std::string& rel, double lr, int seed,
                  double chamfer, bool with_mesh = true) {
  const std::string base = rel + "/";
  tmp.write(base + "config.yaml",
            "experiment:\n  type: fit\n  name: sweep\n  iterations: 3\nloss:\n  type: igr\n  "
            "lambda: 0.1\noptimizer:\n  lr: " +
                std::to_string(lr) + "\nseed: " + std::to_string(seed) + "\n");
  tmp.write(base + "metrics.jsonl",
            "{\"step\": 1, \"loss\": 1.0, \"eikonal\": 0.5, \"lr\": 0.001, \"time\": 0.1}\n"
            "{\"step\": 2, \"loss\": 0.1, \"eikonal\": null, \"lr\": 0.001, \"time\": 0.2}\n"
            "{\"step\": 3, \"loss\": 0.01, \"eikonal\": 0.05, \"lr\": 0.0005, \"time\": 0.3}\n"
            "{\"step\": 4, \"lo");  // killed mid-line
  tmp.write(base + "eval/metrics.json",
            "{\n  \"chamfer_l1\": " + std::to_string(chamfer) +
                ",\n  \"chamfer_l1_median\": 0.5,\n  \"fscore\": 0.9\n}\n");
  tmp.write(base + "eval/per_shape.csv", "id,class,chamfer_l1\nbunny,,0.25\n");
  if (with_mesh) {
    fs::create_directories(tmp.path() / rel / "meshes");
    geometry::write_mesh(geometry::test_meshes::torus_mesh(1, 0.3, 32, 16),
                         (tmp.path() / rel / "meshes" / "bunny.ply").string());
    fs::create_directories(tmp.path() / rel / "images");
    geometry::write_png(geometry::Image(8, 4, {200, 10, 10}),
                        (tmp.path() / rel / "images" / "bunny.png").string());
  }
  return tmp.path() / rel;
}

fs::path make_assets(const test::TempDir& tmp) {
  tmp.write("assets/viewer.js", "/* viewer */\n");
  tmp.write("assets/report.css", "body {}\n");
  tmp.write("assets/node_modules/three/build/three.cjs", "exports.REVISION = '1';\n");
  return tmp.path() / "assets";
}

TEST(RunFolder, ReadsWhatARunLeaves) {
  test::TempDir tmp;
  const RunFolder run = read_run_folder(make_run(tmp, "runs/a/1", 0.001, 0, 0.25));
  EXPECT_EQ(run.experiment_type, "fit");
  EXPECT_EQ(run.config("loss.lambda"), "0.1");
  ASSERT_EQ(run.metrics.size(), 3u);  // the torn last line is skipped and counted
  EXPECT_EQ(run.skipped_metric_lines, 1);
  EXPECT_TRUE(std::isnan(run.metrics[1].at("eikonal")));
  EXPECT_DOUBLE_EQ(final_metric(run, "eikonal"), 0.05);  // the last finite value
  EXPECT_EQ(run.metric_keys, (std::vector<std::string>{"step", "loss", "eikonal", "lr", "time"}));
  ASSERT_EQ(run.summary.size(), 3u);
  EXPECT_EQ(run.summary[0].first, "chamfer_l1");
  EXPECT_EQ(run.per_shape.size(), 2u);
  EXPECT_EQ(run.meshes, (std::vector<fs::path>{"meshes/bunny.ply"}));
  EXPECT_EQ(run.images, (std::vector<fs::path>{"images/bunny.png"}));
}

TEST(RunFolder, FindsRunsBelowASweepFolderAndNamesThem) {
  test::TempDir tmp;
  make_run(tmp, "sweep/lr_0.001/20260101-000000", 0.001, 0, 0.3);
  make_run(tmp, "sweep/lr_0.01/20260101-000000", 0.01, 0, 0.2);
  const auto runs = find_run_folders({tmp.path() / "sweep"});
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].label, "lr_0.001/20260101-000000");
  EXPECT_EQ(runs[1].label, "lr_0.01/20260101-000000");
  // One run given directly: named "<parent>/<id>"; the same folder twice gets a unique label.
  const auto one = find_run_folders({runs[0].path, runs[0].path});
  EXPECT_EQ(one[0].label, "lr_0.001/20260101-000000");
  EXPECT_EQ(one[1].label, "lr_0.001/20260101-000000#2");
}

TEST(RunFolder, ErrorsNameTheFolder) {
  test::TempDir tmp;
  fs::create_directories(tmp.path() / "empty");
  try {
    find_run_folders({tmp.path() / "empty"});
    FAIL();
  } catch (const core::DataError& e) {
    EXPECT_NE(std::string(e.what()).find("empty: holds no run folder"), std::string::npos);
  }
  EXPECT_THROW(find_run_folders({tmp.path() / "missing"}), core::IoError);
  tmp.write("bad/config.yaml", "experiment: [unclosed\n");
  EXPECT_THROW(find_run_folders({tmp.path() / "bad"}), core::ConfigError);
}

TEST(Report, WritesTablesCurvesViewersAndAssets) {
  test::TempDir tmp;
  make_run(tmp, "sweep/a", 0.001, 0, 0.3);
  make_run(tmp, "sweep/b", 0.001, 1, 0.5);
  make_run(tmp, "sweep/c", 0.01, 0, 0.2, false);
  ReportOptions o;
  o.output = tmp.path() / "out";
  o.assets = make_assets(tmp);
  const auto runs = find_run_folders({tmp.path() / "sweep"});
  EXPECT_EQ(differing_keys(runs), (std::vector<std::string>{"optimizer.lr", "seed"}));
  const ReportSummary s = write_report(runs, o);
  EXPECT_EQ(s.runs, 3);
  EXPECT_EQ(s.viewers, 2);
  EXPECT_EQ(s.images, 2);
  const std::string html = test::read_text(o.output / "report.html");
  EXPECT_EQ(html.rfind("<!doctype html>", 0), 0u);
  EXPECT_EQ(count(html, "<figure class=\"viewer\""), 2);
  EXPECT_NE(html.find("data-mesh=\"meshes/a/bunny.js\""), std::string::npos);
  EXPECT_NE(html.find("<img loading=\"lazy\" src=\"images/a/bunny.png\""), std::string::npos);
  // Per run: loss, eikonal, learning rate; across runs: loss, eikonal, lr.
  EXPECT_EQ(count(html, "<svg class=\"curve\""), 3 * 3 + 3);
  EXPECT_EQ(s.charts, 12);
  EXPECT_TRUE(fs::exists(o.output / "curves" / "all" / "loss.svg"));
  // Overlaid curves name each run by what differs.
  EXPECT_NE(test::read_text(o.output / "curves" / "all" / "loss.svg").find(">lr=0.001000 seed=1<"),
            std::string::npos);
  EXPECT_NE(html.find("<script src=\"assets/three.js\"></script>"), std::string::npos);
  const std::string three = test::read_text(o.output / "assets" / "three.js");
  EXPECT_NE(three.find("exports.REVISION = '1';"), std::string::npos);
  EXPECT_NE(three.find("window.THREE=module.exports;"), std::string::npos);

  // The viewer mesh decodes to the run's mesh.
  const std::string js = test::read_text(o.output / "meshes" / "a" / "bunny.js");
  const std::smatch m = [&] {
    std::smatch r;
    std::regex_search(js, r, std::regex("nsdfMesh\\(\"a/bunny\", \"([^\"]+)\"\\);"));
    return r;
  }();
  ASSERT_EQ(m.size(), 2u);
  const geometry::Mesh mesh = unpack_mesh(base64_decode(m[1].str()), "bunny.js");
  EXPECT_EQ(mesh.F.size(), 32u * 16u * 2u);

  // The runs table: differing keys, final loss, evaluation means; and seeds aggregated.
  const auto rows = test::read_csv(o.output / "runs.csv");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].at("run"), "a");
  EXPECT_EQ(rows[0].at("optimizer.lr"), "0.001000");
  EXPECT_EQ(rows[0].at("seed"), "0");
  EXPECT_EQ(rows[0].at("final loss"), "0.01");
  EXPECT_EQ(rows[1].at("chamfer_l1"), "0.5");
  EXPECT_EQ(rows[0].count("chamfer_l1_median"), 0u);
  const auto seeds = test::read_csv(o.output / "runs_by_seed.csv");
  ASSERT_EQ(seeds.size(), 2u);  // lr 0.001 (2 seeds), lr 0.01 (1)
  EXPECT_EQ(seeds[0].at("runs"), "2");
  EXPECT_EQ(seeds[0].at("chamfer_l1 mean"), "0.4");
  EXPECT_NEAR(std::stod(seeds[0].at("chamfer_l1 std")), 0.141421, 1e-5);
  EXPECT_EQ(seeds[1].at("chamfer_l1 std"), "");
  EXPECT_NE(test::read_text(o.output / "runs.md").find("| a | fit |"), std::string::npos);
}

TEST(Report, CapsViewersAcrossRuns) {
  test::TempDir tmp;
  for (const char* r : {"s/a", "s/b", "s/c"}) make_run(tmp, r, 0.001, 0, 0.1);
  ReportOptions o;
  o.output = tmp.path() / "out";
  o.assets = make_assets(tmp);
  o.max_viewers = 2;
  const ReportSummary s = write_report(find_run_folders({tmp.path() / "s"}), o);
  EXPECT_EQ(s.viewers, 2);
}

TEST(Report, LatentMapPlacesEveryCode) {
  test::TempDir tmp;
  const fs::path run = make_run(tmp, "train/1", 0.001, 0, 0.1);
  tmp.write("train/1/latents/latents.pt", "stand-in");  // read by load_codes below
  ReportOptions o;
  o.output = tmp.path() / "out";
  o.assets = make_assets(tmp);
  o.load_codes = [&](const fs::path& file) {
    EXPECT_EQ(file, run / "latents" / "latents.pt");
    return CodeTable{{"bunny", {1, 0, 0}}, {"b", {0, 1, 0}}, {"c", {0, 0, 1}}, {"d", {1, 1, 0}}};
  };
  const ReportSummary s = write_report(find_run_folders({run}), o);
  EXPECT_EQ(s.latent_maps, 1);
  const std::string html = test::read_text(o.output / "report.html");
  const std::string map = html.substr(html.find("class=\"latent-map\""));
  EXPECT_EQ(count(map, "<circle"), 4);
  EXPECT_EQ(count(html, "<image href=\"thumbs/"), 1);  // only bunny has a mesh
  const geometry::Image thumb = geometry::read_png((o.output / "thumbs" / "train_1" / "bunny.png").string());
  EXPECT_EQ(thumb.width, 96);
}

TEST(Report, MissingAssetsSayHowToInstallThem) {
  test::TempDir tmp;
  make_run(tmp, "r/1", 0.001, 0, 0.1);
  ReportOptions o;
  o.output = tmp.path() / "out";
  o.assets = tmp.path() / "nowhere";
  try {
    write_report(find_run_folders({tmp.path() / "r"}), o);
    FAIL();
  } catch (const core::IoError& e) {
    EXPECT_NE(std::string(e.what()).find("tools/setup.sh"), std::string::npos);
  }
}

}  // namespace
}  // namespace nsdf::report
