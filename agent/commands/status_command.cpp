#include <cstdio>
#include <memory>

#include "agent/app/wiring.hpp"
#include "agent/commands/command_line.hpp"
#include "agent/commands/command_support.hpp"
#include "agent/commands/commands.hpp"
#include "agent/node/status_report.hpp"
#include "agent/state/notice_ledger.hpp"
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
    // The cloud notice `run` acted on last, and what it is doing about it.
    auto notices = read_notice_ledger(notice_ledger_path(config.state_file));
    if (json) {
        auto j = to_json(report);
        if (!notices.records.empty()) {
            j["cloud_notice"] = to_json(notices.records.back());
        }
        std::printf("%s\n", j.dump(2).c_str());
    } else {
        std::printf("%s", to_text(report).c_str());
        if (!notices.records.empty()) {
            const auto& n = notices.records.back();
            std::printf("cloud notice: %s %s %s (not before %s): %s\n", n.cloud.c_str(), n.type.c_str(),
                        n.id.c_str(), n.not_before.empty() ? "now" : n.not_before.c_str(), n.doing.c_str());
        }
    }
    return report.member() ? 0 : to_int(ExitCode::not_member);
}

void setup_status(CLI::App& app, CommandLine& cl) {
    auto as_json = std::make_shared<bool>(false);
    auto* sub = app.add_subcommand(
        "status",
        "what the engine and the managers say about this node; exit 0 only for an active, ready member");
    add_config_options(*sub, cl, false);
    sub->add_flag("--json", *as_json, "print JSON");
    cl.actions[sub] = [&cl, sub, as_json] { return status(configure(cl, *sub), *as_json); };
}

}  // namespace sb::commands
