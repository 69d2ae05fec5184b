#!/usr/bin/env bash
# Builds the Debian packages of the fulei node into build/packages/ and lists them:
#   fulei_<version>-1_amd64.deb  for the city server and the town offices (a release build),
#   fulei_<version>-1_arm64.deb  for the village Raspberry Pis (cross-built with
#                                cmake/aarch64-linux-gnu.cmake on Debian multiarch).
# The packaging itself (contents, maintainer scripts, dependencies) is cmake/Packaging.cmake.
# Only the `fulei` binary is built (no tests, no benchmarks). Prints each package's control
# fields, its files and the size of the stripped binary (goal: at most 10 MB).
#
# Environment:
#   FULEI_PKG_ARCHES     architectures to build, default "amd64 arm64"
#   FULEI_PKG_BUILD_DIR  parent of the two build directories, default build/ (deb-amd64, deb-arm64)
#   FULEI_PKG_BUILD_AMD64, FULEI_PKG_BUILD_ARM64  one architecture's build directory (e.g. to
#                        reuse build/arm64 of `cmake --preset arm64`; its objects are the same)
#   FULEI_PKG_OUT        where the .deb files go, default build/packages
#   FULEI_PKG_JOBS       parallel jobs, default nproc
#   FULEI_DEB_DEPENDS    explicit Depends: instead of dpkg-shlibdeps (cmake/Packaging.cmake)
set -euo pipefail
cd "$(dirname "$0")/.."
source deploy/deps.sh

arches=${FULEI_PKG_ARCHES:-amd64 arm64}
build_root=${FULEI_PKG_BUILD_DIR:-build}
out=${FULEI_PKG_OUT:-build/packages}
jobs=${FULEI_PKG_JOBS:-$(nproc)}
mkdir -p "$out"
out=$(cd "$out" && pwd)

fulei_install_packages
case " $arches " in *" arm64 "*) fulei_install_arm64_packages ;; esac

# Release flags: -O2 as Debian builds (GCC 12 at -O3 raises a false -Wrestrict in libstdc++).
common=(-G Ninja -DCMAKE_BUILD_TYPE=Release "-DCMAKE_C_FLAGS_RELEASE=-O2 -DNDEBUG"
  "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG" -DFULEI_WERROR=ON -DFULEI_TESTS=OFF -DFULEI_BENCH=OFF
  -DCMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON "-DFULEI_DEB_DEPENDS=${FULEI_DEB_DEPENDS:-}")

for arch in $arches; do
  dir="$build_root/deb-$arch"
  case "$arch" in
    amd64) dir=${FULEI_PKG_BUILD_AMD64:-$dir} ;;
    arm64) dir=${FULEI_PKG_BUILD_ARM64:-$dir} ;;
  esac
  printf '\n=== %s: %s ===\n' "$arch" "$dir"
  case "$arch" in
    amd64)
      cmake -S . -B "$dir" "${common[@]}" >/dev/null
      env=()
      ;;
    arm64)
      cmake -S . -B "$dir" "${common[@]}" \
        -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/aarch64-linux-gnu.cmake" >/dev/null
      # dpkg-shlibdeps: read the arm64 binary with the cross objdump and look the libraries up
      # in the arm64 multiarch directory and the :arm64 packages' symbols files.
      env=(DEB_HOST_ARCH=arm64 DEB_HOST_MULTIARCH=aarch64-linux-gnu
        DEB_HOST_GNU_TYPE=aarch64-linux-gnu OBJDUMP=aarch64-linux-gnu-objdump)
      ;;
    *)
      echo "package.sh: unknown architecture $arch (amd64 or arm64)" >&2
      exit 2
      ;;
  esac
  cmake --build "$dir" --target fulei -j "$jobs"
  (cd "$dir" && env "${env[@]}" cpack -G DEB -B "$out" >/dev/null)
done
rm -rf "$out/_CPack_Packages"

printf '\n=== packages in %s ===\n' "$out"
for deb in "$out"/*.deb; do
  echo "--- $(basename "$deb")"
  dpkg-deb -I "$deb"
  dpkg-deb -c "$deb" | awk '{print "  " $1, $3, $6}'
  tmp=$(mktemp -d)
  dpkg-deb -x "$deb" "$tmp"
  size=$(stat -c %s "$tmp/usr/bin/fulei")
  printf '  stripped /usr/bin/fulei: %s bytes (%.1f MB), %s\n' "$size" \
    "$(echo "$size / 1048576" | bc -l)" "$(file -b "$tmp/usr/bin/fulei" | cut -d, -f1-2)"
  rm -rf "$tmp"
done
ls -l "$out"/*.deb
