# The Windows cross build (mingw-w64): the libraries are header-only copies of Debian's -dev packages, staged
# into their own directory so that mingw never sees the host's /usr/include. No find_package here: the host's
# package files point at /usr/include. The same target names as the Linux build are defined, so the rest of
# the CMake code does not care which build it is. OpenSSL is the exception: it is compiled, from Debian's
# source package, by scripts/build-openssl-mingw.sh (cached) and linked statically.

set(SB_WINDOWS_HEADER_SOURCE /usr/include CACHE PATH "Where the header-only libraries to stage are")
set(_sb_stage ${CMAKE_BINARY_DIR}/windows-include)
file(MAKE_DIRECTORY ${_sb_stage})
foreach(_dir boost nlohmann spdlog fmt CLI doctest)
  if(NOT EXISTS ${SB_WINDOWS_HEADER_SOURCE}/${_dir})
    message(FATAL_ERROR "${SB_WINDOWS_HEADER_SOURCE}/${_dir} not found: install libboost1.81-dev "
                        "nlohmann-json3-dev libspdlog-dev libfmt-dev libcli11-dev doctest-dev")
  endif()
  if(NOT EXISTS ${_sb_stage}/${_dir})
    file(CREATE_LINK ${SB_WINDOWS_HEADER_SOURCE}/${_dir} ${_sb_stage}/${_dir} SYMBOLIC)
  endif()
endforeach()
# A Boost header spells it with a capital W; mingw's header is windows.h.
# (file(CONFIGURE) rewrites it only when it changes, so a reconfigure rebuilds nothing.)
file(CONFIGURE OUTPUT ${_sb_stage}/Windows.h CONTENT "#include <windows.h>\n")

add_library(sb_windows_deps INTERFACE)
target_include_directories(sb_windows_deps SYSTEM INTERFACE ${_sb_stage})
target_compile_definitions(sb_windows_deps INTERFACE
  _WIN32_WINNT=0x0A00 WINVER=0x0A00 NOMINMAX WIN32_LEAN_AND_MEAN
  FMT_HEADER_ONLY SPDLOG_FMT_EXTERNAL BOOST_PROCESS_USE_STD_FS)
# shell32, ole32 and uuid for SHGetKnownFolderPath(FOLDERID_ProgramData).
target_link_libraries(sb_windows_deps INTERFACE ws2_32 mswsock bcrypt advapi32 shell32 ole32 uuid)

foreach(_target Boost::headers nlohmann_json::nlohmann_json spdlog::spdlog spdlog::spdlog_header_only fmt::fmt
                fmt::fmt-header-only CLI11::CLI11 doctest::doctest Threads::Threads)
  if(NOT TARGET ${_target})
    add_library(${_target} ALIAS sb_windows_deps)
  endif()
endforeach()

# OpenSSL for TLS to the managers: static libssl.a/libcrypto.a from scripts/build-openssl-mingw.sh, so the exe
# still imports only system DLLs. test-windows.sh passes the prefix; without it the script is run here (a
# cache lookup once it has built). SB_WINDOWS_TLS=OFF builds without TLS (tls_transport_unavailable.cpp).
option(SB_WINDOWS_TLS "Build the Windows exe with TLS (OpenSSL built from Debian's source package)" ON)
set(SB_OPENSSL_MINGW_ROOT "" CACHE PATH "Prefix of the mingw OpenSSL build (scripts/build-openssl-mingw.sh)")
set(SB_HAVE_TLS OFF)
if(SB_WINDOWS_TLS)
  if(NOT SB_OPENSSL_MINGW_ROOT)
    message(STATUS "Building or finding OpenSSL for mingw (scripts/build-openssl-mingw.sh)")
    execute_process(COMMAND ${PROJECT_SOURCE_DIR}/scripts/build-openssl-mingw.sh
                    OUTPUT_VARIABLE _sb_openssl_out RESULT_VARIABLE _sb_openssl_rc OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(NOT _sb_openssl_rc EQUAL 0)
      message(FATAL_ERROR "scripts/build-openssl-mingw.sh failed; fix it or configure with -DSB_WINDOWS_TLS=OFF")
    endif()
    string(REGEX REPLACE ".*\n" "" _sb_openssl_out "${_sb_openssl_out}")
    set(SB_OPENSSL_MINGW_ROOT ${_sb_openssl_out} CACHE PATH "" FORCE)
  endif()
  foreach(_lib ssl crypto)
    if(NOT EXISTS ${SB_OPENSSL_MINGW_ROOT}/lib/lib${_lib}.a)
      message(FATAL_ERROR "${SB_OPENSSL_MINGW_ROOT}/lib/lib${_lib}.a not found: run scripts/build-openssl-mingw.sh")
    endif()
  endforeach()
  # Its headers are staged with the others: no extra include flag, so the compile commands of files that do not
  # use OpenSSL stay the same (and so do their ccache entries).
  if(NOT IS_SYMLINK ${_sb_stage}/openssl)
    file(CREATE_LINK ${SB_OPENSSL_MINGW_ROOT}/include/openssl ${_sb_stage}/openssl SYMBOLIC)
  else()
    file(READ_SYMLINK ${_sb_stage}/openssl _sb_openssl_link)
    if(NOT _sb_openssl_link STREQUAL "${SB_OPENSSL_MINGW_ROOT}/include/openssl")
      file(REMOVE ${_sb_stage}/openssl)
      file(CREATE_LINK ${SB_OPENSSL_MINGW_ROOT}/include/openssl ${_sb_stage}/openssl SYMBOLIC)
    endif()
  endif()
  add_library(OpenSSL::Crypto STATIC IMPORTED)
  set_target_properties(OpenSSL::Crypto PROPERTIES
    IMPORTED_LOCATION ${SB_OPENSSL_MINGW_ROOT}/lib/libcrypto.a
    INTERFACE_LINK_LIBRARIES "ws2_32;crypt32")
  add_library(OpenSSL::SSL STATIC IMPORTED)
  set_target_properties(OpenSSL::SSL PROPERTIES
    IMPORTED_LOCATION ${SB_OPENSSL_MINGW_ROOT}/lib/libssl.a
    INTERFACE_LINK_LIBRARIES OpenSSL::Crypto)
  set(SB_HAVE_TLS ON)
endif()
