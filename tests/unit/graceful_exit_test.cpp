// The graceful exit against a fake swarm and virtual time: drain and its wait, the deadline, the quorum
// guard, demote, leave and the removal of the node's own entry, and the marker that pauses `run`'s healing.

#include "agent/leave/graceful_exit.hpp"

#include "sb_doctest.hpp"

#include "agent/leave/drain.hpp"
#include "agent/leave/leaving_marker.hpp"
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
    FakeEngine& w3 = world.add("10.0.0.3", "worker-3");
    FakeEngine& local = world.add("10.0.0.9", "node-9");
    std::shared_ptr<FakeSwarm> swarm;
    Config config;
    Services services;
    GracefulExitOptions options;

    explicit Harness(bool local_is_manager = false) {
        swarm = m1.init_swarm("clusterA");
        m1.add_member(w3, false);
        m1.add_member(local, local_is_manager);
        config.managers = {"10.0.0.1", "10.0.0.2"};
        config.timeout = 15min;
        config.backoff_initial = 1s;
        config.backoff_max = 10s;
        config.state_file =
            std::filesystem::temp_directory_path() /
            ("sb-graceful-exit-test-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)));
        clear_leaving(config);
        services = fake_services(world, clock, local, 7);
        options.deadline = 60s;
    }
    ~Harness() { clear_leaving(config); }

    GracefulExitResult run() { return run_graceful_exit(config, services, options); }

    ExitCode fails() {
        try {
            run();
        } catch (const Failure& f) {
            failure = f.what();
            return f.code();
        }
        FAIL("the graceful exit succeeded but was expected to fail");
        return ExitCode::ok;
    }

    std::string local_id() const { return local.node_id; }
    Node entry(const std::string& id) { return swarm->nodes.at(id); }

    // The orchestrator's answer to the drain: at `shut_at` the tasks here shut down and replacements are
    // assigned on w3; at `running_at` they run.
    void move_tasks_at(Duration shut_at, Duration running_at) {
        clock.on_advance = [this, shut_at, running_at, moved = false, started = false](Duration t) mutable {
            if (t >= shut_at && !moved) {
                moved = true;
                std::vector<Task> replacements;
                for (auto& task : swarm->tasks) {
                    auto svc = swarm->services.at(task.service_id);
                    if (task.node_id == drained_id && svc.mode != ServiceMode::global && !task.terminal()) {
                        task.desired_state = "shutdown";
                        task.state = "shutdown";
                        replacements.push_back(task);
                    }
                }
                for (const auto& r : replacements) {
                    swarm->add_task(r.service_id, w3.node_id, "assigned");
                }
            }
            if (t >= running_at && !started) {
                started = true;
                for (auto& task : swarm->tasks) {
                    if (task.node_id == w3.node_id && task.state == "assigned") {
                        task.state = "running";
                    }
                }
            }
        };
    }
    std::string drained_id;
    std::string failure;  // the message of the Failure that ended the run
};

}  // namespace

TEST_CASE("drain sets the node to drain and waits until the moved tasks are Running elsewhere") {
    Harness h;
    LogCapture logs;
    auto& web = h.swarm->add_service("web", ServiceMode::replicated, 4);
    h.swarm->add_task(web.id, h.local_id(), "running");
    h.swarm->add_task(web.id, h.local_id(), "running");
    h.swarm->add_task(web.id, h.w3.node_id, "running");
    h.swarm->add_task(web.id, h.w3.node_id, "running");
    h.drained_id = h.local_id();
    h.move_tasks_at(3s, 7s);
    h.options.leave = false;
    h.options.remove_entry = false;
    auto r = h.run();
    CHECK(r.drained);
    CHECK_FALSE(r.left);
    CHECK(h.entry(h.local_id()).availability == "drain");
    CHECK(h.entry(h.local_id()).spec["Labels"].is_object());  // the whole Spec went back
    // Not done when the replacements were merely assigned (t=3s): only once they ran (t=7s).
    CHECK(h.clock.elapsed() >= 7s);
    CHECK(h.clock.elapsed() < 9s);
    CHECK(logs.contains("web: 2/4 running elsewhere, 2 tasks still here"));
    CHECK(logs.contains("web: 2/4 running elsewhere, 0 tasks still here"));
    CHECK(h.swarm->running(web.id, h.local_id()) == 4);
    CHECK(h.local.cluster != nullptr);  // still a member
    CHECK(leaving_reason(h.config).has_value());
}

