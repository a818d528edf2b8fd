// The reaper on the managers, against a fake swarm on virtual time: who acts, what is removed, what is kept.

#include "agent/reap/reaper.hpp"

#include "sb_doctest.hpp"

#include <spdlog/sinks/base_sink.h>

#include <algorithm>

#include "agent/node/node_labels.hpp"
#include "fakes/fake_clock.hpp"
#include "fakes/fake_engine.hpp"
#include "fakes/log_capture.hpp"

using namespace sb;
using namespace sb::test;
using namespace std::chrono_literals;

namespace {

// A swarm of one leading manager and two workers, every node joined by swarm-bootstrap (marked) unless a test
// says otherwise; the reaper runs on the leader with a grace of 30 s.
struct ReapHarness {
    FakeClock clock;
    FakeWorld world;
    FakeEngine& m1 = world.add("10.0.0.1", "manager-1");
    FakeEngine& w2 = world.add("10.0.0.2", "worker-2");
    FakeEngine& w3 = world.add("10.0.0.3", "worker-3");
    reap::Reaper reaper{30s, false};
    std::stop_source stop;

    ReapHarness() {
        world.clock = &clock;
        m1.init_swarm("clusterA");
        m1.add_member(w2, false);
        m1.add_member(w3, false);
        for (auto* e : {&m1, &w2, &w3}) {
            mark(*e);
        }
    }

    FakeSwarm& swarm() { return *m1.cluster; }
    Node& entry(const FakeEngine& e) { return swarm().nodes.at(e.node_id); }
    bool has(const std::string& id) { return swarm().nodes.count(id) != 0; }

    // As the join's label phase leaves a node.
    void mark(FakeEngine& e) {
        auto& n = entry(e);
        n.labels[std::string(joined_label)] = joined_label_value;
        n.spec["Labels"][std::string(joined_label)] = joined_label_value;
    }
    void unmark(FakeEngine& e) {
        auto& n = entry(e);
        n.labels.erase(std::string(joined_label));
        n.spec["Labels"].erase(std::string(joined_label));
    }

    // One interval's pass on `on` (its node as a manager reports it, and its engine's /info).
    std::vector<reap::Removal> pass(FakeEngine& on, reap::Reaper& r) {
        auto self = m1.node(on.node_id);
        REQUIRE(self);
        auto info = on.info();
        REQUIRE(info);
        return r.pass(*self, *info, on, clock, stop.get_token());
    }
    std::vector<reap::Removal> pass() { return pass(m1, reaper); }
};

// The listing still says down; the node is back by the time DELETE arrives.
struct Racing final : EngineApi {
    FakeEngine& inner;
    FakeEngine& back;
    explicit Racing(FakeEngine& i, FakeEngine& b) : inner(i), back(b) {}
    std::string address() const override { return inner.address(); }
    ApiResult<void> ping() override { return inner.ping(); }
    ApiResult<VersionInfo> version() override { return inner.version(); }
    ApiResult<EngineInfo> info() override { return inner.info(); }
    ApiResult<SwarmInfo> swarm() override { return inner.swarm(); }
    ApiResult<Node> node(std::string_view id) override { return inner.node(id); }
    ApiResult<std::vector<Node>> nodes() override {
        auto all = inner.nodes();
        back.come_back();
        return all;
    }
    ApiResult<std::vector<Node>> nodes_named(std::string_view n) override { return inner.nodes_named(n); }
    ApiResult<void> update_node(std::string_view id, std::uint64_t v, const nlohmann::json& s) override {
        return inner.update_node(id, v, s);
    }
    ApiResult<void> remove_node(std::string_view id, bool f) override { return inner.remove_node(id, f); }
    ApiResult<void> join(const JoinRequest& r) override { return inner.join(r); }
    ApiResult<void> leave(bool f) override { return inner.leave(f); }
    ApiResult<std::vector<Task>> tasks(const TaskFilter& f) override { return inner.tasks(f); }
    ApiResult<std::vector<Service>> services() override { return inner.services(); }
};

}  // namespace

TEST_CASE("reaper: a marked worker down longer than the grace is removed, with a line naming it") {
    ReapHarness h;
    LogCapture logs;
    auto id = h.w2.node_id;
    h.w2.vanish();
    h.clock.advance(29s);
    CHECK(h.pass().empty());  // within the grace
    CHECK(h.has(id));
    h.clock.advance(2s);
    auto removed = h.pass();
    REQUIRE(removed.size() == 1);
    CHECK(removed[0].node_id == id);
    CHECK(removed[0].hostname == "worker-2");
    CHECK(removed[0].down_for == 31s);
    CHECK_FALSE(removed[0].was_manager);
    CHECK_FALSE(h.has(id));
    CHECK(h.has(h.w3.node_id));
    CHECK(
        logs.contains("removed node " + id + " (worker-2), down for 31.0s, longer than the grace of 30.0s"));
    CHECK(h.pass().empty());  // nothing more to do
}

