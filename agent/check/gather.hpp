#pragma once

// Gathers the facts every check looks at, concurrently: the local engine, and per manager its /version
// (with the Date header and the round trip), GET /swarm and GET /nodes (at most three API requests per
// manager), its swarm and gossip ports and the path MTU towards it, then this node's data path port.

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agent/check/checker.hpp"
#include "agent/check/probes.hpp"
#include "agent/cloud/metadata_answers.hpp"
#include "common/endpoint.hpp"

namespace sb::check {

struct ManagerTarget {
    Endpoint endpoint;
    EngineApi* api = nullptr;
    std::optional<SwarmInfo> swarm;  // already read (the join's ready manager): not asked again
};

struct GatherInput {
    EngineApi* local = nullptr;
    // Already read (a join's preflight has them): the local engine is not asked again.
    std::optional<VersionInfo> local_version;
    std::optional<EngineInfo> local_info;
    std::vector<ManagerTarget> managers;
    bool prune_stale_nodes = false;
    Labels labels;
    std::set<std::string> own_node_ids;
    Duration port_timeout{2000};
    bool windows = false;  // a Windows node (also when the local engine says so)
};

Facts gather(const GatherInput& input, const Probes& probes);

// "Fri, 04 Dec 2026 19:10:00 GMT" (RFC 7231 IMF-fixdate): the one parser of a peer's HTTP date, the cloud
// watch's (Azure's NotBefore is written the same way).
using cloud::parse_http_date;

}  // namespace sb::check
