#!/usr/bin/env bash
# The two commands of the README, and the steps they share.
#
#   tools/dev.sh demo    install packages, build, run configs/quickstart.yaml (a shape space),
#                        configs/quickstart_fit.yaml (one surface from a point cloud) and
#                        configs/quickstart_preprocess.yaml (generated meshes to SDF samples)
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
  demo) "build/$preset/tools/nsdf" run configs/quickstart.yaml
        "build/$preset/tools/nsdf" run configs/quickstart_fit.yaml
        "build/$preset/tools/nsdf" preprocess configs/quickstart_preprocess.yaml ;;
  test) ctest --preset "$preset" -j "$(nproc)" ;;
esac
