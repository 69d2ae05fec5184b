# Run by ui/CMakeLists.txt at build time (cmake -P): npm ci when needed, vite build, gzip every
# file, and write the C++ source that embeds them. Inputs: UI_SOURCE_DIR, UI_BINARY_DIR, NODE,
# NPM, NPX, GZIP, OUT (the .cc to write), STAMP (touched when done).
cmake_minimum_required(VERSION 3.25)

set(ENV{npm_config_update_notifier} false)
set(ENV{npm_config_fund} false)
set(ENV{npm_config_audit} false)
# npm and npx are scripts that run `node`: find the same one we found.
get_filename_component(_node_dir "${NODE}" DIRECTORY)
set(ENV{PATH} "${_node_dir}:$ENV{PATH}")

set(_modules "${UI_SOURCE_DIR}/node_modules")
set(_ci_stamp "${_modules}/.fulei-npm-ci")
set(_dist "${UI_BINARY_DIR}/dist")
set(_gz "${UI_BINARY_DIR}/gz")

# One build at a time touches node_modules (every preset shares it).
file(LOCK "${UI_SOURCE_DIR}/.node_modules.lock" GUARD PROCESS TIMEOUT 1800
  RESULT_VARIABLE _lock)
if(NOT _lock STREQUAL "0")
  message(FATAL_ERROR "admin-web/ui: could not lock ${UI_SOURCE_DIR}/.node_modules.lock: ${_lock}")
endif()

# 1. npm ci when node_modules is missing, or older than package-lock.json, or was installed from
# another package-lock.json (the stamp holds the hash of the lock it was installed from).
file(SHA256 "${UI_SOURCE_DIR}/package-lock.json" _lock_hash)
set(_need_ci FALSE)
if(NOT EXISTS "${_modules}" OR NOT EXISTS "${_ci_stamp}")
  set(_need_ci TRUE)
else()
  file(READ "${_ci_stamp}" _installed_hash)
  string(STRIP "${_installed_hash}" _installed_hash)
  if(NOT _installed_hash STREQUAL _lock_hash)
    set(_need_ci TRUE)
  endif()
