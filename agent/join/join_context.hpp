#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stop_token>
#include <string>

#include "agent/config.hpp"
#include "agent/join/port_watch.hpp"
#include "agent/manager_address.hpp"
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
    std::stop_token stop;
};

// A manager that answered as an active swarm manager this round.
struct ReadyManager {
    EngineApi* api = nullptr;
    EngineInfo info;  // its /info: RemoteManagers, Cluster.ID
    SwarmInfo swarm;  // its GET /swarm: the join tokens
};

enum class JoinOutcome { joined, already_member, rejoined, dry_run };

std::string_view to_string(JoinOutcome outcome);

struct JoinResult {
    JoinOutcome outcome = JoinOutcome::joined;
    std::string node_id;
    std::string cluster_id;
    std::string manager;  // the manager API used, or the swarm address joined through
    std::string role;
    Labels labels;  // the labels this agent owns, as applied
    bool labelled = false;
    VersionInfo local_version;  // the local engine's /version, for the watch loop's label checks
    int attempts = 0;
};

// The state the phases share during one `join`.
struct JoinContext {
    const Config& config;
    Services& services;
    Deadline deadline;
    Backoff backoff;
    std::vector<ManagerSpec> managers;
    std::optional<Secret> file_token;  // from --token-file

    EngineInfo local_info;
    VersionInfo local_version;
    std::optional<ReadyManager> manager;  // set by wait-manager when a manager's API answered
    std::vector<std::string>
        swarm_addrs;  // token-file mode without an API: managers' swarm ports that accept
    // Swarm ports (host:2377) the watch saw accept a connection, and when: join_swarm need not look again.
    std::map<std::string, Clock::time_point> swarm_ports_open;
    // The local /info that preflight read said "inactive" and nothing has changed the local state since
    // (cleared once used, and by a leave): the first membership check need not ask again.
    bool local_info_fresh = false;
    // One client per manager endpoint, kept across rounds (the API version is negotiated once). Shared with
    // the background probes, which may outlive a round (a hanging manager).
    std::map<std::string, std::shared_ptr<EngineApi>> clients;
    bool left_stale_state = false;
    std::set<std::string> warned_plain_tcp;  // managers already warned about, once per join
    std::set<std::string> took_no_join;      // managers (authorities) that were ready but took no join
    JoinResult result;

    JoinContext(const Config& c, Services& s);

    EngineApi& manager_client(const Endpoint& ep);
    std::shared_ptr<EngineApi> shared_manager_client(const Endpoint& ep);
    // Sleeps for the next backoff step, bounded by the deadline. Returns false when stop was requested.
    bool pause(Duration step);
    // "attempt 7, next in 3.2s, 14m12s left"
    std::string progress(int attempt, Duration next) const;
};

}  // namespace sb
