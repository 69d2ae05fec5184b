# Shared build settings and helpers for every component, test and benchmark.

# Warnings for our own code. Generated Cap'n Proto sources get -w (see fulei_capnp_library).
set(FULEI_WARNINGS -Wall -Wextra -Wshadow -Wconversion)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # GCC 12 reports a false "mismatched new/delete" inside Boost.Asio's coroutine frames
  # (awaitable_frame_base::operator delete) when optimising with sanitizers. fulei's own code
  # has no naked new/delete (STYLE.md rule 7), so the warning guards nothing of ours.
  list(APPEND FULEI_WARNINGS -Wno-mismatched-new-delete)
endif()
if(FULEI_WERROR)
  list(APPEND FULEI_WARNINGS -Werror)
endif()

if(FULEI_FUZZ)
  # Instrument every library for coverage so libFuzzer sees into the code under test.
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

if(FULEI_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# Linking with LLVM's lld (Debian's lld, installed by deploy/deps.sh) when the compiler accepts
# it: the test binaries link in a quarter of BFD ld's time (fulei: 0.56 s against 2.6 s), which
# is minutes over the ~130 binaries of a preset. Not when cross-compiling (the toolchain's own
# linker is used there).
if(NOT CMAKE_CROSSCOMPILING)
  include(CheckLinkerFlag)
  check_linker_flag(CXX "-fuse-ld=lld" FULEI_HAVE_LLD)
  if(FULEI_HAVE_LLD)
    add_link_options(-fuse-ld=lld)
  endif()
endif()

# fulei_component(NAME SOURCES ...): the library of one component folder, fulei::NAME.
function(fulei_component name)
  add_library(fulei_${name} ${ARGN})
  add_library(fulei::${name} ALIAS fulei_${name})
  target_include_directories(fulei_${name} PUBLIC ${CMAKE_SOURCE_DIR} ${CMAKE_BINARY_DIR})
  target_compile_options(fulei_${name} PRIVATE ${FULEI_WARNINGS})
endfunction()

# fulei_capnp_library(NAME SCHEMAS ...): a static library of generated Cap'n Proto code.
# Generated headers are included as "<component>/<file>.capnp.h" from the build tree, since the
# schemas are compiled with the source root as prefix. Generated code is compiled with -w.
function(fulei_capnp_library name)
  find_package(CapnProto REQUIRED)
  set(CAPNPC_SRC_PREFIX ${CMAKE_SOURCE_DIR})
  set(CAPNPC_OUTPUT_DIR ${CMAKE_BINARY_DIR})
  capnp_generate_cpp(srcs hdrs ${ARGN})
  add_library(${name} STATIC ${srcs} ${hdrs})
  set_source_files_properties(${srcs} PROPERTIES COMPILE_OPTIONS "-w")
  target_include_directories(${name} PUBLIC ${CMAKE_BINARY_DIR})
  target_link_libraries(${name} PUBLIC CapnProto::capnp)
endfunction()

# The exit code of a test binary that skipped a test and failed none (tests/support/skip.h).
set(FULEI_SKIP_EXIT_CODE 77)

set(FULEI_TEST_WARNINGS ${FULEI_WARNINGS})
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  list(APPEND FULEI_TEST_WARNINGS -Wno-array-bounds -Wno-stringop-overflow -Wno-restrict)
endif()

# Test code (the tests' own sources and their precompiled header) is compiled without
# optimisation in every preset: the code under test is the libraries', which keep the preset's
# -O level, and the tests' own work is small beside it. Compiling the tests' sources is half of
# each build, and -O0 halves it (tests/store/store_test.cc: 14.9 s at -O2, 8.2 s at -O0; under
# ASan + UBSan 45.5 s at -O1, 24.6 s at -O0; 2026-12-07). The few tests whose own code is hot
# say OPTIMIZED (fulei_test below): node_sim_test's shard 0 ran 91 s with its test code at -O0,
# 76 s at -O2.
set(FULEI_TEST_OPTIONS ${FULEI_TEST_WARNINGS} -O0)

# fulei_test_main_library(): defines fulei_test_main once, the main() of every test binary
# (tests/support/test_main.cc, in place of gtest_main): exit code FULEI_SKIP_EXIT_CODE when a
# test skipped and none failed, and under CI=true a skip is a failure.
function(fulei_test_main_library)
  find_package(GTest REQUIRED)
  if(NOT TARGET fulei_test_main)
    add_library(fulei_test_main STATIC ${CMAKE_SOURCE_DIR}/tests/support/test_main.cc)
    target_include_directories(fulei_test_main PRIVATE ${CMAKE_SOURCE_DIR})
    target_compile_options(fulei_test_main PRIVATE ${FULEI_TEST_OPTIONS})
    target_link_libraries(fulei_test_main PUBLIC GTest::gtest)
    # The precompiled header every test reuses (REUSE_FROM in fulei_test): GoogleTest and the
    # standard headers most tests include, parsed once per build instead of once per test. Its
    # flags and definitions are the tests' own, so GCC accepts it (-Winvalid-pch is an error).
# Through a PCH, GCC 12 no longer treats libstdc++'s inlined string code as a system header and
# reports its known -Warray-bounds/-Wstringop-overflow/-Wrestrict false positives (on
# `std::string(...) + "literal"`) in tests; FULEI_TEST_WARNINGS turns those three off for test
# code only. Libraries and the binary are built without the PCH and keep them.
    target_compile_definitions(fulei_test_main PRIVATE
      FULEI_SOURCE_DIR="${CMAKE_SOURCE_DIR}" FULEI_BINARY_DIR="${CMAKE_BINARY_DIR}")
    target_precompile_headers(fulei_test_main PRIVATE
      <gtest/gtest.h> <algorithm> <chrono> <cstdint> <cstdio> <cstdlib> <filesystem> <fstream>
      <map> <memory> <optional> <random> <set> <string> <string_view> <vector>)
  endif()
endfunction()

# fulei_test(NAME SOURCES src... LIBS lib... LABELS label... [SHARDS n] [TIMEOUT s] [COST s]
#            [OPTIMIZED]):
# a GoogleTest binary registered with ctest under its own name, labelled with every label given
# plus its component (the part of NAME before the first '_'), for `ctest -L`. SHARDS n runs it as
# n ctest entries NAME.shardK using GoogleTest's sharding (GTEST_TOTAL_SHARDS/GTEST_SHARD_INDEX),
# so `ctest -j` spreads a long binary over the cores. (gtest_discover_tests is not used: with
# CMake 3.25 it keeps only the first label of a list.) Its main() is fulei_test_main, and ctest
# reports a binary that skipped a test as skipped (SKIP_RETURN_CODE), never as passed; under
# CI=true the binary fails instead. COST (about its seconds under ASan) makes `ctest -j` start
# the long tests first on a clean build, which has no timings of its own yet, so that none of
# them runs alone at the end. Test code is built at -O0 (FULEI_TEST_OPTIONS) unless OPTIMIZED.
# Not built in the fuzz preset.
function(fulei_test name)
  if(FULEI_FUZZ)
    return()
  endif()
  cmake_parse_arguments(T "OPTIMIZED" "TIMEOUT;SHARDS;COST" "SOURCES;LIBS;LABELS" ${ARGN})
  find_package(GTest REQUIRED)
  fulei_test_main_library()
  add_executable(${name} ${T_SOURCES})
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest fulei_test_main)
  target_compile_definitions(${name} PRIVATE
    FULEI_SOURCE_DIR="${CMAKE_SOURCE_DIR}" FULEI_BINARY_DIR="${CMAKE_BINARY_DIR}")
  if(T_OPTIMIZED)
    # A test whose own code does much of the work (a simulator's loop over seeds, a child
    # process writing until it is killed) keeps the preset's -O level, and so cannot share the
    # -O0 precompiled header.
    target_compile_options(${name} PRIVATE ${FULEI_TEST_WARNINGS})
  else()
    target_compile_options(${name} PRIVATE ${FULEI_TEST_OPTIONS})
    target_precompile_headers(${name} REUSE_FROM fulei_test_main)
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 600)
  endif()
  if(NOT T_SHARDS)
    set(T_SHARDS 1)
  endif()
  if(NOT T_COST)
    set(T_COST 0)
  endif()
  string(REGEX REPLACE "_.*" "" component "${name}")
  set(labels ${T_LABELS} ${component})
  if(T_SHARDS EQUAL 1)
    add_test(NAME ${name} COMMAND ${name})
    set_tests_properties(${name} PROPERTIES LABELS "${labels}" TIMEOUT ${T_TIMEOUT}
      SKIP_RETURN_CODE ${FULEI_SKIP_EXIT_CODE} COST ${T_COST})
  else()
    math(EXPR last "${T_SHARDS} - 1")
    foreach(i RANGE ${last})
      add_test(NAME ${name}.shard${i} COMMAND ${name})
      set_tests_properties(${name}.shard${i} PROPERTIES LABELS "${labels}" TIMEOUT ${T_TIMEOUT}
        SKIP_RETURN_CODE ${FULEI_SKIP_EXIT_CODE} COST ${T_COST}
        ENVIRONMENT "GTEST_TOTAL_SHARDS=${T_SHARDS};GTEST_SHARD_INDEX=${i}")
    endforeach()
  endif()
