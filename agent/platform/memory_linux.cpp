#include <malloc.h>
#include <sys/mman.h>

#include <charconv>
#include <fstream>
#include <string>
#include <string_view>

#include "agent/platform/memory.hpp"

namespace sb {

void release_unused_memory() {
    malloc_trim(0);
    // Executable mappings of files (the binary, libc, libstdc++, ...) are never written, so dropping their
    // pages from this process is safe: a later access maps them again from the page cache. Writable or
    // read-only data mappings may hold relocated (private, modified) pages and are left alone.
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line)) {
        // "start-end perms offset dev inode path"
        std::string_view v(line);
        auto dash = v.find('-');
        auto space = v.find(' ');
        if (dash == std::string_view::npos || space == std::string_view::npos || dash > space ||
            v.substr(space + 1, 4) != "r-xp" || v.find('/') == std::string_view::npos) {
            continue;
        }
        std::uintptr_t start = 0;
        std::uintptr_t end = 0;
        if (std::from_chars(v.data(), v.data() + dash, start, 16).ec != std::errc() ||
            std::from_chars(v.data() + dash + 1, v.data() + space, end, 16).ec != std::errc() ||
            end <= start) {
            continue;
        }
        madvise(reinterpret_cast<void*>(start), end - start, MADV_DONTNEED);
    }
}

}  // namespace sb
