# The Debian package, built with CPack from a configured and built tree:
#   cpack -G DEB --config build/CPackConfig.cmake -B <output directory>
# It holds /usr/bin/swarm-bootstrap (installed by agent/CMakeLists.txt), the systemd unit in
# /lib/systemd/system, the manual page swarm-bootstrap(8), the example configuration, copyright and changelog
# in /usr/share/doc/swarm-bootstrap, and the maintainer scripts of installer-linux/debian (no start without
# /etc/swarm-bootstrap/config.json; purge removes configuration and state). lintian checks it
# (tests/installer/test_deb_lintian.sh).

set(SB_INSTALLER_DIR ${PROJECT_SOURCE_DIR}/installer-linux)

# The unit's path is absolute, so it is its own component, left out of a plain `cmake --install` (which
# would otherwise write into the build machine's /lib/systemd/system whatever --prefix says). Only the
# package takes it.
install(FILES ${SB_INSTALLER_DIR}/swarm-bootstrap.service
        DESTINATION /lib/systemd/system
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
        COMPONENT systemd_unit EXCLUDE_FROM_ALL)
# The lintian tags that stay, each with its reason (tests/installer/test_deb_lintian.sh prints them).
# They and the Debian changelog are the package's own, so, like the unit, they stay out of a plain
# `cmake --install`.
install(FILES ${SB_INSTALLER_DIR}/debian/lintian-overrides
        DESTINATION share/lintian/overrides RENAME swarm-bootstrap
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
        COMPONENT debian EXCLUDE_FROM_ALL)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/debian/changelog.gz
        DESTINATION share/doc/swarm-bootstrap
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
        COMPONENT debian EXCLUDE_FROM_ALL)
install(FILES ${SB_INSTALLER_DIR}/config.example.json ${SB_INSTALLER_DIR}/debian/copyright
        DESTINATION share/doc/swarm-bootstrap
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

# The Debian changelog of this native package (its version is the project's), compressed as policy asks:
# gzip -9n, no name or time stamp in the header, so the package is reproducible.
set(SB_DEB_DIR ${CMAKE_CURRENT_BINARY_DIR}/debian)
add_custom_command(
  OUTPUT ${SB_DEB_DIR}/changelog.gz
  COMMAND ${CMAKE_COMMAND} -E make_directory ${SB_DEB_DIR}
  COMMAND ${CMAKE_COMMAND} -E copy ${SB_INSTALLER_DIR}/debian/changelog ${SB_DEB_DIR}/changelog
  COMMAND gzip -9nf ${SB_DEB_DIR}/changelog
  DEPENDS ${SB_INSTALLER_DIR}/debian/changelog
  COMMENT "debian/changelog.gz")

# swarm-bootstrap(8), made by help2man from the built binary's --help (every command's) and the sections it
# cannot derive (installer-linux/man/swarm-bootstrap.h2m), so it follows the CLI. Dated by the changelog's
# latest entry (SOURCE_DATE_EPOCH) rather than the build day.
find_program(SB_HELP2MAN help2man)
set(SB_MAN_DIR ${CMAKE_CURRENT_BINARY_DIR}/man)
set(SB_MAN_PAGE ${SB_MAN_DIR}/swarm-bootstrap.8)
if(SB_HELP2MAN)
  execute_process(COMMAND dpkg-parsechangelog -l ${SB_INSTALLER_DIR}/debian/changelog -STimestamp
                  OUTPUT_VARIABLE SB_CHANGELOG_EPOCH OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${SB_INSTALLER_DIR}/debian/changelog)
  add_custom_command(
    OUTPUT ${SB_MAN_PAGE} ${SB_MAN_PAGE}.gz
    COMMAND ${CMAKE_COMMAND} -E make_directory ${SB_MAN_DIR}
    COMMAND ${CMAKE_COMMAND} -E env SB_BIN=$<TARGET_FILE:swarm-bootstrap> SOURCE_DATE_EPOCH=${SB_CHANGELOG_EPOCH}
            ${SB_HELP2MAN} --no-info --section 8 --source "swarm-bootstrap"
            --include ${SB_INSTALLER_DIR}/man/swarm-bootstrap.h2m --output ${SB_MAN_PAGE}
            ${SB_INSTALLER_DIR}/man/help-for-man.sh
    COMMAND gzip -9nkf ${SB_MAN_PAGE}
    DEPENDS swarm-bootstrap ${SB_INSTALLER_DIR}/man/swarm-bootstrap.h2m ${SB_INSTALLER_DIR}/man/help-for-man.sh
    COMMENT "swarm-bootstrap(8) from --help (help2man)")
  install(FILES ${SB_MAN_PAGE}.gz DESTINATION share/man/man8
          PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  add_custom_target(sb_debian_docs ALL DEPENDS ${SB_DEB_DIR}/changelog.gz ${SB_MAN_PAGE}.gz)
else()
  message(STATUS "help2man not found: no swarm-bootstrap(8) in the package (apt-get install help2man)")
  add_custom_target(sb_debian_docs ALL DEPENDS ${SB_DEB_DIR}/changelog.gz)
endif()

# Full RELRO (-z now), as Debian's hardening build flags give packaged binaries (lintian: hardening-no-bindnow).
target_link_options(swarm-bootstrap PRIVATE LINKER:-z,relro,-z,now)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME swarm-bootstrap)
set(CPACK_PACKAGE_VENDOR "swarm-bootstrap")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "joins this machine's Docker engine to a Docker Swarm and keeps it there")
# The extended description: lines under 80 characters (Debian policy 3.4.1, lintian).
set(CPACK_PACKAGE_DESCRIPTION
    "swarm-bootstrap waits for the local Docker engine and for a swarm manager,\n\
joins the swarm, labels the node and, as a systemd service, rejoins whenever\n\
the node drops out. Configure it in /etc/swarm-bootstrap/config.json (see\n\
/usr/share/doc/swarm-bootstrap/config.example.json and swarm-bootstrap(8));\n\
the service starts only once that file exists.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
# Then strip as dh_strip does (.comment and .note too), in the staged tree before CPack packs it and writes the
# md5sums (lintian: binary-has-unneeded-section).
set(CPACK_PRE_BUILD_SCRIPTS ${CMAKE_CURRENT_LIST_DIR}/deb_strip.cmake)
set(CPACK_SB_STRIP ${CMAKE_STRIP})
# One package of all components: Unspecified (the agent, from install(TARGETS) in agent/CMakeLists.txt, the
# documentation and the man page), systemd_unit and debian (changelog, lintian overrides).
set(CPACK_COMPONENTS_ALL Unspecified systemd_unit debian)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
# The project, not a person: mail to the maintainers' list under the project's own domain.
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "swarm-bootstrap maintainers <maintainers@swarm-bootstrap.org>")
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS docker.io)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${SB_INSTALLER_DIR}/debian/postinst ${SB_INSTALLER_DIR}/debian/prerm ${SB_INSTALLER_DIR}/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)

include(CPack)
