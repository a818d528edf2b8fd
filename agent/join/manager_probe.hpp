#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "agent/join/join_context.hpp"

namespace sb {

// What one manager said this round: ready (with its /info and tokens), or why not.
struct ManagerProbe {
    Endpoint endpoint;
    std::optional<ReadyManager> ready;
    std::optional<ApiError> error;
};

// Asks every manager at once whether it is an active swarm manager that can serve us: its /info says
// ControlAvailable with no raft error (a manager without quorum keeps ControlAvailable for ~35 s), and GET
// /swarm answers with the tokens. A round costs the slowest answer, not the sum. Results are in `endpoints`
// order.
std::vector<ManagerProbe> probe_managers(const std::vector<Endpoint>& endpoints,
                                         const std::function<EngineApi&(const Endpoint&)>& client);

}  // namespace sb
