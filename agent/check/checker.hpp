#pragma once

// Named checks over what one gathering read from this node and its managers, as kubeadm's preflight
// Checkers: each check has a name, looks at the facts and answers ok, a warning, an error or "skipped" with
// the reason. The facts are gathered once (gather.hpp), concurrently, so each check is a pure function of
// them and is tested with made-up facts.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/engine_api.hpp"
#include "common/expected.hpp"

namespace sb::check {

enum class Status { ok, warning, error, skipped };
std::string_view to_string(Status s);

struct Result {
    std::string name;  // "ClockSkew"
    Status status = Status::ok;
    std::string message;   // what was seen, one line
    std::string fix;       // what to do, for a warning or an error
    bool ignored = false;  // an error turned into a warning by --ignore-preflight-errors
};

// A probe that answers a value, or why it cannot tell (the check then says "skipped").
template <class T>
using Probe = sb::expected<T, std::string>;

// What one manager said, and what this node saw on the way to it.
struct ManagerFacts {
    std::string address;                // its API, "10.0.0.1:2375"
    std::string host;                   // "10.0.0.1"
    std::optional<ApiError> api_error;  // its API did not answer /version
    VersionInfo version;
    // When /version was sent and answered by this node's clock; the answer's Date header is in `version`.
    std::chrono::system_clock::time_point sent{};
    std::chrono::system_clock::time_point received{};
    std::optional<SwarmInfo> swarm;          // GET /swarm, when it answered as a manager
    std::optional<std::vector<Node>> nodes;  // GET /nodes
    std::optional<ApiError> swarm_error;     // why GET /swarm or /nodes did not answer
    Probe<bool> swarm_port = sb::unexpected(std::string("not probed"));   // 2377/tcp accepts
    Probe<bool> gossip_port = sb::unexpected(std::string("not probed"));  // 7946/tcp accepts
    Probe<int> path_mtu = sb::unexpected(std::string("not probed"));      // towards `host`
};

// A firewall's verdict on one inbound port (Windows).
struct FirewallPort {
    std::uint16_t port = 0;
    std::string protocol;  // "tcp" / "udp"
    bool allowed = false;
};

// Everything the checks look at.
struct Facts {
    // The local engine.
    std::optional<ApiError> local_error;
    VersionInfo local_version;
    EngineInfo local_info;
    std::string host_name;                      // this machine's
    Probe<std::vector<std::string>> addresses;  // this node's IP addresses
    std::vector<ManagerFacts> managers;
    std::uint32_t data_path_port = 4789;  // the swarm's, or the default
    bool data_path_port_from_swarm = false;
    Probe<bool> data_path_port_free = sb::unexpected(std::string("not probed"));
    Probe<std::vector<FirewallPort>> firewall = sb::unexpected(std::string("not probed"));
    bool windows = false;  // the agent runs on Windows (the data path port must be 4789)
    // Configuration the checks judge against.
    bool prune_stale_nodes = false;
    Labels labels;                       // the labels this agent puts on the node
    std::set<std::string> own_node_ids;  // this node's own entries (now, and before a rejoin)

    bool member() const { return local_info.swarm.active() && !local_info.swarm.node_id.empty(); }
    // The first manager that answered GET /nodes.
    const ManagerFacts* manager_with_nodes() const;
};

// When a check applies: before a join (`join`/`run` preflight and `check` on a non-member), after it
// (`check` on a member), or both.
enum class When { before_join, after_join, always };

class Checker {
  public:
    virtual ~Checker() = default;
    virtual std::string_view name() const = 0;
    virtual When when() const { return When::always; }
    virtual Result run(const Facts& facts) const = 0;
};

// Every check this platform has, in the order they are printed.
std::vector<std::unique_ptr<Checker>> all_checkers();
// The platform's own checks (checks_linux.cpp / checks_windows.cpp).
std::vector<std::unique_ptr<Checker>> platform_checkers();

// The limits the checks judge by (documented in the README's Troubleshooting section).
// Swarm node certificates are backdated by 1 hour (swarmkit's CertBackdate): a node whose clock is more than
// that behind its manager finds a fresh certificate "not yet valid". Half of it leaves room for drift and
// for the Date header's one-second resolution.
inline constexpr std::chrono::seconds clock_skew_error{30 * 60};
inline constexpr std::chrono::seconds clock_skew_warning{30};
// VXLAN adds 50 bytes; Docker's overlay networks use 1450 inside, so the path must carry 1500.
inline constexpr int vxlan_overhead = 50;
inline constexpr int overlay_mtu = 1450;
inline constexpr std::uint16_t default_data_path_port = 4789;

}  // namespace sb::check
