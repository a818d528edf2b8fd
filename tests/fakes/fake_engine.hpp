#pragma once

// A fake Docker world for the join workflow tests: engines (local or managers) and swarms, with the
// status codes and messages measured on real engines (shared/engine-api-notes.md), so the agent's
// classification runs on the real strings.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agent/join/join_context.hpp"
#include "common/engine_api.hpp"
#include "common/timestamp.hpp"

namespace sb::test {

struct FakeSwarm {
    std::string id;
    std::string worker_token;
    std::string manager_token;
    std::map<std::string, Node> nodes;
    int next_node = 1;
    int out_of_sequence_left = 0;   // the next N node updates fail with "update out of sequence"
    int raft_member_left = 0;       // the next N removals of a demoted manager fail: it is still leaving raft
    std::set<std::string> demoted;  // managers demoted to workers
    int updates = 0;
    // Services and their tasks, as GET /services and GET /tasks list them; tests move tasks by hand (or from
    // FakeClock::on_advance) the way the orchestrator would.
    std::map<std::string, Service> services;
    std::vector<Task> tasks;
    int task_calls = 0;
    int next_task = 1;
    // A node that leaves is seen `down` at once; false: it stays `ready` until the test marks it (the ~12 s
    // heartbeat of a real manager).
    bool leave_marks_down = true;

    Service& add_service(const std::string& name, ServiceMode mode, std::uint64_t replicas);
    Task& add_task(const std::string& service_id, const std::string& node_id, const std::string& state);
    // Running tasks of a service, on any node but `except_node`.
    int running(const std::string& service_id, const std::string& except_node = {}) const;
};

class FakeWorld;

class FakeEngine final : public EngineApi {
  public:
    FakeEngine(FakeWorld& world, std::string api_addr, std::string swarm_addr, std::string hostname);

    // What the test controls.
    bool up = true;                                // the Engine API answers; false: connection refused
    bool swarm_port_open = true;                   // :2377 accepts connections (managers)
    void stop() { up = swarm_port_open = false; }  // the whole engine is down
    bool preparing = false;                        // swarm init in progress: 503 "Manager is being prepared"
    std::string os_type = "linux";
    std::string local_state_override;    // "pending" / "error": an earlier join under way, or stuck
    std::shared_ptr<FakeSwarm> cluster;  // the swarm this engine belongs to
    std::string node_id;
    bool is_manager = false;
    std::string swarm_error;  // /info Swarm.Error (no quorum)
    // Answers a call ("info", "swarm", "node", "update_node", "leave") with this error instead, when it
    // returns one: a TLS rejection, a leader election, a moment without an answer.
    std::function<std::optional<ApiError>(std::string_view call)> fault;
    std::string date_header;  // the Date header of /version answers

    // What the test observes.
    int join_calls = 0;
    int leave_calls = 0;
    int update_calls = 0;
    std::vector<std::string> node_lists;  // each GET /nodes: its name filter, "*" for the whole list
    int remove_calls = 0;
    std::vector<std::string> join_remote_addrs;
    std::vector<std::string> join_tokens;

    std::string address() const override { return api_addr_; }
    const std::string& swarm_addr() const { return swarm_addr_; }
    const std::string& hostname() const { return hostname_; }

    // Make this engine the first manager of a new swarm.
    std::shared_ptr<FakeSwarm> init_swarm(const std::string& id);
    // Join `other` to this engine's swarm directly (as the docker CLI would).
    void add_member(FakeEngine& other, bool manager);
    // The VM is gone: the engine stops answering and the managers mark its node down (at once: a test
    // advances the clock for the ~12 s a real manager takes).
    void vanish();
    // The VM is back with its engine and its node: the managers see the node ready again.
    void come_back();

    ApiResult<void> ping() override;
    ApiResult<VersionInfo> version() override;
    ApiResult<EngineInfo> info() override;
    ApiResult<SwarmInfo> swarm() override;
    ApiResult<Node> node(std::string_view id) override;
    ApiResult<std::vector<Node>> nodes() override;
    ApiResult<std::vector<Node>> nodes_named(std::string_view name) override;
    ApiResult<void> update_node(std::string_view id, std::uint64_t version,
                                const nlohmann::json& spec) override;
    ApiResult<void> remove_node(std::string_view id, bool force) override;
    ApiResult<std::vector<Task>> tasks(const TaskFilter& filter) override;
    ApiResult<std::vector<Service>> services() override;
    ApiResult<void> join(const JoinRequest& request) override;
    ApiResult<void> leave(bool force) override;

  private:
    ApiResult<std::vector<Node>> list_nodes(std::string_view name_prefix);
    std::optional<ApiError> refuse() const;
    std::optional<ApiError> injected(std::string_view call) const;
    // Refused, or not a manager: what a control request (swarm, nodes) gets from this engine.
    std::optional<ApiError> refuse_control() const;
    ApiError manager_only_error() const;

    FakeWorld& world_;
    std::string api_addr_;
    std::string swarm_addr_;
    std::string hostname_;
};

// Engines by address; the fake network between them.
class FakeWorld {
  public:
    FakeEngine& add(const std::string& ip, const std::string& hostname);
    FakeEngine* by_api(const std::string& api_addr);
    FakeEngine* by_swarm_addr(const std::string& swarm_addr);
    std::vector<FakeEngine*> members(const FakeSwarm& s);
    // Sets a node's state as the managers would, stamping its UpdatedAt.
    void set_node_state(FakeSwarm& s, const std::string& node_id, const std::string& state);

    // The engines' wall clock: `clock`'s time from `epoch` on. Without a clock the engines write no times
    // (no SystemTime, no UpdatedAt), as an engine whose times cannot be read.
    Clock* clock = nullptr;
    EngineTime epoch = EngineTime(std::chrono::hours(24 * 20'000));
    std::string timestamp();

    // A proxy that forwards to the engine at an address (a fresh one per connect, like a real client).
    std::unique_ptr<EngineApi> connect(const Endpoint& ep);

    std::vector<std::unique_ptr<FakeEngine>> engines;
    std::set<std::string> connects;  // API addresses the agent connected to
};

// Services wired to this world: `local` as the local engine, managers reached through FakeWorld::connect,
// swarm ports open as the engines say, no DNS, a seeded random source.
Services fake_services(FakeWorld& world, Clock& clock, FakeEngine& local, std::uint64_t seed = 42);

}  // namespace sb::test
