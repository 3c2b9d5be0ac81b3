#!/usr/bin/env bash
# The report in a real browser (CTest: ReportInBrowser). Makes the reports the README shows —
# the quickstart shape space (shortened) and a sweep of four quick IGR fits (two lambdas x two
# seeds, `nsdf sweep`) — with the real `nsdf`, then opens each report.html from disk in Debian's
# headless Chromium (tests/browser/check_report.mjs): every 3D viewer draws a framed, non-blank mesh,
# every curve is drawn, every picture loads, no console errors. Then it checks that the checker
# fails on a deliberately broken report (tests/browser/make_fixture.mjs --broken all).
#
#   tests/browser/report_browser_test.sh NSDF_BINARY SOURCE_DIR [WORK_DIR]
#
# Without Chromium, Node.js or tools/report/node_modules (tools/setup.sh installs them) it
# exits 77 (skipped) — except under CI=true, where that is a failure.
set -euo pipefail
nsdf=$1
src=$(cd "$2" && pwd)
work=${3:-}
if [ -z "$work" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi

missing=()
command -v node >/dev/null || missing+=(node)
[ -x /usr/bin/chromium ] || missing+=(/usr/bin/chromium)
[ -d "$src/tools/report/node_modules/playwright-core" ] || missing+=(tools/report/node_modules)
if [ ${#missing[@]} -gt 0 ]; then
  echo "report browser test: missing ${missing[*]} (tools/setup.sh installs them)"
  if [ "${CI:-}" = true ]; then exit 1; fi
  exit 77
fi

run() { "$nsdf" "$@" >"$work/last.log" 2>&1 || { cat "$work/last.log"; exit 1; }; }

# The quickstart shape space, shortened: 16 shapes, meshes, a latent map.
run run "$src/configs/quickstart.yaml" experiment.epochs=20 experiment.mesh_resolution=32 \
  runs_dir="$work/runs"
# A sweep of quick fits: loss.lambda x seed, with `nsdf sweep`.
cat >"$work/sweep.yaml" <<EOT
base: $src/configs/quickstart_fit.yaml
output: $work/sweep
overrides: [experiment.iterations=100, experiment.log_every=10, experiment.mesh_resolution=64,
            experiment.eval_points=20000, experiment.image_size=200]
grid: {loss.lambda: [0.05, 0.1]}
seeds: 2
launcher: {type: local, max_parallel: 2, threads_per_run: 1}
EOT
run sweep "$work/sweep.yaml"

"$nsdf" report "$work/runs" -o "$work/report_quickstart" --title "nsdf quickstart"
node "$src/tests/browser/check_report.mjs" "$work/report_quickstart" \
  --expect-viewers 16 --expect-curves 4 --expect-images 1 \
  --screenshot "$work/report_quickstart.png"

"$nsdf" report "$work/sweep" -o "$work/report_sweep" --title "nsdf sweep of quick fits"
grep -q "Mean and standard deviation over seeds" "$work/report_sweep/report.html" ||
  { echo "report browser test: the sweep report has no seeds table"; exit 1; }
[ "$(wc -l <"$work/report_sweep/runs.csv")" -eq 5 ] ||
  { echo "report browser test: runs.csv should list 4 runs"; cat "$work/report_sweep/runs.csv"; exit 1; }
# Per run: loss + 3 terms + learning rate (5 charts) x 4; across runs: 5.
node "$src/tests/browser/check_report.mjs" "$work/report_sweep" \
  --expect-viewers 4 --expect-curves 25 --expect-images 4 \
  --screenshot "$work/report_sweep.png"

# The checker itself must catch a broken report: a mesh script that fails, a corrupt or empty
# mesh, a mesh off-centre, an undrawn curve, a missing picture.
node "$src/tests/browser/make_fixture.mjs" "$work/broken" --broken all >/dev/null
if node "$src/tests/browser/check_report.mjs" "$work/broken" >"$work/broken.log" 2>&1; then
  echo "report browser test: check_report.mjs passed a broken report"
  cat "$work/broken.log"
  exit 1
fi
echo "report browser test: passed"
