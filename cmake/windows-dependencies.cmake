# The Windows cross build (mingw-w64): the libraries are header-only copies of Debian's -dev packages, staged
# into their own directory so that mingw never sees the host's /usr/include. No find_package here: the host's
# package files point at /usr/include. The same target names as the Linux build are defined, so the rest of
# the CMake code does not care which build it is. No OpenSSL: TLS is unavailable in this build.

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

set(SB_HAVE_TLS OFF)
