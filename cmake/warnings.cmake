# Project-wide compile settings, applied through one interface target so every library and test gets the same.
add_library(sb_build_settings INTERFACE)
if(MSVC)
  target_compile_options(sb_build_settings INTERFACE /W4 /permissive- /utf-8)
  if(SB_WARNINGS_AS_ERRORS)
    target_compile_options(sb_build_settings INTERFACE /WX)
  endif()
else()
  # Not -Wnull-dereference: at -O2 GCC 12 reports it inside Boost.Asio's own headers.
  target_compile_options(sb_build_settings INTERFACE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
                                                     -Wold-style-cast -Wcast-align -Woverloaded-virtual
                                                     -Wimplicit-fallthrough)
  # GCC 12's -Wrestrict fires inside libstdc++'s char_traits.h when `"literal" + std::string&&` is inlined at
  # -O3 (GCC PR 105651, fixed in GCC 13): a false positive in the library, not in our code. Off for GCC 12
  # only; every other compiler keeps it.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12
     AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(sb_build_settings INTERFACE -Wno-restrict)
  endif()
  if(SB_WARNINGS_AS_ERRORS)
    target_compile_options(sb_build_settings INTERFACE -Werror)
  endif()
endif()
# BOOST_DISABLE_ASSERTS: a peer's bytes must not abort the agent in any build type. Beast 1.81 asserts on a
# malformed chunked trailer that arrives in pieces (basic_parser.ipp:702, `n >= 5`), and its release path
# handles it; without this a Debug build would abort where Release reports an error. The ASan and fuzz builds
# watch the code behind Boost's assertions instead (tests/unit/fuzz_findings_test.cpp replays that input).
target_compile_definitions(sb_build_settings INTERFACE SB_VERSION="${PROJECT_VERSION}" SB_PLATFORM="${SB_PLATFORM}"
                                                       BOOST_ASIO_NO_DEPRECATED BOOST_DISABLE_ASSERTS)
if(SB_SANITIZE)
  if(WIN32)
    message(FATAL_ERROR "SB_SANITIZE is not available in the Windows cross build")
  endif()
  target_compile_options(sb_build_settings INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                                     -fno-sanitize-recover=undefined)
  target_link_options(sb_build_settings INTERFACE -fsanitize=address,undefined)
endif()
