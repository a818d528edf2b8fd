#include "agent/app/wiring.hpp"
#include "agent/commands/command_line.hpp"
#include "agent/commands/command_support.hpp"
#include "agent/commands/commands.hpp"
#include "agent/join/join_flow.hpp"
#include "agent/state/state_file.hpp"
#include "common/error.hpp"

namespace sb::commands {

namespace {

int join_with(const Config& config, std::stop_token stop, const std::string& command, JoinPlan plan) {
    // Everything that can never work ends here, before the lock: exit 2 even while another agent runs.
    check_needs(config, {.managers = true, .token_file = true});
    auto lock = lock_or_fail(config);
    auto started = utc_now_rfc3339();
    try {
        RealServices real(config, stop);
        auto result = run_join(config, real.services(), plan);
        record(config, command, started, &result, "", 0);
        return 0;
    } catch (const Failure& f) {
        record(config, command, started, nullptr, f.what(), to_int(f.code()));
        throw;
    }
}

}  // namespace

int join(const Config& config, std::stop_token stop) {
    return join_with(config, stop, "join", {});
}

int rejoin(const Config& config, std::stop_token stop) {
    return join_with(config, stop, "rejoin", JoinPlan{.leave_first = true});
}

void setup_join(CLI::App& app, CommandLine& cl) {
    auto* sub =
        app.add_subcommand("join", "wait for the engine and a manager, join the swarm, verify, label");
    add_config_options(*sub, cl, true);
    cl.actions[sub] = [&cl, sub] { return join(configure(cl, *sub), cl.stop.get_token()); };
}

void setup_rejoin(CLI::App& app, CommandLine& cl) {
    auto* sub = app.add_subcommand("rejoin",
                                   "leave (demoting a manager first), remove the old node entry, join again");
    add_config_options(*sub, cl, true);
    cl.actions[sub] = [&cl, sub] { return rejoin(configure(cl, *sub), cl.stop.get_token()); };
}

}  // namespace sb::commands
