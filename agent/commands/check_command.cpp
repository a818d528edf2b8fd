#include <cstdio>

#include "agent/app/wiring.hpp"
#include "agent/check/gather.hpp"
#include "agent/check/probes.hpp"
#include "agent/check/run_checks.hpp"
#include "agent/commands/command_support.hpp"
#include "agent/commands/commands.hpp"
#include "common/error.hpp"

namespace sb::commands {

int check(const Config& config, bool json) {
    check_needs(config, {});
    RealServices real(config, {});
    // Short request timeouts: `check` reports a silent manager instead of waiting on it.
    const ClientTimeouts timeouts{.request = Duration(3000)};
    std::vector<std::unique_ptr<EngineApi>> clients;
    check::GatherInput input;
    input.local = &real.local();
    for (const auto& ep : manager_endpoints(config)) {
        clients.push_back(std::make_unique<EngineClient>(make_transport(ep, config.tls_options), timeouts));
        input.managers.push_back({ep, clients.back().get(), std::nullopt});
    }
    input.prune_stale_nodes = config.prune_stale_nodes;
    input.labels = config.labels;
    auto facts = check::gather(input, check::platform_probes());
    auto report = check::run_checks(facts, check::all_checkers(), config.ignore_preflight_errors);
    if (json) {
        std::printf("%s\n", check::to_json(report).dump(2).c_str());
    } else {
        std::printf("%s", check::to_text(report).c_str());
    }
    std::fflush(stdout);
    return report.errors().empty() ? 0 : to_int(ExitCode::check_failed);
}

}  // namespace sb::commands
