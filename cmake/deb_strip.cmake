# CPack pre-build script (CPACK_PRE_BUILD_SCRIPTS, cmake/packaging.cmake): strips the staged binary as
# dh_strip does, removing the .comment and .note sections that CPack's plain strip keeps.
file(GLOB_RECURSE sb_binaries "${CPACK_TEMPORARY_INSTALL_DIRECTORY}/*/usr/bin/swarm-bootstrap"
     "${CPACK_TEMPORARY_INSTALL_DIRECTORY}/usr/bin/swarm-bootstrap")
if(NOT sb_binaries)
  message(FATAL_ERROR "deb_strip.cmake: no usr/bin/swarm-bootstrap under ${CPACK_TEMPORARY_INSTALL_DIRECTORY}")
endif()
foreach(sb_binary IN LISTS sb_binaries)
  execute_process(COMMAND ${CPACK_SB_STRIP} --remove-section=.comment --remove-section=.note --strip-unneeded
                          ${sb_binary} RESULT_VARIABLE sb_rc)
  if(NOT sb_rc EQUAL 0)
    message(FATAL_ERROR "deb_strip.cmake: ${CPACK_SB_STRIP} failed on ${sb_binary}")
  endif()
endforeach()
