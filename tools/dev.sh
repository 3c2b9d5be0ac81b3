#!/usr/bin/env bash
# The two commands of the README, and the steps they share.
#
#   tools/dev.sh demo    install packages, build, then the whole job on generated data: learn a
#                        shape space (configs/quickstart.yaml), reconstruct shapes it never saw
#                        (configs/quickstart_reconstruct.yaml), interpolate two of its shapes
#                        (configs/quickstart_interpolate.yaml), fit one surface to a point cloud
#                        (configs/quickstart_fit.yaml) and preprocess meshes into SDF samples
#                        (configs/quickstart_preprocess.yaml); writes an HTML report of those
#                        runs (nsdf report); prints where each output is
#   tools/dev.sh test    install packages, build, run the whole test suite (CTest)
#   tools/dev.sh build   install packages and build only
#
# PRESET=debug|asan-ubsan selects another CMake preset (default: release).
set -euo pipefail
cd "$(dirname "$0")/.."

preset=${PRESET:-release}
cmd=${1:-}
case "$cmd" in
  demo|test|build) ;;
  *) echo "usage: tools/dev.sh demo|test|build" >&2; exit 2 ;;
esac

tools/setup.sh
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)"

case "$cmd" in
  demo)
    nsdf="build/$preset/tools/nsdf"
    # `nsdf run` prints its run folder on stdout (everything else goes to stderr)
    train=$("$nsdf" run configs/quickstart.yaml)
    recon=$("$nsdf" run configs/quickstart_reconstruct.yaml experiment.model="$train")
    interp=$("$nsdf" run configs/quickstart_interpolate.yaml experiment.model="$train")
    fit=$("$nsdf" run configs/quickstart_fit.yaml)
    "$nsdf" preprocess configs/quickstart_preprocess.yaml
    "$nsdf" report "$train" "$recon" "$interp" "$fit" -o runs/report --title "nsdf demo" >/dev/null
    cat <<EOT

demo outputs
  shape space of 16 shapes   $train
      decoder, codes         $train/checkpoints/latest.pt, $train/latents/latents.pt
      meshes, metrics        $train/meshes/, $train/eval/summary.md
  4 unseen shapes            $recon
      meshes, metrics        $recon/meshes/, $recon/eval/summary.md (nearest training shape beside)
  interpolation              $interp/images/ (strip pictures), $interp/meshes/
  one surface (IGR)          $fit
  SDF samples (HDF5)         runs/quickstart_samples.h5
  report (open in a browser) runs/report/report.html
EOT
    ;;
  test) ctest --preset "$preset" -j "$(nproc)" ;;
esac
