#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "common/endpoint.hpp"
#include "common/engine_api.hpp"

namespace sb {

// A manager that answered as an active swarm manager this round.
struct ReadyManager {
    EngineApi* api = nullptr;
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
ManagerProbe probe_manager(EngineApi& api, const Endpoint& ep);

// Asks every manager at once whether it is an active swarm manager that can serve us: its /info says
// ControlAvailable with no raft error (a manager without quorum keeps ControlAvailable for ~35 s), and GET
// /swarm answers with the tokens. A round costs the slowest answer, not the sum. Results are in `endpoints`
// order.
std::vector<ManagerProbe> probe_managers(const std::vector<Endpoint>& endpoints,
                                         const std::function<EngineApi&(const Endpoint&)>& client);

}  // namespace sb