TEST_CASE("a service that cannot move (pinned here by a constraint) ends the drain at its deadline: exit 9") {
    Harness h;
    LogCapture logs;
    auto& pinned = h.swarm->add_service("pinned", ServiceMode::replicated, 1);
    auto& task = h.swarm->add_task(pinned.id, h.local_id(), "running");
    auto id = task.id;
    h.clock.on_advance = [&](Duration t) {
        if (t >= 2s) {
            for (auto& x : h.swarm->tasks) {
                if (x.id == id) {
                    x.desired_state = "shutdown";
                    x.state = "shutdown";  // shut down here; no other node satisfies the constraint
                }
            }
        }
    };
    h.options.leave = false;
    h.options.deadline = 20s;
    CHECK(h.fails() == ExitCode::drain_deadline);
    CHECK(h.clock.elapsed() >= 20s);
    CHECK(h.clock.elapsed() < 22s);
    CHECK(logs.contains("pinned: 0/1 running elsewhere, 0 tasks still here"));
    CHECK(h.failure.find("deadline of 20.0s passed: pinned: 0/1 running elsewhere") != std::string::npos);
    CHECK(h.entry(h.local_id()).availability == "drain");  // it stays drained
}

TEST_CASE("tasks that never leave this node also end the drain at its deadline") {
    Harness h;
    LogCapture logs;
    auto& job = h.swarm->add_service("stuck", ServiceMode::other, 0);
    h.swarm->add_task(job.id, h.local_id(), "running");
    h.options.leave = false;
    h.options.deadline = 5s;
    CHECK(h.fails() == ExitCode::drain_deadline);
    CHECK(logs.contains("stuck: 1 task still here"));
}

TEST_CASE("global services stay and are not waited for; tasks of other nodes do not count") {
    Harness h;
    auto& agent = h.swarm->add_service("agent", ServiceMode::global, 0);
    h.swarm->add_task(agent.id, h.local_id(), "running");
    h.swarm->add_task(agent.id, h.w3.node_id, "running");
    auto& web = h.swarm->add_service("web", ServiceMode::replicated, 1);
    h.swarm->add_task(web.id, h.w3.node_id, "running");
    h.options.leave = false;
    auto r = h.run();
    CHECK(r.drained);
    CHECK(h.clock.elapsed() < 1s);
}

TEST_CASE("the drain's update is retried after 'update out of sequence', with the whole Spec") {
    Harness h;
    h.swarm->nodes.at(h.local_id()).spec["Labels"] = {{"zone", "a"}};
    h.swarm->nodes.at(h.local_id()).labels = {{"zone", "a"}};
    h.swarm->out_of_sequence_left = 2;
    h.options.leave = false;
    h.run();
    CHECK(h.entry(h.local_id()).availability == "drain");
    CHECK(h.entry(h.local_id()).labels.at("zone") == "a");
}

TEST_CASE("drain --undo sets the node active again and removes the marker") {
    Harness h;
    h.options.leave = false;
    h.run();
    REQUIRE(leaving_reason(h.config).has_value());
    run_undrain(h.config, h.services);
    CHECK(h.entry(h.local_id()).availability == "active");
    CHECK_FALSE(leaving_reason(h.config).has_value());
}

TEST_CASE("drain on a node outside any swarm is exit 8") {
    Harness h;
    h.local.leave(false);
    h.options.leave = false;
    CHECK(h.fails() == ExitCode::not_member);
}

TEST_CASE("leave --drain on a worker: drain, leave, then the entry removed once the managers see it down") {
    Harness h;
    LogCapture logs;
    auto& web = h.swarm->add_service("web", ServiceMode::replicated, 2);
    h.swarm->add_task(web.id, h.local_id(), "running");
    h.swarm->add_task(web.id, h.w3.node_id, "running");
    h.drained_id = h.local_id();
    h.move_tasks_at(2s, 4s);
    auto id = h.local_id();
    h.swarm->leave_marks_down = false;
    Duration left_at{0};
    auto orchestrate = h.clock.on_advance;
    h.clock.on_advance = [&](Duration t) {
        orchestrate(t);
        if (!h.local.cluster && left_at == 0s) {
            left_at = t;
        }
        if (left_at > 0s && t >= left_at + 12s && h.swarm->nodes.count(id) != 0) {
            h.swarm->nodes.at(id).state = "down";  // the heartbeat missed
        }
    };
    auto r = h.run();
    CHECK(r.drained);
    CHECK(r.left);
    CHECK_FALSE(r.demoted);
    CHECK(r.entry_removed);
    CHECK(h.swarm->nodes.count(id) == 0);
    CHECK(h.local.cluster == nullptr);
    CHECK(h.swarm->running(web.id) == 2);
    CHECK(h.clock.elapsed() >= left_at + 12s);    // removed once down, without force
    CHECK(leaving_reason(h.config).has_value());  // the installed service must not rejoin it
}

