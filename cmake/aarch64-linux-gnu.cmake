# Cross build for the village Raspberry Pi (arm64, Raspberry Pi OS / Debian 12 64-bit) on a
# Debian 12 amd64 machine with multiarch:
#   dpkg --add-architecture arm64
#   apt-get install crossbuild-essential-arm64 qemu-user-static and the :arm64 -dev packages
#   (deploy/deps.sh, fulei_install_arm64_packages, does all of this).
#   cmake --preset arm64 && cmake --build --preset arm64 --target fulei
# Libraries and headers come from the :arm64 packages (/usr/lib/aarch64-linux-gnu and the shared
# /usr/include); the Cap'n Proto compiler is the build machine's, which only generates C++ and
# must be the same version as libcapnp-dev:arm64 (Debian ships both from one source package).
# ctest runs the arm64 test binaries under qemu-user-static (CMAKE_CROSSCOMPILING_EMULATOR), so
# no binfmt_misc registration is needed; deploy/test.sh runs a subset of the unit tests this way
# (ctest --preset arm64 -R ...).
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
# Debian multiarch: find_library and find_package look in lib/aarch64-linux-gnu first.
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

# Search the target's libraries and the host's programs. The root path holds only the arm64
# trees, so an amd64 library in /usr/lib/x86_64-linux-gnu can never be picked by mistake.
set(CMAKE_FIND_ROOT_PATH /usr/lib/aarch64-linux-gnu /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
# pkg-config (LMDB, libsodium, ...) reads the arm64 .pc files only.
set(ENV{PKG_CONFIG_LIBDIR} /usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig)
set(ENV{PKG_CONFIG_PATH} "")

# The build machine's Cap'n Proto compiler and C++ plugin.
set(CAPNP_EXECUTABLE /usr/bin/capnp CACHE FILEPATH "capnp compiler (build machine)")
set(CAPNPC_CXX_EXECUTABLE /usr/bin/capnpc-c++ CACHE FILEPATH "capnp C++ plugin (build machine)")

# Test binaries run under user-mode qemu with the multiarch libc6:arm64 (pulled in by the :arm64
# -dev packages): its loader /lib/ld-linux-aarch64.so.1 and the libraries of
# /usr/lib/aarch64-linux-gnu, exactly as on a Pi. Do not add `-L /usr/aarch64-linux-gnu`: that
# mixes the cross toolchain's glibc (libc6-arm64-cross, another Debian revision) with the
# multiarch one, and with qemu 7.2 every pthread_create then spins forever (seen with
# 2.36-8cross1 against 2.36-9+deb12u14). -L is only the fallback when libc6:arm64 is missing.
if(EXISTS /lib/ld-linux-aarch64.so.1)
  set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64-static)
else()
  set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64-static -L /usr/aarch64-linux-gnu)
endif()
