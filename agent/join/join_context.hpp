#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stop_token>
#include <string>

#include "agent/app/services.hpp"
#include "agent/config/config.hpp"
#include "agent/config/manager_address.hpp"
#include "agent/node/manager_probe.hpp"
#include "common/backoff.hpp"
#include "common/clock.hpp"
#include "common/engine_api.hpp"
#include "common/error.hpp"
#include "common/expected.hpp"

namespace sb {

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
    std::optional<ReadyManager> manager;       // set by wait-manager when a manager's API answered
    std::optional<Endpoint> manager_endpoint;  // ... and where it answered
    bool checks_passed = false;                // the preflight checks ran and stopped nothing
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
    // When this join first saw the local engine "pending": a join still under way (one a stopped run began)
    // is given the engine's own join timeout to finish before its state is left.
    std::optional<Clock::time_point> pending_since;
    // The node ids this join left (rejoin's leave, stale pending/error/removed states): the checks do not
    // count them as namesakes, and their entries are removed after the join.
    std::vector<std::string> old_entries;
    // Why membership could not be decided this round, as the failure it becomes at the deadline.
    std::optional<Failure> undecided;
    std::set<std::string> warned_plain_tcp;  // managers already warned about, once per join
    std::set<std::string> took_no_join;      // managers (authorities) that were ready but took no join
    // Managers (Endpoint::url()) that rejected us (TLS, 401/403), and why: out of the race for this join.
    std::map<std::string, std::string> rejected;
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