endfunction()

# fulei_fuzz_target(NAME SOURCE src CORPUS dir LIBS lib...): a libFuzzer target.
# In the fuzz preset (clang, FULEI_FUZZ) it is a real libFuzzer binary with ASan. In every other
# build it is linked with tests/fuzz/replay_main.cc and a ctest (label `unit;fuzz`) replays every
# file of the checked-in corpus through it, so the corpus keeps passing under gcc and the
# sanitizers.
function(fulei_fuzz_target name)
  cmake_parse_arguments(F "" "SOURCE;CORPUS" "LIBS" ${ARGN})
  add_executable(${name} ${F_SOURCE})
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE ${F_LIBS})
  if(FULEI_FUZZ)
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
    get_filename_component(corpus ${F_CORPUS} ABSOLUTE)
    set_property(GLOBAL APPEND PROPERTY FULEI_FUZZERS "${name}:${corpus}")
  else()
    target_sources(${name} PRIVATE ${CMAKE_SOURCE_DIR}/tests/fuzz/replay_main.cc)
    target_compile_options(${name} PRIVATE ${FULEI_WARNINGS})
    string(REGEX REPLACE "_.*" "" component "${name}")
    add_test(NAME ${name}_corpus COMMAND ${name} ${F_CORPUS})
    set_tests_properties(${name}_corpus PROPERTIES LABELS "unit;fuzz;${component}" TIMEOUT 300)
  endif()
endfunction()

# fulei_benchmark(NAME SOURCES src... LIBS lib...): a Google Benchmark binary (never a test).
function(fulei_benchmark name)
  cmake_parse_arguments(B "" "" "SOURCES;LIBS" ${ARGN})
  find_package(benchmark REQUIRED)
  add_executable(${name} ${B_SOURCES})
  target_compile_options(${name} PRIVATE ${FULEI_WARNINGS})
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE ${B_LIBS} benchmark::benchmark)
endfunction()
