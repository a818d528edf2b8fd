#include <windows.h>

#include "agent/platform/memory.hpp"

namespace sb {

void release_unused_memory() {
    // Trims the working set: pages the idle loop does not touch again leave it.
    SetProcessWorkingSetSize(GetCurrentProcess(), static_cast<SIZE_T>(-1), static_cast<SIZE_T>(-1));
}

}  // namespace sb
