// The join workflow against a fake Docker world and virtual time: minutes of waiting run in milliseconds.

#include "agent/join/join_flow.hpp"

#include "sb_doctest.hpp"

#include <fstream>

#include "agent/join/phases.hpp"
#include "agent/leave/leave.hpp"
#include "common/error.hpp"
#include "fakes/fake_clock.hpp"
#include "fakes/fake_engine.hpp"
#include "fakes/log_capture.hpp"

using namespace sb;
using namespace sb::test;
using namespace std::chrono_literals;

namespace {

struct Harness {
    FakeWorld world;
    FakeClock clock;
    FakeEngine& m1 = world.add("10.0.0.1", "manager-1");
    FakeEngine& m2 = world.add("10.0.0.2", "manager-2");
    FakeEngine& local = world.add("10.0.0.9", "worker-9");
    Config config;
    Services services;

    Harness() {
        config.managers = {"10.0.0.1"};
        config.timeout = 15min;
        config.backoff_initial = 1s;
        config.backoff_max = 10s;
        services = fake_services(world, clock, local, 42);
    }

    JoinResult run() { return run_join(config, services); }

    // The exit code the run ends with.
    ExitCode fails() {
        try {
            run();
        } catch (const Failure& f) {
            return f.code();
        }
        FAIL("the join succeeded but was expected to fail");
        return ExitCode::ok;
    }

    Node local_node() {
        auto n = m1.node(local.node_id);
        REQUIRE(n);
        return *n;
    }
};

std::filesystem::path token_file(const std::string& token) {
    auto path = std::filesystem::temp_directory_path() / "sb-join-test-token";
    std::ofstream(path) << token << "\n";
    return path;
}

}  // namespace

TEST_CASE("the race: the manager is unreachable, then up without a swarm, then initialised") {
    Harness h;
    LogCapture logs;
    h.m1.stop();
    Duration init_at{};
    h.clock.on_advance = [&](Duration t) {
        if (t >= 20s && !h.m1.up) {
            h.m1.up = true;  // the VM is up, docker answers, no swarm yet
        }
        if (t >= 60s && !h.m1.cluster) {
            h.m1.init_swarm("clusterA");
            h.m1.swarm_port_open = true;
            init_at = t;
        }
    };
    auto r = h.run();
    CHECK(r.outcome == JoinOutcome::joined);
    CHECK(h.local.join_calls == 1);
    CHECK(h.local.join_remote_addrs.front() == "10.0.0.1:2377");
    // Joined within one backoff step of the init.
    CHECK(h.clock.elapsed() - init_at <= h.config.backoff_max);
    auto node = h.local_node();
    CHECK(node.labels.at("os") == "linux");
    CHECK(node.labels.at("arch") == "amd64");
    CHECK(node.labels.at("os.version") == "12");
    CHECK(r.cluster_id == "clusterA");
    CHECK(r.node_id == h.local.node_id);
    // Progress lines carry the phase, the attempt, the next try and the time left.
    CHECK(logs.contains("[wait-manager] no manager ready (10.0.0.1:2375: connect: Connection refused)"));
    CHECK(logs.contains("not an active swarm manager"));
    CHECK(logs.contains("left"));
    // The token never reaches a log line.
    CHECK_FALSE(logs.contains(h.m1.cluster->worker_token));
    CHECK_FALSE(logs.contains(h.m1.cluster->worker_token.substr(60)));
}

TEST_CASE("failover: the first manager refuses, the second answers and is joined through") {
    Harness h;
    h.m1.init_swarm("clusterA");
    h.m1.add_member(h.m2, true);
    h.m1.stop();
    h.config.managers = {"10.0.0.1", "10.0.0.2"};
    auto r = h.run();
    CHECK(r.outcome == JoinOutcome::joined);
    CHECK(r.manager == "10.0.0.2:2375");
    // The dead manager's swarm port was checked first and skipped: one join call, through the live one.
    CHECK(h.local.join_calls == 1);
    CHECK(h.local.join_remote_addrs.front() == "10.0.0.2:2377");
    CHECK(h.clock.sleeps() == 0);
}

TEST_CASE("the join walks the manager list when the first swarm address refuses") {
    Harness h;
    h.m1.init_swarm("clusterA");
    h.m1.add_member(h.m2, true);
    h.m1.swarm_port_open = false;  // API answers, 2377 filtered
    auto r = h.run();
    CHECK(r.outcome == JoinOutcome::joined);
    CHECK(h.local.join_remote_addrs == std::vector<std::string>{"10.0.0.2:2377"});
}

