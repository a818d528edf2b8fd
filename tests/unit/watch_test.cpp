// Service mode: the watch loop heals a node that dropped out, restores labels, and stops promptly.

#include "agent/watch/watch.hpp"

#include "sb_doctest.hpp"

#include <thread>

#include "agent/leave/leaving_marker.hpp"
#include "common/error.hpp"
#include "fakes/fake_clock.hpp"
#include "fakes/fake_engine.hpp"

using namespace sb;
using namespace sb::test;
using namespace std::chrono_literals;

namespace {

struct RecordingSupervisor final : service::Supervisor {
    int ready_calls = 0;
    int keepalives = 0;
    std::vector<std::string> statuses;
    void ready() override { ++ready_calls; }
    void keepalive() override { ++keepalives; }
    void status(const std::string& text) override { statuses.push_back(text); }
};

struct WatchHarness {
    FakeWorld world;
    FakeEngine& m1 = world.add("10.0.0.1", "manager-1");
    FakeEngine& local = world.add("10.0.0.9", "worker-9");
    Config config;
    Services services;
    RecordingSupervisor supervisor;
    std::vector<std::string> outcomes;
    std::stop_source stop;

    WatchHarness(Clock& clock) {
        m1.init_swarm("clusterA");
        config.managers = {"10.0.0.1"};
        config.labels = {{"zone", "a"}};
        config.interval = 30s;
        config.timeout = 2min;
        services = fake_services(world, clock, local, 1);
        services.stop = stop.get_token();
    }

    int run() {
        return watch_and_heal(
            config, services, supervisor, [this](const JoinResult* r, const std::string& failure, int) {
                outcomes.push_back(r != nullptr ? std::string(to_string(r->outcome)) : "failed: " + failure);
            });
    }
};

}  // namespace

TEST_CASE("the watch loop heals a node the manager removed, and restores labels changed by hand") {
    FakeClock clock;
    WatchHarness h(clock);
    std::string first_id;
    bool removed = false;
    bool relabelled = false;
    clock.on_advance = [&](Duration t) {
        if (t >= 60s && !removed) {
            first_id = h.local.node_id;
            h.m1.cluster->nodes.erase(first_id);  // docker node rm --force
            removed = true;
        }
        if (t >= 150s && !relabelled) {
            auto& n = h.m1.cluster->nodes.at(h.local.node_id);
            n.labels.erase("zone");
            n.spec["Labels"].erase("zone");
            ++n.version;
            relabelled = true;
        }
        if (t >= 240s) {
            h.stop.request_stop();
        }
    };
    CHECK(h.run() == 0);
    CHECK(h.supervisor.ready_calls == 1);
    CHECK(h.supervisor.keepalives > 0);
    REQUIRE(h.outcomes.size() == 2);
    CHECK(h.outcomes[0] == "joined");
    CHECK(h.outcomes[1] == "rejoined");
    CHECK(h.local.node_id != first_id);
    auto node = h.m1.node(h.local.node_id);
    REQUIRE(node);
    CHECK(node->labels.at("zone") == "a");
    CHECK(node->labels.at("os") == "linux");
}

TEST_CASE("the watch loop rejoins an engine that restarted without its swarm state") {
    FakeClock clock;
    WatchHarness h(clock);
    bool wiped = false;
    clock.on_advance = [&](Duration t) {
        if (t >= 45s && !wiped) {
            h.local.cluster.reset();  // data directory wiped: the engine is inactive, its old entry goes down
            h.local.node_id.clear();
            h.local.is_manager = false;
            wiped = true;
        }
        if (t >= 120s) {
            h.stop.request_stop();
        }
    };
    h.run();
    REQUIRE(h.outcomes.size() == 2);
    CHECK(h.outcomes[1] == "joined");
    CHECK(h.local.cluster != nullptr);
}

TEST_CASE("a deadline before the first join ends the service with exit 3: the service manager restarts it") {
    FakeClock clock;
    WatchHarness h(clock);
    h.m1.stop();
    h.config.timeout = 20s;
    CHECK(h.run() == to_int(ExitCode::manager_deadline));
    REQUIRE(h.outcomes.size() == 1);
    CHECK(h.outcomes.front().rfind("failed: no manager answered", 0) == 0);
    CHECK(h.supervisor.ready_calls == 0);
}

