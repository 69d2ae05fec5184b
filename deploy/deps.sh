# Sourced by deploy/test.sh and deploy/demo.sh: installs the Debian 12 packages fulei needs,
# only those that are missing, non-interactively. Needs root (or sudo) when something is missing.
FULEI_PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsodium-dev liblmdb-dev lmdb-utils capnproto libcapnp-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libcli11-dev libtomlplusplus-dev libxlsxwriter-dev zlib1g-dev
  libspdlog-dev libsystemd-dev libzip-dev libpugixml-dev libssl-dev
  clang clang-format libclang-rt-14-dev lld
  iproute2
  chromium fonts-noto-cjk
)

fulei_install_packages() {
  local missing=()
  local p
  # Node.js and npm build the admin web UI (admin-web/ui): Debian's packages only when the
  # commands are missing, so that a newer Node.js installed some other way is kept.
  local node_packages=()
  command -v node >/dev/null 2>&1 || node_packages+=(nodejs)
  command -v npm >/dev/null 2>&1 || node_packages+=(npm)
  for p in "${FULEI_PACKAGES[@]}" "${node_packages[@]}" "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  echo "deploy: installing missing Debian packages: ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      echo "deploy: need root to install ${missing[*]}" >&2
      return 1
    fi
  fi
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"
}

# The Raspberry Pi (arm64) cross build on Debian multiarch (cmake/aarch64-linux-gnu.cmake): adds
# the arm64 architecture if missing and installs the cross compiler, qemu-user-static (ctest runs
# the arm64 tests under it) and the :arm64 -dev packages of the libraries fulei links, only those
# that are missing. The Cap'n Proto compiler stays the build machine's (capnproto above).
# Header-only and architecture-independent packages (libcli11-dev) need no :arm64 copy.
FULEI_ARM64_PACKAGES=(
  crossbuild-essential-arm64 qemu-user-static
  libc6-dev:arm64 libstdc++-12-dev:arm64
  libboost1.81-dev:arm64 libboost-json1.81-dev:arm64 libboost-url1.81-dev:arm64
  libsodium-dev:arm64 liblmdb-dev:arm64 libcapnp-dev:arm64
  libgtest-dev:arm64 libgmock-dev:arm64
  libtomlplusplus-dev:arm64 libxlsxwriter-dev:arm64 zlib1g-dev:arm64
  libspdlog-dev:arm64 libfmt-dev:arm64 libsystemd-dev:arm64 libzip-dev:arm64 libpugixml-dev:arm64
  libssl-dev:arm64
)

fulei_install_arm64_packages() {
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; fi
  fi
  local missing=()
  local p
  for p in "${FULEI_ARM64_PACKAGES[@]}" "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  if [ "$(id -u)" -ne 0 ] && [ -z "$sudo" ]; then
    echo "deploy: need root to install ${missing[*]}" >&2
    return 1
  fi
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    echo "deploy: adding the arm64 architecture (dpkg --add-architecture arm64)"
    $sudo dpkg --add-architecture arm64
  fi
  echo "deploy: installing missing arm64 packages: ${missing[*]}"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"
}