TEST_CASE("reaper: only the leader acts, and the others send no request for it") {
    ReapHarness h;
    FakeEngine& m4 = h.world.add("10.0.0.4", "manager-4");
    h.m1.add_member(m4, true);
    h.w2.vanish();
    h.clock.advance(10min);
    reap::Reaper on_follower{30s, false};
    CHECK(h.pass(m4, on_follower).empty());
    CHECK(m4.node_lists.empty());
    CHECK(h.m1.node_lists.empty());
    CHECK(h.has(h.w2.node_id));
    // On a worker (its engine is no manager) nothing happens either.
    reap::Reaper on_worker{30s, false};
    CHECK(h.pass(h.w3, on_worker).empty());
    CHECK(h.w3.node_lists.empty());
    // The leader lists once, on its own engine, and removes the node.
    CHECK(h.pass().size() == 1);
    CHECK(h.m1.node_lists == std::vector<std::string>{"*"});
    CHECK_FALSE(h.has(h.w2.node_id));
}

TEST_CASE("reaper: a node swarm-bootstrap did not join is left alone, and said so once") {
    ReapHarness h;
    LogCapture logs;
    h.unmark(h.w2);
    h.w2.vanish();
    h.clock.advance(1h);
    CHECK(h.pass().empty());
    h.clock.advance(30s);
    CHECK(h.pass().empty());
    CHECK(h.has(h.w2.node_id));
    auto text = logs.text();
    std::string line = "node " + h.w2.node_id + " (worker-2) is down, but swarm-bootstrap did not join it";
    CHECK(text.find(line) != std::string::npos);
    CHECK(text.find(line) == text.rfind(line));
}

TEST_CASE("reaper: a node that comes back within the grace is untouched, also when it goes down again") {
    ReapHarness h;
    auto id = h.w2.node_id;
    h.w2.vanish();
    h.clock.advance(20s);
    CHECK(h.pass().empty());
    h.w2.come_back();  // a reboot
    h.clock.advance(40s);
    CHECK(h.pass().empty());
    CHECK(h.entry(h.w2).state == "ready");
    // Down again: its time starts anew, not from the first loss.
    h.w2.vanish();
    h.clock.advance(20s);
    CHECK(h.pass().empty());
    CHECK(h.has(id));
    h.clock.advance(11s);
    CHECK(h.pass().size() == 1);
    CHECK_FALSE(h.has(id));
}

TEST_CASE("reaper: a node back between the listing and the removal is kept (the manager refuses)") {
    ReapHarness h;
    LogCapture logs;
    h.w2.vanish();
    h.clock.advance(1min);
    auto self = h.m1.node(h.m1.node_id);
    auto info = h.m1.info();
    Racing racing(h.m1, h.w2);
    CHECK(h.reaper.pass(*self, *info, racing, h.clock, h.stop.get_token()).empty());
    CHECK(h.has(h.w2.node_id));
    CHECK(logs.contains("kept node " + h.w2.node_id + " (worker-2): it is up again"));
}

TEST_CASE("reaper: the engine's own times count, so a restarted agent does not start the grace again") {
    ReapHarness h;
    h.w2.vanish();
    h.clock.advance(45s);
    reap::Reaper restarted{30s, false};  // first pass of a fresh agent
    auto removed = h.pass(h.m1, restarted);
    REQUIRE(removed.size() == 1);
    CHECK(removed[0].down_for == 45s);
}

TEST_CASE("reaper: without readable engine times it counts from when it first saw the node down") {
    ReapHarness h;
    h.world.clock = nullptr;  // no SystemTime, no UpdatedAt
    h.w2.vanish();
    h.clock.advance(10min);
    CHECK(h.pass().empty());  // first seen now
    h.clock.advance(29s);
    CHECK(h.pass().empty());
    h.clock.advance(1s);
    auto removed = h.pass();
    REQUIRE(removed.size() == 1);
    CHECK(removed[0].down_for == 30s);
}

TEST_CASE("reaper: a dry run says what it would remove and removes nothing") {
    ReapHarness h;
    reap::Reaper dry{30s, true};
    LogCapture logs;
    h.w2.vanish();
    h.clock.advance(1min);
    CHECK(h.pass(h.m1, dry).size() == 1);
    CHECK(h.has(h.w2.node_id));
    CHECK(h.m1.remove_calls == 0);
    CHECK(logs.contains("dry run: would remove node " + h.w2.node_id));
}

TEST_CASE("reaper: a down manager is demoted, then removed, when the others keep a quorum") {
    ReapHarness h;
    LogCapture logs;
    FakeEngine& m4 = h.world.add("10.0.0.4", "manager-4");
    FakeEngine& m5 = h.world.add("10.0.0.5", "manager-5");
    h.m1.add_member(m4, true);
    h.m1.add_member(m5, true);
    h.mark(m4);
    h.mark(m5);
    auto id = m5.node_id;
    m5.vanish();
    h.clock.advance(31s);
    auto updates = h.m1.update_calls;
    auto removed = h.pass();
    REQUIRE(removed.size() == 1);
    CHECK(removed[0].was_manager);
    CHECK(h.m1.update_calls == updates + 1);  // the demotion
    CHECK_FALSE(h.has(id));
    CHECK(logs.contains("removed manager node " + id +
                        " (manager-5), down for 31.0s, longer than the grace of "
                        "30.0s, demoted first; 2 of 2 remaining managers reachable, 2 needed for a quorum"));
}

