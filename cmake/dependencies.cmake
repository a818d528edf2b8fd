# Linux: Debian's packages through find_package. The Windows cross build stages header-only copies
# instead (cmake/windows-dependencies.cmake) and defines the same target names.
if(CMAKE_CROSSCOMPILING AND WIN32)
  include(${CMAKE_CURRENT_LIST_DIR}/windows-dependencies.cmake)
  return()
endif()

find_package(Boost 1.81 REQUIRED CONFIG COMPONENTS headers)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(Threads REQUIRED)
find_package(OpenSSL)
# sd_notify for the Type=notify unit and journald for its log lines.
if(NOT WIN32)
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(SYSTEMD REQUIRED IMPORTED_TARGET libsystemd)
endif()
if(SB_BUILD_TESTS)
  find_package(doctest REQUIRED)
endif()

set(SB_HAVE_TLS ${OpenSSL_FOUND})