TEST_CASE("an entry the managers do not see down within the bound is removed with force") {
    Harness h;
    LogCapture logs;
    h.swarm->leave_marks_down = false;
    h.options.down_wait = 10s;
    auto id = h.local_id();
    auto r = h.run();
    CHECK(r.entry_removed);
    CHECK(h.swarm->nodes.count(id) == 0);
    CHECK(logs.contains("removing its entry with force"));
}

TEST_CASE("leave --drain on a manager of three: the guard passes, it is demoted, leaves and is removed") {
    Harness h(true);
    h.m1.add_member(h.m2, true);
    auto id = h.local_id();
    REQUIRE(h.entry(id).role == "manager");
    LogCapture logs;
    auto r = h.run();
    CHECK(r.demoted);
    CHECK(r.left);
    CHECK(r.entry_removed);
    CHECK(h.swarm->nodes.count(id) == 0);
    CHECK(logs.contains("keeps the quorum: 2 of 2 remaining managers reachable"));
}

TEST_CASE("the quorum guard refuses a manager's leave with 3 managers and 1 down: exit 10, nothing changed") {
    Harness h(true);
    h.m1.add_member(h.m2, true);
    h.swarm->nodes.at(h.m2.node_id).reachability = "unreachable";
    h.m2.stop();
    LogCapture logs;
    auto id = h.local_id();
    CHECK(h.fails() == ExitCode::quorum_refused);
    CHECK(h.failure.find("1 of 2 remaining managers reachable, 2 needed") != std::string::npos);
    CHECK(h.failure.find("--force") != std::string::npos);
    CHECK(h.entry(id).availability == "active");
    CHECK(h.local.cluster != nullptr);
    CHECK(h.local.leave_calls == 0);
}

TEST_CASE("--force overrides the quorum guard and says what it risks") {
    Harness h(true);
    h.m1.add_member(h.m2, true);
    h.swarm->nodes.at(h.m2.node_id).reachability = "unreachable";
    h.options.force = true;
    LogCapture logs;
    auto r = h.run();
    CHECK(r.left);
    CHECK(logs.contains("cannot elect a leader"));
}

TEST_CASE("the last manager never leaves without --force") {
    Harness h;
    // The only manager is m1: make the local engine that manager by leaving from m1's point of view.
    Services on_m1 = fake_services(h.world, h.clock, h.m1, 3);
    h.options.leave = true;
    LogCapture logs;
    try {
        run_graceful_exit(h.config, on_m1, h.options);
        FAIL("the last manager left");
    } catch (const Failure& f) {
        CHECK(f.code() == ExitCode::quorum_refused);
        CHECK(std::string(f.what()).find("last manager") != std::string::npos);
    }
    CHECK(h.m1.cluster != nullptr);
}

TEST_CASE("a drain whose manager stops answering ends with exit 3 at the deadline") {
    Harness h;
    auto& web = h.swarm->add_service("web", ServiceMode::replicated, 1);
    h.swarm->add_task(web.id, h.local_id(), "running");
    h.config.managers = {"10.0.0.1"};
    h.clock.on_advance = [&](Duration t) {
        if (t >= 1s) {
            h.m1.stop();
        }
    };
    h.options.leave = false;
    h.options.deadline = 10s;
    CHECK(h.fails() == ExitCode::manager_deadline);
}

TEST_CASE("look_at_drain: a service removed meanwhile is only waited for while its tasks are here") {
    Harness h;
    auto& web = h.swarm->add_service("web", ServiceMode::replicated, 1);
    h.swarm->add_task(web.id, h.local_id(), "running");
    std::set<std::string> watched;
    auto look = phases::look_at_drain(h.m1, h.local_id(), watched);
    REQUIRE(look);
    CHECK_FALSE(look->done);
    CHECK(look->tasks_here == 1);
    h.swarm->services.clear();
    h.swarm->tasks.front().state = "shutdown";
    look = phases::look_at_drain(h.m1, h.local_id(), watched);
    REQUIRE(look);
    CHECK(look->done);
}

TEST_CASE("--dry-run reads and says what it would do, and changes nothing") {
    Harness h;
    LogCapture logs;
    auto& web = h.swarm->add_service("web", ServiceMode::replicated, 1);
    h.swarm->add_task(web.id, h.local_id(), "running");
    h.config.dry_run = true;
    auto id = h.local_id();
    auto r = h.run();
    CHECK_FALSE(r.left);
    CHECK_FALSE(r.drained);
    CHECK(h.entry(id).availability == "active");
    CHECK(h.local.cluster != nullptr);
    CHECK(h.local.leave_calls == 0);
    CHECK_FALSE(leaving_reason(h.config).has_value());
    CHECK(logs.contains("dry run: would set the availability of node " + id + " from active to drain"));
    CHECK(logs.contains("dry run: would leave the swarm"));
}
