#include "agent/commands/command_support.hpp"

#include "agent/state/state_file.hpp"
#include "common/error.hpp"
#include "common/logging.hpp"

namespace sb::commands {

std::unique_ptr<platform::InstanceLock> lock_or_fail(const Config& config) {
    auto lock = platform::try_lock_instance(config.lock_file);
    if (!lock) {
        throw Failure(ExitCode::already_running,
                      "another swarm-bootstrap is already running on this node (lock " + config.lock_file +
                          " is held); wait for it to finish or stop it");
    }
    return lock;
}

void record(const Config& config, const std::string& command, const std::string& started,
            const JoinResult* result, const std::string& failure, int code) {
    if (config.dry_run) {
        return;
    }
    AgentState state;
    state.command = command;
    state.started_at = started;
    state.finished_at = utc_now_rfc3339();
    if (result != nullptr) {
        state.outcome = std::string(to_string(result->outcome));
        state.node_id = result->node_id;
        state.cluster_id = result->cluster_id;
        state.manager = result->manager;
        state.attempts = result->attempts;
    } else {
        state.outcome = "failed";
        state.exit_code = code;
        state.message = failure;
    }
    try {
        write_state(config.state_file, state);
    } catch (const Failure& f) {
        log("record").warn("{}", f.what());
    }
}

std::vector<Endpoint> manager_endpoints(const Config& config) {
    auto specs = parse_manager_specs(config.managers);
    if (!specs) {
        throw Failure(ExitCode::usage, specs.error());
    }
    return expand_managers(*specs, config.tls, resolve_host);
}

}  // namespace sb::commands
