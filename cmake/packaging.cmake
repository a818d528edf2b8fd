# The Debian package, built with CPack from a configured and built tree:
#   cpack -G DEB --config build/CPackConfig.cmake -B <output directory>
# It holds /usr/bin/swarm-bootstrap (installed by agent/CMakeLists.txt), the systemd unit in
# /lib/systemd/system, the example configuration and copyright in /usr/share/doc/swarm-bootstrap, and the
# maintainer scripts of installer-linux/debian (no start without /etc/swarm-bootstrap/config.json; purge
# removes configuration and state).

set(SB_INSTALLER_DIR ${PROJECT_SOURCE_DIR}/installer-linux)

# The unit's path is absolute, so it is its own component, left out of a plain `cmake --install` (which
# would otherwise write into the build machine's /lib/systemd/system whatever --prefix says). Only the
# package takes it.
install(FILES ${SB_INSTALLER_DIR}/swarm-bootstrap.service
        DESTINATION /lib/systemd/system
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ
        COMPONENT systemd_unit EXCLUDE_FROM_ALL)
install(FILES ${SB_INSTALLER_DIR}/config.example.json ${SB_INSTALLER_DIR}/debian/copyright
        DESTINATION share/doc/swarm-bootstrap
        PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME swarm-bootstrap)
set(CPACK_PACKAGE_VENDOR "swarm-bootstrap")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "joins this machine's Docker engine to a Docker Swarm and keeps it there")
set(CPACK_PACKAGE_DESCRIPTION
    "swarm-bootstrap waits for the local Docker engine and for a swarm manager, joins the swarm, labels the\n\
node and, as a systemd service, rejoins whenever the node drops out. Configure it in\n\
/etc/swarm-bootstrap/config.json (see /usr/share/doc/swarm-bootstrap/config.example.json); the service\n\
starts only once that file exists.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
# One package of both components: Unspecified (the agent, from install(TARGETS) in agent/CMakeLists.txt, and
# the documentation) and systemd_unit.
set(CPACK_COMPONENTS_ALL Unspecified systemd_unit)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "swarm-bootstrap maintainers <swarm-bootstrap@localhost>")
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS docker.io)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${SB_INSTALLER_DIR}/debian/postinst ${SB_INSTALLER_DIR}/debian/prerm ${SB_INSTALLER_DIR}/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)

include(CPack)