endif()
if(_need_ci)
  message(STATUS "admin-web/ui: npm ci")
  execute_process(
    COMMAND "${NPM}" ci --no-audit --no-fund --ignore-scripts
    WORKING_DIRECTORY "${UI_SOURCE_DIR}"
    RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    file(REMOVE "${_ci_stamp}")
    message(FATAL_ERROR "admin-web/ui: `npm ci` failed (${_rc}); run it in ${UI_SOURCE_DIR} to see why")
  endif()
  file(WRITE "${_ci_stamp}" "${_lock_hash}\n")
endif()

# 2. vite build.
execute_process(
  COMMAND "${NPX}" --no vite build --outDir "${_dist}" --emptyOutDir --logLevel warn
  WORKING_DIRECTORY "${UI_SOURCE_DIR}"
  RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "admin-web/ui: `vite build` failed (${_rc})")
endif()
file(LOCK "${UI_SOURCE_DIR}/.node_modules.lock" RELEASE)

# 3. gzip every file, deterministically.
file(REMOVE_RECURSE "${_gz}")
file(GLOB_RECURSE _files LIST_DIRECTORIES false RELATIVE "${_dist}" "${_dist}/*")
list(SORT _files)
if(NOT "index.html" IN_LIST _files)
  message(FATAL_ERROR "admin-web/ui: vite built no index.html in ${_dist}")
endif()

function(_content_type file out)
  string(REGEX MATCH "[.][^./]+$" ext "${file}")
  string(TOLOWER "${ext}" ext)
  # (No lists here: a CMake list would split "; charset=utf-8".)
  set(utf8 "; charset=utf-8")
  if(ext STREQUAL ".html")
    set(type "text/html${utf8}")
  elseif(ext STREQUAL ".js" OR ext STREQUAL ".mjs")
    set(type "text/javascript${utf8}")
  elseif(ext STREQUAL ".css")
    set(type "text/css${utf8}")
  elseif(ext STREQUAL ".txt")
    set(type "text/plain${utf8}")
  elseif(ext STREQUAL ".json" OR ext STREQUAL ".map")
    set(type "application/json")
  elseif(ext STREQUAL ".webmanifest")
    set(type "application/manifest+json")
  elseif(ext STREQUAL ".svg")
    set(type "image/svg+xml")
  elseif(ext STREQUAL ".png")
    set(type "image/png")
  elseif(ext STREQUAL ".jpg" OR ext STREQUAL ".jpeg")
    set(type "image/jpeg")
  elseif(ext STREQUAL ".gif")
    set(type "image/gif")
  elseif(ext STREQUAL ".webp")
    set(type "image/webp")
  elseif(ext STREQUAL ".ico")
    set(type "image/x-icon")
  elseif(ext STREQUAL ".woff2")
    set(type "font/woff2")
  elseif(ext STREQUAL ".woff")
    set(type "font/woff")
  elseif(ext STREQUAL ".ttf")
    set(type "font/ttf")
  else()
    set(type "application/octet-stream")
  endif()
  set(${out} "${type}" PARENT_SCOPE)
endfunction()

# 4. The C++ source: one .incbin per file (in .rodata), then the table, sorted by path.
set(_asm "")
set(_table "")
set(_decls "")
set(_i 0)
foreach(f IN LISTS _files)
  get_filename_component(_dir "${_gz}/${f}" DIRECTORY)
  file(MAKE_DIRECTORY "${_dir}")
  execute_process(COMMAND "${GZIP}" -9 -n -c "${_dist}/${f}"
    OUTPUT_FILE "${_gz}/${f}.gz" RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "admin-web/ui: gzip ${f} failed")
  endif()
  file(SIZE "${_dist}/${f}" _size)
  file(SIZE "${_gz}/${f}.gz" _gzsize)
  file(SHA256 "${_dist}/${f}" _hash)
  string(SUBSTRING "${_hash}" 0 20 _etag)
  _content_type("${f}" _type)
  set(_sym "fulei_web_asset_${_i}")
  string(REPLACE "\\" "\\\\\\\\" _inc "${_gz}/${f}.gz")
  string(REPLACE "\"" "\\\\\\\"" _inc "${_inc}")
  string(APPEND _decls "extern \"C\" const char ${_sym}[];\n")
  string(APPEND _asm
    "__asm__(\".pushsection .rodata.fulei_web_assets,\\\"a\\\",%progbits\\n\"\n"
    "        \".balign 16\\n\"\n"
    "        \".globl ${_sym}\\n\"\n"
    "        \".hidden ${_sym}\\n\"\n"
    "        \"${_sym}:\\n\"\n"
    "        \".incbin \\\"${_inc}\\\"\\n\"\n"
    "        \".popsection\\n\");\n")
  string(APPEND _table
    "    {\"/${f}\", \"${_type}\", std::string_view(${_sym}, ${_gzsize}u), ${_size}u,\n"
    "     \"\\\"${_etag}\\\"\"},\n")
  math(EXPR _i "${_i} + 1")
endforeach()

set(_text "// Generated by admin-web/ui/build_ui.cmake from the Vite build: do not edit.
// ${_i} files of ${_dist}, gzip -9 -n, embedded with .incbin from ${_gz}.
#include <cstddef>
#include <string_view>

#include \"admin-web/assets.h\"
#include \"admin-web/ui/assets_table.h\"

${_asm}
${_decls}
namespace fulei::web::internal {

const Asset kAssets[] = {
${_table}};
const size_t kAssetCount = ${_i};

}  // namespace fulei::web::internal
")
file(WRITE "${OUT}.tmp" "${_text}")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
file(TOUCH "${STAMP}")
