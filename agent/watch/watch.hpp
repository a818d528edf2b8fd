#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>

#include "agent/join/join_flow.hpp"
#include "agent/reap/reaper.hpp"
#include "agent/service/service_host.hpp"

namespace sb {

enum class Health { healthy, needs_join, unknown };

struct HealthCheck {
    Health health = Health::unknown;
    std::string reason;
};

// What the checks keep from one interval to the next, so that an idle check costs one request to the local
// engine (/info) and one to a manager (GET /nodes/<id>): the manager clients (their API version negotiated
// once), the manager that answered last, and the local engine's /version (for the labels).
struct WatchState {
    std::map<std::string, std::shared_ptr<EngineApi>> clients;
    std::optional<Endpoint> last_manager;
    std::optional<VersionInfo> local_version;
    std::shared_ptr<reap::Reaper> reaper;  // with --reap-down-after, from the first check on
};

// One quiet look at the node: is the local engine active, does a manager still know the node, are the labels
// this agent owns still there (restored if not); with --reap-down-after, on the leader, the reaper's pass.
// Logs only what it changes or finds wrong.
HealthCheck check_node(const Config& config, Services& services, WatchState& state);
HealthCheck check_node(const Config& config, Services& services);

// Service mode: join, then every interval check and heal, until stop. Never gives up: each join cycle has the
// configured deadline, and a failed cycle is retried after a backoff. Returns the exit code (0 when stopped).
// `record` is told every join outcome or failure (the state file).
int watch_and_heal(
    const Config& config, Services& services, service::Supervisor& supervisor,
    const std::function<void(const JoinResult*, const std::string& failure, int code)>& record);

}  // namespace sb
