#include <cstdio>
#include <string>

#include "agent/commands/command_line.hpp"
#include "agent/commands/commands.hpp"
#include "common/transport/tls_library.hpp"
#include "common/version.hpp"

namespace sb::commands {

int version() {
    std::printf("swarm-bootstrap %s (%s)\nEngine API %s to %s\n", SB_VERSION, SB_PLATFORM, api_version_min,
                api_version_max);
    const std::string library = tls_library();
    const std::string tls =
        library.empty() ? "not available in this build (no OpenSSL)" : "available, " + library;
    std::printf("TLS: %s\n", tls.c_str());
    return 0;
}

void setup_version(CLI::App& app, CommandLine& cl) {
    auto* sub = app.add_subcommand("version", "print the version, platform and Engine API range");
    cl.actions[sub] = [] { return version(); };
}

}  // namespace sb::commands
