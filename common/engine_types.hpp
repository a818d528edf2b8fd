#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/secret.hpp"

// The parts of Engine API answers the agent reads, parsed leniently: missing keys take empty values
// (a worker's /info has no Cluster key; old engines lack OSVersion).
namespace sb {

using Labels = std::map<std::string, std::string>;

struct VersionInfo {
    std::string version;          // "20.10.24+dfsg1"
    std::string api_version;      // "1.41"
    std::string min_api_version;  // "1.12"
    std::string os;               // "linux" / "windows"
    std::string arch;             // GOARCH: "amd64", "arm64"
    std::string kernel_version;
};

struct RemoteManager {
    std::string node_id;
    std::string addr;  // "10.213.0.1:2377"
};

struct SwarmState {
    std::string node_id;
    std::string node_addr;
    std::string local_state;  // inactive, pending, active, error, locked
    bool control_available = false;
    std::string error;
    std::vector<RemoteManager> remote_managers;
    std::string cluster_id;  // managers only

    bool active() const { return local_state == "active"; }
    bool inactive() const { return local_state == "inactive" || local_state.empty(); }
};

struct EngineInfo {
    std::string id;
    std::string name;              // hostname
    std::string os_type;           // "linux" / "windows"
    std::string operating_system;  // "Debian GNU/Linux 12 (bookworm)", "Windows Server 2019 Datacenter
                                   // Version 1809 (OS Build 17763.1879)"
    std::string os_version;        // "12", "10.0 17763 (17763.1.amd64fre.rs5_release.180914-1434)"
    std::string kernel_version;
    std::string architecture;  // "x86_64"
    SwarmState swarm;
};

struct SwarmInfo {
    std::string id;
    Secret worker_token;
    Secret manager_token;
};

struct Node {
    std::string id;
    std::uint64_t version = 0;
    nlohmann::json spec;  // the whole Spec: sent back whole on update, or labels are lost
    std::string hostname;
    std::string state;  // ready, down, unknown, disconnected
    std::string addr;
    std::string role;          // from Spec
    std::string availability;  // from Spec
    Labels labels;             // from Spec
    std::string os;            // Description.Platform.OS
    std::string architecture;  // Description.Platform.Architecture
    bool leader = false;
    std::string reachability;  // managers only
};

// A task as GET /tasks lists it: where it is placed, what the orchestrator wants of it and what it is doing.
struct Task {
    std::string id;
    std::string service_id;
    std::string node_id;        // empty while the task is not yet assigned
    std::string desired_state;  // running, shutdown, ...
    std::string state;          // Status.State: new, pending, assigned, ..., running, shutdown, failed, ...
    std::uint64_t slot = 0;     // replicated services only

    // Whether the task is done with this node (its container is gone or never started here).
    bool terminal() const;
};

enum class ServiceMode { replicated, global, other };

// A service as GET /services lists it: what a drain waits for.
struct Service {
    std::string id;
    std::string name;
    ServiceMode mode = ServiceMode::other;
    std::uint64_t replicas = 0;  // Spec.Mode.Replicated.Replicas
};

// Filters of GET /tasks; empty members filter nothing.
struct TaskFilter {
    std::vector<std::string> node_ids;
    std::vector<std::string> service_ids;
    std::string desired_state;  // "running"
};

struct JoinRequest {
    std::string listen_addr = "0.0.0.0:2377";
    std::string advertise_addr;
    std::string data_path_addr;
    std::string remote_addr;  // exactly one: the engine uses only RemoteAddrs[0]
    Secret token;
    std::string availability;  // empty: the engine's default
};

VersionInfo parse_version(const nlohmann::json& j);
EngineInfo parse_info(const nlohmann::json& j);
SwarmInfo parse_swarm(const nlohmann::json& j);
Node parse_node(const nlohmann::json& j);
Task parse_task(const nlohmann::json& j);
Service parse_service(const nlohmann::json& j);
// The `filters` query value of GET /tasks, as JSON: {"node":["id"],"desired-state":["running"]}.
std::string task_filter_json(const TaskFilter& f);
// The request body; holds the token, so it is never logged.
std::string join_request_body(const JoinRequest& r);

}  // namespace sb