TEST_CASE("reaper: a down manager is kept when removing it would cost the quorum") {
    ReapHarness h;
    LogCapture logs;
    FakeEngine& m4 = h.world.add("10.0.0.4", "manager-4");
    FakeEngine& m5 = h.world.add("10.0.0.5", "manager-5");
    h.m1.add_member(m4, true);
    h.m1.add_member(m5, true);
    h.mark(m4);
    h.mark(m5);
    m5.vanish();
    h.entry(m4).reachability = "unreachable";  // the leader no longer hears manager-4 either
    h.clock.advance(5min);
    auto updates = h.m1.update_calls;
    CHECK(h.pass().empty());
    CHECK(h.pass().empty());
    CHECK(h.has(m5.node_id));
    CHECK(h.entry(m5).role == "manager");
    CHECK(h.m1.update_calls == updates);
    auto text = logs.text();
    std::string line =
        "keeping down manager node " + m5.node_id +
        " (manager-5, down for 5m00s): removing it would cost the quorum (1 of 2 remaining managers "
        "reachable, 2 needed for a quorum)";
    CHECK(text.find(line) != std::string::npos);
    CHECK(text.find(line) == text.rfind(line));  // once, not at every interval
    // Once manager-4 answers again, manager-5 goes.
    h.entry(m4).reachability = "reachable";
    CHECK(h.pass().size() == 1);
    CHECK_FALSE(h.has(m5.node_id));
}

TEST_CASE("reaper: each removal carries the journal's fields: node id, hostname and seconds down") {
    // A sink that records the fields its thread had when each line arrived, as the journal's does.
    struct FieldSink final : spdlog::sinks::base_sink<std::mutex> {
        std::vector<LogFieldList> seen;
        void sink_it_(const spdlog::details::log_msg&) override { seen.push_back(log_fields()); }
        void flush_() override {}
    };
    auto sink = std::make_shared<FieldSink>();
    add_log_sink(sink);
    ReapHarness h;
    h.w2.vanish();
    h.clock.advance(90s);
    CHECK(h.pass().size() == 1);
    remove_log_sink(sink);
    LogFieldList expected{
        {"SB_REAPED_NODE_ID", h.w2.node_id}, {"SB_REAPED_HOSTNAME", "worker-2"}, {"SB_DOWN_SECONDS", "90"}};
    CHECK(std::find(sink->seen.begin(), sink->seen.end(), expected) != sink->seen.end());
    CHECK(log_fields().empty());  // the scope ended with the line
}

TEST_CASE(
    "reaper: a demoted manager still leaving the raft cluster is removed a moment later, or next time") {
    ReapHarness h;
    FakeEngine& m4 = h.world.add("10.0.0.4", "manager-4");
    FakeEngine& m5 = h.world.add("10.0.0.5", "manager-5");
    h.m1.add_member(m4, true);
    h.m1.add_member(m5, true);
    h.mark(m5);
    m5.vanish();
    h.clock.advance(1min);
    SUBCASE("within the pass: DELETE again every 0.5 s") {
        h.swarm().raft_member_left = 2;
        auto before = h.clock.elapsed();
        CHECK(h.pass().size() == 1);
        CHECK_FALSE(h.has(m5.node_id));
        CHECK(h.clock.elapsed() - before == 1s);
    }
    SUBCASE("past the pass's ten tries: the next interval removes it without a new grace") {
        h.swarm().raft_member_left = 12;
        CHECK(h.pass().empty());
        CHECK(h.has(m5.node_id));
        CHECK(h.entry(m5).role == "worker");  // demoted: its UpdatedAt moved with that
        h.clock.advance(1s);
        CHECK(h.pass().size() == 1);
        CHECK_FALSE(h.has(m5.node_id));
    }
}

TEST_CASE(
    "reaper: a down manager back between its demotion and its removal is kept, and the line says it is a "
    "worker now") {
    ReapHarness h;
    LogCapture logs;
    FakeEngine& m4 = h.world.add("10.0.0.4", "manager-4");
    FakeEngine& m5 = h.world.add("10.0.0.5", "manager-5");
    h.m1.add_member(m4, true);
    h.m1.add_member(m5, true);
    h.mark(m5);
    m5.vanish();
    h.clock.advance(1min);
    auto self = h.m1.node(h.m1.node_id);
    auto info = h.m1.info();
    Racing racing(h.m1, m5);
    CHECK(h.reaper.pass(*self, *info, racing, h.clock, h.stop.get_token()).empty());
    CHECK(h.has(m5.node_id));
    CHECK(h.entry(m5).role == "worker");
    CHECK(logs.contains("kept node " + m5.node_id +
                        " (manager-5): it came back while it was removed, and is a "
                        "worker now"));
}
