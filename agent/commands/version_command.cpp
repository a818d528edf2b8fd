#include <cstdio>

#include "agent/commands/commands.hpp"
#include "common/version.hpp"

namespace sb::commands {

int version() {
    std::printf("swarm-bootstrap %s (%s)\nEngine API %s to %s\n", SB_VERSION, SB_PLATFORM, api_version_min,
                api_version_max);
    return 0;
}

}  // namespace sb::commands
