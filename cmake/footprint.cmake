# The agent idles on every node for the node's whole life, and most of its memory is its own code: the pages of
# text it has run, which the kernel maps 64 kB at a time. Optimized builds therefore optimize for size and let the
# linker drop the functions nothing calls. Linux, Release: text 3.5 MB -> 1.5 MB; idle `run --cloud azure`
# 7.9 MB -> 7.1 MB RSS (bench/cloud_idle.sh, issue 17). The agent waits on the network: bench/race.sh, 20 joins
# each, p90 0.66-0.76 s at -Os, 0.67 s at -O3. SB_OPTIMIZE_FOR_SIZE=OFF keeps the build type's own -O level.
# Not the mingw build: at -Os GCC emits its own std::type_info::operator==, which the static libstdc++ also
# defines (the link fails: multiple definition); it keeps its -O2.
option(SB_OPTIMIZE_FOR_SIZE "Optimized builds use -Os and drop unused code (the idle agent's memory)" ON)
if(SB_OPTIMIZE_FOR_SIZE AND NOT MSVC AND NOT WIN32)
  # After CMAKE_CXX_FLAGS_<CONFIG> on the command line, so this -Os wins over the build type's -O2/-O3.
  set(sb_optimized "$<NOT:$<CONFIG:Debug>>")
  target_compile_options(sb_build_settings INTERFACE "$<${sb_optimized}:-Os;-ffunction-sections;-fdata-sections>")
  target_link_options(sb_build_settings INTERFACE "$<${sb_optimized}:LINKER:--gc-sections>")
endif()
