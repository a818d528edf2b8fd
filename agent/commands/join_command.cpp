#include "agent/commands/commands.hpp"
#include "agent/join/join_flow.hpp"
#include "agent/platform/platform.hpp"
#include "agent/state_file.hpp"
#include "agent/wiring.hpp"
#include "common/error.hpp"
#include "common/logging.hpp"
#include "common/version.hpp"

namespace sb::commands {

namespace {

std::unique_ptr<platform::InstanceLock> lock_or_fail(const Config& config) {
    auto lock = platform::try_lock_instance(config.lock_file);
    if (!lock) {
        throw Failure(ExitCode::already_running,
                      "another swarm-bootstrap is already running on this node (lock " + config.lock_file +
                          " is held); wait for it to finish");
    }
    return lock;
}

// Records the outcome; a state file that cannot be written is worth a warning, not a failed join.
void record(const Config& config, AgentState state) {
    if (config.dry_run) {
        return;
    }
    state.finished_at = utc_now_rfc3339();
    try {
        write_state(config.state_file, state);
    } catch (const Failure& f) {
        log("record").warn("{}", f.what());
    }
}

}  // namespace

int join(const Config& config, std::stop_token stop) {
    auto lock = lock_or_fail(config);
    AgentState state;
    state.command = "join";
    state.started_at = utc_now_rfc3339();
    try {
        RealServices real(config, stop);
        auto result = run_join(config, real.services());
        state.outcome = std::string(to_string(result.outcome));
        state.node_id = result.node_id;
        state.cluster_id = result.cluster_id;
        state.manager = result.manager;
        state.attempts = result.attempts;
        record(config, state);
        return 0;
    } catch (const Failure& f) {
        state.outcome = "failed";
        state.exit_code = to_int(f.code());
        state.message = f.what();
        record(config, state);
        throw;
    }
}

int version() {
    std::printf("swarm-bootstrap %s (%s)\nEngine API %s to %s\n", SB_VERSION, SB_PLATFORM, api_version_min,
                api_version_max);
    return 0;
}

}  // namespace sb::commands
