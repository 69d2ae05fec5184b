# Debian packages of the fulei node (CPack, DEB generator), for amd64 (the city and town servers)
# and arm64 (the village Raspberry Pis, built with cmake/aarch64-linux-gnu.cmake).
# deploy/package.sh builds both; by hand: cmake --build BUILD --target fulei && cd BUILD && cpack.
#
# The package holds the stripped `fulei` binary (/usr/bin), the hardened systemd unit
# (/lib/systemd/system/fulei.service, from deploy/), the commented example configuration and the
# operator's documentation (/usr/share/doc/fulei). Installing it creates the `fulei` system user
# and its data directory /var/lib/fulei (mode 0700) and reloads systemd, but neither enables nor
# starts the service: a node must first be made with `fulei init` (the city) or `fulei join`
# (a town or a village); docs/operations.md says how. Removing it stops and disables the service;
# purging it keeps /var/lib/fulei and the user, because that directory holds the node's keys and
# the only copy of records not yet synced upstream (docs/operations.md, "Removing a node").
if(NOT TARGET fulei)
  return()
endif()

install(TARGETS fulei RUNTIME DESTINATION bin)
install(FILES ${CMAKE_SOURCE_DIR}/deploy/fulei.service DESTINATION /lib/systemd/system)
set(fulei_doc_dir share/doc/fulei)
if(EXISTS ${CMAKE_SOURCE_DIR}/deploy/fulei.toml.example)
  install(FILES ${CMAKE_SOURCE_DIR}/deploy/fulei.toml.example DESTINATION ${fulei_doc_dir})
endif()
foreach(doc README.md docs/operations.md docs/cli.md docs/protocol.md docs/store.md)
  if(EXISTS ${CMAKE_SOURCE_DIR}/${doc})
    install(FILES ${CMAKE_SOURCE_DIR}/${doc} DESTINATION ${fulei_doc_dir})
  endif()
endforeach()

# The Debian architecture: from the toolchain when cross-compiling, else the build machine's.
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64)$")
  set(fulei_deb_arch arm64)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  set(fulei_deb_arch amd64)
else()
  execute_process(COMMAND dpkg --print-architecture OUTPUT_VARIABLE fulei_deb_arch
                  OUTPUT_STRIP_TRAILING_WHITESPACE)
endif()

# Maintainer scripts, written into the build tree (CPack sets their mode to 0755).
set(fulei_deb_scripts ${CMAKE_BINARY_DIR}/debian)
file(WRITE ${fulei_deb_scripts}/postinst [=[#!/bin/sh
# fulei postinst: the system user and the data directory; never enables or starts the service.
set -e
if [ "$1" = "configure" ]; then
  if ! getent passwd fulei >/dev/null; then
    adduser --system --group --home /var/lib/fulei --no-create-home \
      --gecos "fulei node" --quiet fulei
  fi
  install -d -o fulei -g fulei -m 0700 /var/lib/fulei
  chown fulei:fulei /var/lib/fulei
  chmod 0700 /var/lib/fulei
fi
if [ -d /run/systemd/system ]; then
  systemctl --system daemon-reload >/dev/null || true
  # An upgrade restarts a running node on the new binary; a stopped node stays stopped.
  if [ "$1" = "configure" ] && [ -n "$2" ]; then
    systemctl try-restart fulei.service >/dev/null || true
  fi
fi
if [ "$1" = "configure" ] && [ -z "$2" ]; then
  echo "fulei: 已安装。先用 fulei init 或 fulei join 建立节点，再 systemctl enable --now fulei。"
  echo "fulei: installed. Make the node with fulei init or fulei join (as user fulei, --dir /var/lib/fulei),"
  echo "       then: systemctl enable --now fulei. See /usr/share/doc/fulei/operations.md."
fi
exit 0
]=])
file(WRITE ${fulei_deb_scripts}/prerm [=[#!/bin/sh
# fulei prerm: on removal, stop and disable the service (an upgrade keeps it running; postinst
# restarts it on the new binary).
set -e
if [ "$1" = "remove" ] && [ -d /run/systemd/system ]; then
  systemctl stop fulei.service >/dev/null 2>&1 || true
  systemctl disable fulei.service >/dev/null 2>&1 || true
fi
exit 0
]=])
file(WRITE ${fulei_deb_scripts}/postrm [=[#!/bin/sh
# fulei postrm: reload systemd after the unit is gone. Purge keeps /var/lib/fulei and the fulei
# user on purpose: the directory holds the node's keys and records not yet synced upstream.
set -e
if [ "$1" = "remove" ] || [ "$1" = "purge" ]; then
  if [ -d /run/systemd/system ]; then
    systemctl --system daemon-reload >/dev/null || true
  fi
fi
if [ "$1" = "purge" ] && [ -d /var/lib/fulei ]; then
  echo "fulei: /var/lib/fulei 与用户 fulei 已保留（节点密钥与未同步的记录）。"
  echo "fulei: kept /var/lib/fulei and the user fulei (node keys, records not yet synced)."
  echo "       Remove them by hand once the node is revoked: docs/operations.md."
fi
exit 0
]=])

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME fulei)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "fulei")
set(CPACK_PACKAGE_CONTACT "fulei operators <fulei@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "福蕾行动计划 case-management node (offline-first, replicated city/town/village tree)")
set(CPACK_PACKAGE_DESCRIPTION
    "One node of the fulei network: the city server, a town office or a village Raspberry Pi.\n\
Runs as the systemd service fulei.service under its own user, keeping its data in\n\
/var/lib/fulei. After installation make the node with `fulei init` or `fulei join`.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_ARCHITECTURE ${fulei_deb_arch})
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${fulei_deb_scripts}/postinst ${fulei_deb_scripts}/prerm ${fulei_deb_scripts}/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# adduser for postinst; systemd is what runs the node (Type=notify).
set(fulei_deb_base_depends "adduser, systemd")

# Shared-library dependencies: dpkg-shlibdeps reads the binary's NEEDED entries and the symbols
# files of the installed packages. It works for arm64 too when the :arm64 -dev packages (and so
# their runtime libraries) are installed through multiarch, given the cross objdump, which it
# finds through DEB_HOST_ARCH (deploy/package.sh sets it). FULEI_DEB_DEPENDS replaces it with an
# explicit list (e.g. building where the :arm64 libraries are not registered with dpkg).
set(FULEI_DEB_DEPENDS "" CACHE STRING
    "Explicit Depends: of the .deb (empty: computed by dpkg-shlibdeps)")
if(FULEI_DEB_DEPENDS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "${fulei_deb_base_depends}, ${FULEI_DEB_DEPENDS}")
else()
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "${fulei_deb_base_depends}")
endif()

include(CPack)