TEST_CASE("a manager that lost quorum is not used") {
    Harness h;
    h.m1.init_swarm("clusterA");
    h.m1.add_member(h.m2, true);
    h.m1.swarm_error = "rpc error: code = Unknown desc = The swarm does not have a leader.";
    h.config.managers = {"10.0.0.1", "10.0.0.2"};
    auto r = h.run();
    CHECK(r.manager == "10.0.0.2:2375");
}

TEST_CASE("deadline: no manager ever answers, exit 3 after the timeout") {
    Harness h;
    h.m1.stop();
    h.config.timeout = 10s;
    CHECK(h.fails() == ExitCode::manager_deadline);
    CHECK(h.clock.elapsed() >= 10s);
    CHECK(h.clock.elapsed() < 10s + h.config.backoff_max);
    CHECK(h.local.join_calls == 0);
}

TEST_CASE("deadline: the local engine never answers, exit 5") {
    Harness h;
    h.local.stop();
    h.config.timeout = 30s;
    CHECK(h.fails() == ExitCode::engine_deadline);
    CHECK(h.clock.elapsed() >= 30s);
}

TEST_CASE("an invalid token from a token file: exit 4 after one attempt, not retried forever") {
    Harness h;
    h.m1.init_swarm("clusterA");
    auto wrong = h.m1.cluster->worker_token;
    wrong.back() = 'x';
    h.config.token_file = token_file(wrong);
    LogCapture logs;
    CHECK(h.fails() == ExitCode::join_rejected);
    CHECK(h.local.join_calls == 1);
    CHECK(logs.text().find("SWMTKN-1-a") == std::string::npos);
}

TEST_CASE("a token of another swarm: CA mismatch, exit 4") {
    Harness h;
    h.m1.init_swarm("clusterA");
    FakeWorld other;
    auto& foreign = other.add("10.9.9.9", "foreign");
    foreign.init_swarm("zzzzzz");
    h.config.token_file = token_file(foreign.cluster->worker_token);
    CHECK(h.fails() == ExitCode::join_rejected);
    CHECK(h.local.join_calls == 1);
}

TEST_CASE("a malformed token file is a usage error that does not echo the content") {
    Harness h;
    h.m1.init_swarm("clusterA");
    h.config.token_file = token_file("SWMTKN-2-secretsecret");
    try {
        h.run();
        FAIL("expected a failure");
    } catch (const Failure& f) {
        CHECK(f.code() == ExitCode::usage);
        CHECK(std::string(f.what()).find("secretsecret") == std::string::npos);
    }
}

TEST_CASE("with a token file and no manager API, the swarm port is enough; the node stays unlabelled") {
    Harness h;
    h.m1.init_swarm("clusterA");
    h.config.token_file = token_file(h.m1.cluster->worker_token);
    h.m1.up = false;  // API refused, 2377 open
    LogCapture logs;
    auto r = h.run();
    CHECK(r.outcome == JoinOutcome::joined);
    CHECK_FALSE(r.labelled);
    CHECK(logs.contains("unlabelled"));
    h.m1.up = true;
    CHECK(h.local_node().labels.empty());
}

TEST_CASE("the engine is in another swarm: exit 6 and nothing changes") {
    Harness h;
    h.m1.init_swarm("clusterA");
    h.local.init_swarm("clusterB");
    auto before = h.local.node_id;
    CHECK(h.fails() == ExitCode::other_swarm);
    CHECK(h.local.join_calls == 0);
    CHECK(h.local.leave_calls == 0);
    CHECK(h.local.node_id == before);
}

TEST_CASE("a worker of another swarm: the manager does not know its node id, exit 6") {
    Harness h;
    h.m1.init_swarm("clusterA");
    auto& other_manager = h.world.add("10.0.5.1", "other-manager");
    other_manager.init_swarm("clusterB");
    other_manager.add_member(h.local, false);
    CHECK(h.fails() == ExitCode::other_swarm);
    CHECK(h.local.leave_calls == 0);
}

TEST_CASE("already joined to the same swarm: no join, no update, exit 0") {
    Harness h;
    h.m1.init_swarm("clusterA");
    h.run();
    auto version = h.local_node().version;
    auto updates = h.m1.cluster->updates;
    auto r = h.run();
    CHECK(r.outcome == JoinOutcome::already_member);
    CHECK(h.local.join_calls == 1);
    CHECK(h.m1.cluster->updates == updates);
    CHECK(h.local_node().version == version);
}

