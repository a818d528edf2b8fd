#include <cstdio>

#include "agent/app/wiring.hpp"
#include "agent/commands/command_support.hpp"
#include "agent/commands/commands.hpp"
#include "agent/node/status_report.hpp"
#include "agent/state/state_file.hpp"
#include "common/error.hpp"

namespace sb::commands {

int status(const Config& config, bool json) {
    check_needs(config, {});
    RealServices real(config, {});
    auto report = collect_status(
        real.local(), manager_endpoints(config),
        [&](const Endpoint& ep) { return std::shared_ptr<EngineApi>(real.services().connect_manager(ep)); },
        real.services().spawn, !config.managers.empty());
    report.last_run = read_state(config.state_file);
    if (json) {
        std::printf("%s\n", to_json(report).dump(2).c_str());
    } else {
        std::printf("%s", to_text(report).c_str());
    }
    return report.member() ? 0 : to_int(ExitCode::not_member);
}

}  // namespace sb::commands
