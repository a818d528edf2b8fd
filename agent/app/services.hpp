#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>

#include "agent/check/probes.hpp"
#include "agent/config/manager_address.hpp"
#include "agent/join/port_watch.hpp"
#include "common/backoff.hpp"
#include "common/clock.hpp"
#include "common/engine_api.hpp"
#include "common/expected.hpp"

namespace sb {

// What the join phases use from the outside world. Production wires real clients; tests wire fakes.
struct Services {
    Clock* clock = nullptr;
    UniformRandom random;
    EngineApi* local = nullptr;  // the local engine
    std::function<std::unique_ptr<EngineApi>(const Endpoint&)> connect_manager;
    Resolver resolve;
    // Whether a manager's swarm port accepts a TCP connection within `timeout`.
    std::function<sb::expected<void, std::string>(const std::string& host, std::uint16_t port,
                                                  Duration timeout)>
        probe_swarm_port;
    // Runs background work (API probes, swarm-port connects) on its own thread. Unset: runs it inline, at
    // once (the unit tests' deterministic default).
    std::function<void(std::function<void()>)> spawn;
    PortWatchPolicy port_watch;
    // The named checks' view of this machine (ports, MTU, clock). Unset: the join runs no check preflight.
    std::shared_ptr<const check::Probes> check_probes;
    // How long a join waits for its preflight checks before it goes on without them (a probe that hangs must
    // not keep a node out of the swarm).
    Duration check_patience = std::chrono::seconds(10);
    std::stop_token stop;
};

}  // namespace sb