TEST_CASE("new labels on a second run are merged into the whole Spec") {
    Harness h;
    h.m1.init_swarm("clusterA");
    h.run();
    h.config.labels = {{"zone", "a"}};
    h.run();
    auto node = h.local_node();
    CHECK(node.labels.at("zone") == "a");
    CHECK(node.labels.at("os") == "linux");
    CHECK(node.spec.at("Role") == "worker");
    CHECK(node.spec.at("Availability") == "active");
}

TEST_CASE("a label update is retried after 'update out of sequence'") {
    Harness h;
    h.m1.init_swarm("clusterA");
    h.m1.cluster->out_of_sequence_left = 2;
    h.config.labels = {{"zone", "a"}};
    auto r = h.run();
    CHECK(r.labelled);
    CHECK(h.local_node().labels.at("zone") == "a");
    CHECK(h.m1.update_calls == 3);
}

TEST_CASE("a pending state left by an earlier failed join is left before joining") {
    Harness h;
    h.m1.init_swarm("clusterA");
    h.local.local_state_override = "error";
    auto r = h.run();
    CHECK(h.local.leave_calls == 1);
    CHECK(r.outcome == JoinOutcome::rejoined);
    CHECK(h.local.join_calls == 1);
}

TEST_CASE("a join still under way (a run stopped mid-join) is waited for, not left: one entry, labelled") {
    Harness h;
    h.m1.init_swarm("clusterA");
    h.run();
    auto joined_id = h.local.node_id;
    auto& entry = h.m1.cluster->nodes.at(joined_id);  // stopped before labelling
    entry.spec["Labels"] = nlohmann::json::object();
    entry.labels.clear();
    h.local.local_state_override = "pending";
    h.clock.on_advance = [&](Duration t) {
        if (t >= 6s) {
            h.local.local_state_override.clear();  // the engine's join finishes
        }
    };
    LogCapture logs;
    auto r = h.run();
    CHECK(r.outcome == JoinOutcome::already_member);
    CHECK(h.local.leave_calls == 0);
    CHECK(h.local.join_calls == 1);
    CHECK(h.local.node_id == joined_id);
    CHECK(h.m1.cluster->nodes.size() == 2);  // the manager and this node, once
    CHECK(h.local_node().labels.at("os") == "linux");
    CHECK(logs.contains("is still joining a swarm (state pending)"));
}

TEST_CASE("a pending state that outlasts the engine's join timeout is left, and its entry removed") {
    Harness h;
    h.m1.init_swarm("clusterA");
    h.run();
    auto stuck_id = h.local.node_id;
    h.local.local_state_override = "pending";
    auto r = h.run();
    CHECK(h.clock.elapsed() >= 20s);
    CHECK(h.clock.elapsed() < 40s);
    CHECK(h.local.leave_calls == 1);
    CHECK(r.outcome == JoinOutcome::rejoined);
    CHECK(h.local.node_id != stuck_id);
    CHECK(h.m1.cluster->nodes.count(stuck_id) == 0);
    CHECK(h.m1.cluster->nodes.size() == 2);
}

TEST_CASE("a node removed by the manager leaves its stale state and joins again") {
    Harness h;
    h.m1.init_swarm("clusterA");
    h.run();
    auto old_id = h.local.node_id;
    h.m1.cluster->nodes.erase(old_id);  // docker node rm --force; the engine still says active
    auto r = h.run();
    CHECK(r.outcome == JoinOutcome::rejoined);
    CHECK(h.local.node_id != old_id);
    CHECK(h.local_node().labels.at("os") == "linux");
}

TEST_CASE("--role manager joins with the manager token") {
    Harness h;
    h.m1.init_swarm("clusterA");
    h.config.role = Role::manager;
    h.run();
    CHECK(h.local.is_manager);
    CHECK(h.local.join_tokens.front() == h.m1.cluster->manager_token);
}

TEST_CASE("dry run waits and reads but changes nothing") {
    Harness h;
    h.m1.init_swarm("clusterA");
    h.config.dry_run = true;
    h.config.labels = {{"zone", "a"}};
    LogCapture logs;
    auto r = h.run();
    CHECK(r.outcome == JoinOutcome::dry_run);
    CHECK(h.local.join_calls == 0);
    CHECK(h.m1.update_calls == 0);
    CHECK(logs.contains("would join as worker through 10.0.0.1:2377"));
}