TEST_CASE("once a member, the watch loop never gives up: a failed cycle is retried after a backoff") {
    FakeClock clock;
    WatchHarness h(clock);
    h.config.timeout = 20s;
    bool wiped = false;
    clock.on_advance = [&](Duration t) {
        if (t >= 45s && !wiped) {
            // The engine lost its swarm state while no manager answers: the rejoin times out, more than once.
            h.local.cluster.reset();
            h.local.node_id.clear();
            h.local.is_manager = false;
            h.m1.stop();
            wiped = true;
        }
        if (t >= 150s) {
            h.m1.up = h.m1.swarm_port_open = true;
        }
        if (t >= 400s) {
            h.stop.request_stop();
        }
    };
    CHECK(h.run() == 0);
    REQUIRE(h.outcomes.size() >= 3);
    CHECK(h.outcomes.front() == "joined");
    CHECK(h.outcomes[1].rfind("failed: no manager answered", 0) == 0);
    CHECK(h.outcomes.back() == "joined");
    CHECK(h.supervisor.ready_calls == 1);
}

TEST_CASE("a stop request during a wait ends the loop within a second (real clock)") {
    SystemClock clock;
    WatchHarness h(clock);
    h.m1.stop();  // the agent is waiting for a manager
    int code = -1;
    std::thread runner([&] { code = h.run(); });
    std::this_thread::sleep_for(300ms);
    auto asked = std::chrono::steady_clock::now();
    h.stop.request_stop();
    runner.join();
    auto took = std::chrono::steady_clock::now() - asked;
    CHECK(code == 0);
    CHECK(took < 1s);
    MESSAGE("stopped " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                       << " ms after the request");
}

TEST_CASE("a configuration error ends the service: it will not heal by itself") {
    FakeClock clock;
    WatchHarness h(clock);
    h.config.managers.clear();
    CHECK(h.run() == to_int(ExitCode::usage));
}

TEST_CASE("with --prune-stale-nodes the watch loop removes a twin that goes down after the rejoin") {
    FakeClock clock;
    WatchHarness h(clock);
    h.config.prune_stale_nodes = true;
    std::string old_id;
    clock.on_advance = [&](Duration t) {
        if (t >= 40s && old_id.empty()) {
            old_id = h.local.node_id;
            h.local.cluster
                .reset();  // reimaged: the engine lost its swarm state; the manager still sees it ready
            h.local.node_id.clear();
            h.local.is_manager = false;
        }
        if (t >= 100s && !old_id.empty() && h.m1.cluster->nodes.count(old_id) != 0) {
            h.m1.cluster->nodes.at(old_id).state = "down";  // the manager noticed the missed heartbeats
        }
        if (t >= 200s) {
            h.stop.request_stop();
        }
    };
    h.run();
    CHECK(h.m1.cluster->nodes.count(old_id) == 0);
    CHECK(h.m1.cluster->nodes.count(h.local.node_id) == 1);
}

TEST_CASE("--prune-stale-nodes asks the manager for this hostname's entries only, never the whole list") {
    FakeClock clock;
    WatchHarness h(clock);
    h.config.prune_stale_nodes = true;
    clock.on_advance = [&](Duration t) {
        if (t >= 150s) {
            h.stop.request_stop();
        }
    };
    h.run();
    REQUIRE_FALSE(h.m1.node_lists.empty());
    for (const auto& filter : h.m1.node_lists) {
        CHECK(filter == "worker-9");
    }
}

TEST_CASE("run --reap-down-after on the leader removes a worker it joined once down past the grace") {
    FakeClock clock;
    FakeWorld world;
    world.clock = &clock;
    FakeEngine& leader = world.add("10.0.0.1", "manager-1");
    FakeEngine& worker = world.add("10.0.0.2", "worker-2");
    leader.init_swarm("clusterA");
    // The worker as its own agent's join left it: labelled with the joined mark.
    leader.add_member(worker, false);
    auto& entry = leader.cluster->nodes.at(worker.node_id);
    entry.labels["swarm-bootstrap.joined"] = "true";
    entry.spec["Labels"]["swarm-bootstrap.joined"] = "true";
    auto id = worker.node_id;

    Config config;
    config.managers = {"10.0.0.1"};
    config.role = Role::manager;
    config.interval = 30s;
    config.timeout = 2min;
    config.reap_down_after = 60s;
    std::stop_source stop;
    Services services = fake_services(world, clock, leader, 1);
    services.stop = stop.get_token();
    RecordingSupervisor supervisor;
    // Each check follows a sleep: what on_advance sees at t is what the check of t - 30 s left.
    std::optional<Duration> vanished_at;
    std::optional<Duration> removed_at;
    clock.on_advance = [&](Duration t) {
        if (!vanished_at && t >= 40s) {
            worker.vanish();  // its VM was deleted
            vanished_at = t;
        }
        if (!removed_at && leader.cluster->nodes.count(id) == 0) {
            removed_at = t - config.interval;
        }
        if (t >= 300s) {
            stop.request_stop();
        }
    };
    watch_and_heal(config, services, supervisor, [](const JoinResult*, const std::string&, int) {});
    REQUIRE(vanished_at);
    REQUIRE(removed_at);
    // Not within the grace, and within the grace plus two intervals of the loss.
    CHECK(*removed_at - *vanished_at >= 60s);
    CHECK(*removed_at - *vanished_at <= 60s + 2 * 30s);
    CHECK(leader.cluster->nodes.count(leader.node_id) == 1);
    // One listing per interval, on its own engine.
    CHECK_FALSE(leader.node_lists.empty());
}

