# Cross compiling for 64-bit Windows with Debian's mingw-w64 (g++-mingw-w64-x86-64). The -posix variant of the
# compiler: the default -win32 thread model has no std::mutex/std::thread in GCC 12, and spdlog needs them.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(SB_MINGW_TRIPLET x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${SB_MINGW_TRIPLET}-gcc-posix)
set(CMAKE_CXX_COMPILER ${SB_MINGW_TRIPLET}-g++-posix)
set(CMAKE_RC_COMPILER ${SB_MINGW_TRIPLET}-windres)
set(CMAKE_STRIP ${SB_MINGW_TRIPLET}-strip)

# Only mingw's own sysroot: the host's /usr/include must never be searched (cmake/windows-dependencies.cmake
# stages the header-only libraries separately).
set(CMAKE_FIND_ROOT_PATH /usr/${SB_MINGW_TRIPLET})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# A static runtime: the .exe then imports only system DLLs.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static -static-libgcc -static-libstdc++")
