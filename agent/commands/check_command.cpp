#include <cstdio>
#include <memory>

#include "agent/app/wiring.hpp"
#include "agent/check/gather.hpp"
#include "agent/check/probes.hpp"
#include "agent/check/run_checks.hpp"
#include "agent/commands/command_line.hpp"
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

void setup_check(CLI::App& app, CommandLine& cl) {
    auto as_json = std::make_shared<bool>(false);
    auto* sub = app.add_subcommand(
        "check", "run the named checks (engine, managers, ports, clock, MTU, hostname); exit 11 on an error");
    add_config_options(*sub, cl, false);
    sub->add_flag("--json", *as_json, "print JSON");
    cl.actions[sub] = [&cl, sub, as_json] { return check(configure(cl, *sub), *as_json); };
}

}  // namespace sb::commands
