#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>
#include "common/expected.hpp"

#include <nlohmann/json.hpp>

#include "common/engine_types.hpp"
#include "common/transport.hpp"

namespace sb {

// What an Engine API failure means for the agent. The engine reuses statuses (a 503 can mean "retry" or
// "already joined"; a 500 "fatal" or "retry"), so the kind comes from status and message together.
enum class ApiErrorKind {
    unreachable,          // no HTTP answer: refused, no socket, no route, timeout
    tls,                  // TLS handshake or certificate failure
    unauthorized,         // 401/403 from a proxy or an authorization plugin
    not_manager,          // 503 not a swarm manager (no swarm yet, init in progress, or a worker)
    no_leader,            // 500 the swarm has no leader / lost leader status
    already_in_swarm,     // 503 on join: this node is already part of a swarm
    not_in_swarm,         // 503 on leave: this node is not part of a swarm
    invalid_token,        // 400 a valid join token is necessary / 500 invalid join token
    ca_mismatch,          // 500 remote CA does not match fingerprint
    manager_unreachable,  // 503 on join: RemoteAddrs[0] refused or could not be dialled
    join_in_background,   // 503 on join: timeout reached, the join continues in the background
    not_found,            // 404 node not found
    out_of_sequence,      // 500 update out of sequence
    manager_must_force,   // 503 on leave: participating as a manager
    not_down,             // 400 on delete: node is not down
    api_version,          // 400 client version too new/old
    bad_request,          // any other 4xx: a bug or a bad configuration value
    other,                // anything else
};

std::string_view to_string(ApiErrorKind kind);

struct ApiError {
    int status = 0;       // 0 when no HTTP answer arrived
    std::string message;  // the engine's "message", or the transport's reason
    ApiErrorKind kind = ApiErrorKind::other;
    bool timed_out = false;
    bool stopped = false;  // no answer because this agent is stopping, not because of the engine

    // "503 This node is not a swarm manager..." or "connect: Connection refused".
    std::string describe() const;
};

ApiErrorKind classify(int status, std::string_view message);
ApiError api_error_from_transport(const TransportError& e);

template <class T>
using ApiResult = sb::expected<T, ApiError>;

// The Engine API calls the agent makes, on the local engine or on a manager. A fake implements this in
// tests; EngineClient implements it over a Transport.
class EngineApi {
  public:
    virtual ~EngineApi() = default;

    // Where this engine is, for log lines: "unix:///var/run/docker.sock", "10.0.0.5:2375".
    virtual std::string address() const = 0;

    virtual ApiResult<void> ping() = 0;
    virtual ApiResult<VersionInfo> version() = 0;
    virtual ApiResult<EngineInfo> info() = 0;
    virtual ApiResult<SwarmInfo> swarm() = 0;
    virtual ApiResult<Node> node(std::string_view id) = 0;
    virtual ApiResult<std::vector<Node>> nodes() = 0;
    // GET /nodes?filters={"name":[name]}: the manager lists only the nodes whose hostname begins with `name`
    // (a prefix, case-sensitive, so callers still compare the hostname), not every node of the swarm.
    virtual ApiResult<std::vector<Node>> nodes_named(std::string_view name) = 0;
    // Replaces the node's whole Spec; `version` is the Version.Index read with it.
    virtual ApiResult<void> update_node(std::string_view id, std::uint64_t version,
                                        const nlohmann::json& spec) = 0;
    virtual ApiResult<void> remove_node(std::string_view id, bool force) = 0;
    // Managers only: GET /tasks?filters=..., and GET /services.
    virtual ApiResult<std::vector<Task>> tasks(const TaskFilter& filter) = 0;
    virtual ApiResult<std::vector<Service>> services() = 0;
    virtual ApiResult<void> join(const JoinRequest& request) = 0;
    virtual ApiResult<void> leave(bool force) = 0;
};

}  // namespace sb
