#pragma once

#include "agent/node/manager_probe.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "agent/state/state_file.hpp"
#include "common/engine_api.hpp"

namespace sb {

struct ManagerView {
    std::string address;
    bool ready = false;   // an active manager that can serve joins
    std::string problem;  // why not, when not
};

// What the local engine and the managers say about this node, for `status`.
struct StatusReport {
    std::string engine;  // the local engine's address
    bool engine_reachable = false;
    std::string engine_problem;
    std::string engine_version;
    std::string os;
    std::string hostname;
    std::string local_state;  // inactive, pending, active, error, locked
    std::string swarm_error;
    std::string node_id;
    std::string cluster_id;
    std::optional<Node> node;  // as a manager sees it
    std::string node_problem;  // why the manager view is missing
    std::vector<ManagerView> managers;
    std::optional<AgentState> last_run;

    // Exit 0 for `status` only when this holds: active locally and ready on a manager.
    bool member() const { return local_state == "active" && node && node->state == "ready"; }
    // Active locally, but no manager was there to ask: whether the swarm still knows the node is not known.
    bool membership_unknown = false;
};

// Reads, never waits: one round of questions with per-request timeouts.
// `managers_configured` false: no --manager was given (not one that does not resolve).
StatusReport collect_status(EngineApi& local, const std::vector<Endpoint>& managers,
                            const ManagerClient& client, const Spawn& spawn, bool managers_configured = true);

nlohmann::json to_json(const StatusReport& r);
std::string to_text(const StatusReport& r);

}  // namespace sb
