#!/usr/bin/env bash
# Installs every Debian package nsdf's build, demo and tests need. Idempotent: when everything
# is installed already it changes nothing and does not touch the network.
#
#   tools/setup.sh            # as root (or with sudo available)
#
# The HTML report (`nsdf report`) takes three.js from tools/report/node_modules and its browser
# test runs Debian's Chromium through playwright-core, so this also installs chromium, Node.js
# and npm, then the pinned npm packages of tools/report (package-lock.json). A Node.js from
# NodeSource ships its own npm and conflicts with Debian's npm package: node and npm are
# installed only when the commands are missing.
#
# BLAS: LibTorch links libblas.so.3. Debian's default reference BLAS makes matrix products
# ~25x slower than OpenBLAS here; of the two OpenBLAS builds, the OpenMP one is the faster with
# LibTorch's OpenMP threads for small (4 x 64) and large (8 x 512) MLP steps
# (tools/bench/BLAS.md), so it is installed and selected.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  libtorch-dev libyaml-cpp-dev libtbb-dev libfmt-dev libhdf5-dev zlib1g-dev
  libnanoflann-dev libgloo-dev
  libgtest-dev libgmock-dev libbenchmark-dev clang libclang-rt-14-dev
  libopenblas0-openmp
  python3-torch python3-scipy
  chromium
)
if ! command -v node >/dev/null 2>&1; then packages+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then packages+=(npm); fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends \
    "${missing[@]}"
fi

# Select OpenBLAS-OpenMP as libblas/liblapack even if another BLAS with a higher alternatives
# priority (e.g. the pthread build) gets installed later by something else.
arch_dir=/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
for lib in libblas.so.3 liblapack.so.3; do
  name="${lib}-$(basename "$arch_dir")"
  target="$arch_dir/openblas-openmp/$lib"
  if [ -e "$target" ] && [ "$(readlink -f "$arch_dir/$lib")" != "$(readlink -f "$target")" ]; then
    "${sudo_cmd[@]}" update-alternatives --set "$name" "$target" >/dev/null
  fi
done

# npm packages of the HTML report (three.js) and its browser test (playwright-core, pngjs),
# exactly as pinned in package-lock.json; only when node_modules is missing or older than the
# lock file, so a second run does not touch the network.
report_dir="$(cd "$(dirname "$0")" && pwd)/report"
if [ ! -d "$report_dir/node_modules" ] || [ "$report_dir/package-lock.json" -nt "$report_dir/node_modules" ]; then
  echo "setup: installing npm packages of tools/report"
  (cd "$report_dir" && npm ci --no-audit --no-fund --loglevel=error)
  touch "$report_dir/node_modules"
fi
echo "setup: all packages present (BLAS: $(readlink -f "$arch_dir/libblas.so.3"))"