TEST_CASE("prune removes down twins with this hostname, never the node itself") {
    Harness h;
    h.m1.init_swarm("clusterA");
    h.run();
    auto old_id = h.local.node_id;
    h.local.leave(false);  // reimaged: the old entry stays down
    h.config.prune_stale_nodes = true;
    h.run();
    CHECK(h.m1.cluster->nodes.count(old_id) == 0);
    CHECK(h.m1.cluster->nodes.count(h.local.node_id) == 1);
}

TEST_CASE("Windows nodes get os=windows and the build number") {
    Harness h;
    h.m1.init_swarm("clusterA");
    h.local.os_type = "windows";
    h.run();
    auto node = h.local_node();
    CHECK(node.labels.at("os") == "windows");
    CHECK(node.labels.at("os.build") == "17763");
    CHECK(node.labels.at("os.version") == "10.0.17763");
}

TEST_CASE("a stop request ends the wait promptly") {
    Harness h;
    h.m1.stop();
    std::stop_source stop;
    h.services.stop = stop.get_token();
    h.clock.on_advance = [&](Duration t) {
        if (t > 30s) {
            stop.request_stop();
        }
    };
    CHECK_THROWS_AS(h.run(), Stopped);
    CHECK(h.clock.elapsed() < 30s + h.config.backoff_max);
}

TEST_CASE("a ready manager that hands out no join token does not hold the join: the next one is used") {
    Harness h;
    h.m1.init_swarm("clusterA")->worker_token.clear();  // GET /swarm 200 without JoinTokens.Worker
    h.m2.init_swarm("clusterB");
    h.config.managers = {"10.0.0.1", "10.0.0.2"};
    LogCapture logs;
    auto r = h.run();
    CHECK(r.outcome == JoinOutcome::joined);
    CHECK(r.manager == "10.0.0.2:2375");
    CHECK(h.local.join_remote_addrs == std::vector<std::string>{"10.0.0.2:2377"});
    CHECK(logs.contains("without a worker join token"));
}

TEST_CASE("a ready manager whose swarm addresses are all unreachable moves to the back of the list") {
    Harness h;
    h.m1.init_swarm("clusterA");
    h.m1.swarm_port_open = false;  // it lists only itself, and its 2377 is filtered
    h.m2.init_swarm("clusterB");
    h.config.managers = {"10.0.0.1", "10.0.0.2"};
    auto r = h.run();
    CHECK(r.outcome == JoinOutcome::joined);
    CHECK(r.manager == "10.0.0.2:2375");
    CHECK(h.clock.elapsed() < 1min);
}

namespace {

ApiError tls_rejection(const std::string& addr) {
    return ApiError{0, "TLS handshake with " + addr + " failed: certificate verify failed", ApiErrorKind::tls,
                    false};
}

ApiError refused() {
    return ApiError{0, "connect: Connection refused", ApiErrorKind::unreachable, false};
}

}  // namespace

TEST_CASE("a manager that rejects us (TLS) drops out of the race; the next one takes the join") {
    Harness h;
    LogCapture logs;
    h.m1.init_swarm("clusterA");
    h.m1.add_member(h.m2, true);
    h.m1.fault = [](std::string_view) { return std::optional<ApiError>(tls_rejection("10.0.0.1:2375")); };
    h.config.managers = {"10.0.0.1", "10.0.0.2"};
    auto r = h.run();
    CHECK(r.outcome == JoinOutcome::joined);
    CHECK(r.manager == "10.0.0.2:2375");
    CHECK(logs.contains("manager 10.0.0.1:2375 rejects us: "));
}

TEST_CASE("every manager rejects us: exit 4 at once, naming each and why") {
    Harness h;
    h.m1.init_swarm("clusterA");
    h.m1.add_member(h.m2, true);
    h.m1.fault = [](std::string_view) { return std::optional<ApiError>(tls_rejection("10.0.0.1:2375")); };
    h.m2.fault = [](std::string_view) {
        return std::optional<ApiError>(ApiError{401, "unauthorized", ApiErrorKind::unauthorized, false});
    };
    h.config.managers = {"10.0.0.1", "10.0.0.2"};
    std::string message;
    try {
        h.run();
        FAIL("joined although every manager rejected us");
    } catch (const Failure& f) {
        CHECK(f.code() == ExitCode::join_rejected);
        message = f.what();
    }
    CHECK(message.find("every manager rejected us") != std::string::npos);
    CHECK(message.find("10.0.0.1:2375: rejected us: TLS handshake") != std::string::npos);
    CHECK(message.find("10.0.0.2:2375: rejected us: 401") != std::string::npos);
    CHECK(h.clock.elapsed() < 1s);
}

