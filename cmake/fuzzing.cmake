# SB_FUZZ: instrument everything for libFuzzer with ASan and UBSan, in a build directory of its own
# (scripts/fuzz.sh). The fuzz targets themselves are in tests/fuzz/.
option(SB_FUZZ "Build the libFuzzer targets in tests/fuzz (Clang only; use a build directory of its own)" OFF)
if(NOT SB_FUZZ)
  return()
endif()
if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
  message(FATAL_ERROR "SB_FUZZ needs Clang's libFuzzer: configure with -DCMAKE_CXX_COMPILER=clang++-14")
endif()
if(SB_SANITIZE)
  message(FATAL_ERROR "SB_FUZZ already builds with ASan and UBSan: leave SB_SANITIZE off")
endif()
# fuzzer-no-link: coverage instrumentation for the libraries; only the fuzz executables link libFuzzer's main.
target_compile_options(sb_build_settings INTERFACE -fsanitize=fuzzer-no-link,address,undefined
                                                   -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
target_link_options(sb_build_settings INTERFACE -fsanitize=address,undefined)
# Boost's internal assertions are compiled out of every build, this one too (cmake/warnings.cmake).