TEST_CASE("run --reap-down-after on a worker sends no request for the reaper") {
    FakeClock clock;
    WatchHarness h(clock);
    h.config.reap_down_after = 30s;
    clock.on_advance = [&](Duration t) {
        if (t >= 300s) {
            h.stop.request_stop();
        }
    };
    h.run();
    CHECK(h.m1.node_lists.empty());
    CHECK(h.local.node_lists.empty());
}

TEST_CASE("a node leaving on purpose is not healed: the marker pauses the loop, its removal resumes it") {
    FakeClock clock;
    WatchHarness h(clock);
    h.config.state_file = std::filesystem::temp_directory_path() / "sb-watch-test-leaving-state.json";
    mark_leaving(h.config, "leave --drain");
    bool cleared = false;
    int joins_while_paused = -1;
    clock.on_advance = [&](Duration t) {
        if (t >= 95s && !cleared) {
            joins_while_paused = h.local.join_calls;
            clear_leaving(h.config);  // drain --undo
            cleared = true;
        }
        if (t >= 160s) {
            h.stop.request_stop();
        }
    };
    CHECK(h.run() == 0);
    CHECK(joins_while_paused == 0);
    CHECK(h.supervisor.ready_calls == 1);  // a paused service has started: systemd must not time it out
    REQUIRE_FALSE(h.supervisor.statuses.empty());
    CHECK(h.supervisor.statuses.front().find("paused: leaving on purpose (leave --drain since") == 0);
    REQUIRE(h.outcomes.size() == 1);
    CHECK(h.outcomes[0] == "joined");
    CHECK(h.local.cluster != nullptr);
}

namespace {

// The local engine, whose join request is cut short by a stop (as the real transport does when the stop
// token fires mid-request): the stop is requested and the call ends with a `stopped` error.
class JoinCutByStop final : public EngineApi {
  public:
    JoinCutByStop(FakeEngine& engine, std::stop_source& stop) : engine_(engine), stop_(stop) {}
    std::string address() const override { return engine_.address(); }
    ApiResult<void> ping() override { return engine_.ping(); }
    ApiResult<VersionInfo> version() override { return engine_.version(); }
    ApiResult<EngineInfo> info() override { return engine_.info(); }
    ApiResult<SwarmInfo> swarm() override { return engine_.swarm(); }
    ApiResult<Node> node(std::string_view id) override { return engine_.node(id); }
    ApiResult<std::vector<Node>> nodes() override { return engine_.nodes(); }
    ApiResult<void> update_node(std::string_view id, std::uint64_t version,
                                const nlohmann::json& spec) override {
        return engine_.update_node(id, version, spec);
    }
    ApiResult<void> remove_node(std::string_view id, bool force) override {
        return engine_.remove_node(id, force);
    }
    ApiResult<void> join(const JoinRequest&) override {
        stop_.request_stop();
        ApiError e;
        e.kind = ApiErrorKind::unreachable;
        e.stopped = true;
        e.message = "read: stopped (the agent is stopping)";
        return sb::unexpected(e);
    }
    ApiResult<void> leave(bool force) override { return engine_.leave(force); }
    ApiResult<std::vector<Node>> nodes_named(std::string_view name) override {
        return engine_.nodes_named(name);
    }
    ApiResult<std::vector<Task>> tasks(const TaskFilter& filter) override { return engine_.tasks(filter); }
    ApiResult<std::vector<Service>> services() override { return engine_.services(); }

  private:
    FakeEngine& engine_;
    std::stop_source& stop_;
};

}  // namespace

TEST_CASE("a stop that cuts the join request short ends the loop with 0, not as a failed join") {
    FakeClock clock;
    WatchHarness h(clock);
    JoinCutByStop local(h.local, h.stop);
    h.services.local = &local;
    CHECK(h.run() == 0);
    CHECK(h.outcomes.empty());  // nothing recorded: a stop is no failure of the node
    CHECK(h.local.cluster == nullptr);
    CHECK(h.supervisor.ready_calls == 0);
}