TEST_CASE(
    "one manager rejects us and the other never answers: exit 3 at the deadline, saying which rejected") {
    Harness h;
    h.m1.fault = [](std::string_view) { return std::optional<ApiError>(tls_rejection("10.0.0.1:2375")); };
    h.m2.stop();
    h.config.managers = {"10.0.0.1", "10.0.0.2"};
    h.config.timeout = 1min;
    std::string message;
    try {
        h.run();
    } catch (const Failure& f) {
        CHECK(f.code() == ExitCode::manager_deadline);
        message = f.what();
    }
    CHECK(message.find("10.0.0.1:2375: rejected us: TLS handshake") != std::string::npos);
    CHECK(message.find("10.0.0.2:2375: connect: Connection refused") != std::string::npos);
}

TEST_CASE("a manager that cannot say whether we are a member (no leader) is asked again, not exit 1") {
    Harness h;
    LogCapture logs;
    h.m1.init_swarm("clusterA");
    h.m1.add_member(h.local, false);
    int node_calls = 0;
    h.m1.fault = [&](std::string_view call) {
        if (call == "node" && ++node_calls <= 3) {
            return std::optional<ApiError>(
                ApiError{500, "rpc error: code = Unknown desc = The swarm does not have a leader.",
                         ApiErrorKind::no_leader, false});
        }
        return std::optional<ApiError>();
    };
    const int joins = h.local.join_calls;
    auto r = h.run();
    CHECK(r.outcome == JoinOutcome::already_member);
    CHECK(node_calls > 3);
    CHECK(h.local.join_calls == joins);
    CHECK(logs.contains("could not say whether node"));
}

TEST_CASE("the local engine not answering for a moment during the membership check is waited out") {
    Harness h;
    h.m1.init_swarm("clusterA");
    h.m1.add_member(h.local, false);
    int info_calls = 0;
    h.local.fault = [&](std::string_view call) {
        // Preflight's /info answers; the membership check's next two do not.
        if (call == "info" && ++info_calls >= 2 && info_calls <= 3) {
            return std::optional<ApiError>(refused());
        }
        return std::optional<ApiError>();
    };
    auto r = h.run();
    CHECK(r.outcome == JoinOutcome::already_member);
    CHECK(info_calls > 3);
}

TEST_CASE("the local engine that never answers again after preflight: exit 5 at the deadline, not exit 1") {
    Harness h;
    h.m1.init_swarm("clusterA");
    h.m1.add_member(h.local, false);
    int info_calls = 0;
    h.local.fault = [&](std::string_view call) {
        return call == "info" && ++info_calls >= 2 ? std::optional<ApiError>(refused()) : std::nullopt;
    };
    h.config.timeout = 1min;
    CHECK(h.fails() == ExitCode::engine_deadline);
}

TEST_CASE("the manager in use dies after the join: verify and labels fail over to another manager") {
    Harness h;
    LogCapture logs;
    h.m1.init_swarm("clusterA");
    h.m1.add_member(h.m2, true);
    h.config.managers = {"10.0.0.1", "10.0.0.2"};
    h.config.labels = {{"zone", "a"}};
    h.config.timeout = 2min;
    // Manager 1 wins the race (it answers first) and dies the moment the local engine has joined.
    h.m1.fault = [&](std::string_view) {
        return h.local.join_calls > 0 ? std::optional<ApiError>(refused()) : std::nullopt;
    };
    auto r = h.run();
    CHECK(r.outcome == JoinOutcome::joined);
    CHECK(h.local.join_remote_addrs.front() == "10.0.0.1:2377");
    CHECK(r.manager == "10.0.0.2:2375");
    CHECK(logs.contains("manager 10.0.0.1:2375 failed: connect: Connection refused"));
    auto node = h.m2.node(h.local.node_id);
    REQUIRE(node);
    CHECK(node->labels.at("zone") == "a");
    CHECK(h.clock.elapsed() < 30s);
}

TEST_CASE("demote before leave: five 'update out of sequence' answers are no demotion") {
    Harness h;
    LogCapture logs;
    h.m1.init_swarm("clusterA");
    h.m1.add_member(h.local, true);
    h.m1.cluster->out_of_sequence_left = 5;
    JoinContext ctx(h.config, h.services);
    std::string message;
    try {
        phases::leave_local(ctx, true);
        FAIL("left although the demotion never happened");
    } catch (const Failure& f) {
        message = f.what();
    }
    CHECK(message.find("cannot demote") != std::string::npos);
    CHECK_FALSE(logs.contains("demoted node"));
    CHECK(h.local.leave_calls == 0);
}
