#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "common/endpoint.hpp"
#include "common/engine_api.hpp"

namespace sb {

// A manager that answered as an active swarm manager this round. The client is shared: the probe that found
// it, the phases that use it and the client cache all hold it, so none can outlive another's copy.
struct ReadyManager {
    std::shared_ptr<EngineApi> api;
    EngineInfo info;  // its /info: RemoteManagers, Cluster.ID
    SwarmInfo swarm;  // its GET /swarm: the join tokens
};

// What one manager said this round: ready (with its /info and tokens), or why not.
struct ManagerProbe {
    Endpoint endpoint;
    std::optional<ReadyManager> ready;
    std::optional<ApiError> error;
    // GET /swarm said "Manager is being prepared", or /info "pending": `swarm init` (or a manager's start) is
    // under way, and it is usually ready within a second.
    bool starting = false;
};

// Asks one manager whether it is an active swarm manager that can serve us. GET /swarm comes first: it is the
// cheapest request that tells (1.2 ms of the manager's CPU, against 4.4 ms for /info), and the only one a
// waiting agent sends while no swarm exists. Only a manager that hands out tokens is asked for its /info
// (ControlAvailable, no raft error, the managers' list).
ManagerProbe probe_manager(const std::shared_ptr<EngineApi>& api, const Endpoint& ep);

// Runs background work on its own thread (Services::spawn); unset, runs it inline at once.
using Spawn = std::function<void(std::function<void()>)>;
// The client for a manager endpoint, kept by the caller across calls.
using ManagerClient = std::function<std::shared_ptr<EngineApi>(const Endpoint&)>;

// The one way a manager is asked: probe_manager runs through `spawn`, and `done` gets the answer on that
// thread. wait-manager posts it to its inbox (first ready wins); probe_managers waits for all.
void ask_manager(const Spawn& spawn, std::shared_ptr<EngineApi> api, Endpoint ep,
                 std::function<void(ManagerProbe)> done);

// Asks every manager at once whether it is an active swarm manager that can serve us: its /info says
// ControlAvailable with no raft error (a manager without quorum keeps ControlAvailable for ~35 s), and GET
// /swarm answers with the tokens. A round costs the slowest answer (each bounded by its request timeout), not
// the sum. Results are in `endpoints` order.
std::vector<ManagerProbe> probe_managers(const std::vector<Endpoint>& endpoints, const ManagerClient& client,
                                         const Spawn& spawn);

}  // namespace sb
