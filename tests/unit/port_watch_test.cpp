// The swarm-port watch and the first-ready-wins wait, in virtual time: a port that opens leads to an API
// probe within one watch period, a hanging probe does not hold up a ready manager, and a waiting agent keeps
// to the per-agent request budget that lets 200 of them wait on one manager.

#include "agent/join/port_watch.hpp"

#include "sb_doctest.hpp"

#include <condition_variable>
#include <mutex>
#include <thread>

#include "agent/join/join_flow.hpp"
#include "common/error.hpp"
#include "fakes/fake_clock.hpp"
#include "fakes/fake_engine.hpp"

using namespace sb;
using namespace sb::test;
using namespace std::chrono_literals;

namespace {

// Every Engine API call a manager gets, with the virtual time it came at.
struct CallLog {
    std::mutex mutex;
    std::vector<std::pair<std::string, Duration>> calls;  // (what, elapsed)
    void add(std::string what, Duration at) {
        std::lock_guard lock(mutex);
        calls.emplace_back(std::move(what), at);
    }
    std::size_t count_between(Duration from, Duration to) {
        std::lock_guard lock(mutex);
        return static_cast<std::size_t>(std::count_if(
            calls.begin(), calls.end(), [&](const auto& c) { return c.second >= from && c.second < to; }));
    }
    std::optional<Duration> first_at_or_after(Duration from) {
        std::lock_guard lock(mutex);
        for (const auto& c : calls) {
            if (c.second >= from) {
                return c.second;
            }
        }
        return std::nullopt;
    }
};

class CountingApi final : public EngineApi {
  public:
    CountingApi(std::unique_ptr<EngineApi> inner, CallLog& log, FakeClock& clock)
        : inner_(std::move(inner)), log_(log), clock_(clock) {}
    std::string address() const override { return inner_->address(); }
    ApiResult<void> ping() override { return note("ping"), inner_->ping(); }
    ApiResult<VersionInfo> version() override { return note("version"), inner_->version(); }
    ApiResult<EngineInfo> info() override { return note("info"), inner_->info(); }
    ApiResult<SwarmInfo> swarm() override { return note("swarm"), inner_->swarm(); }
    ApiResult<Node> node(std::string_view id) override { return note("node"), inner_->node(id); }
    ApiResult<std::vector<Node>> nodes() override { return note("nodes"), inner_->nodes(); }
    ApiResult<void> update_node(std::string_view id, std::uint64_t v, const nlohmann::json& s) override {
        return note("update"), inner_->update_node(id, v, s);
    }
    ApiResult<void> remove_node(std::string_view id, bool force) override {
        return note("remove"), inner_->remove_node(id, force);
    }
    ApiResult<std::vector<Task>> tasks(const TaskFilter& f) override {
        return note("tasks"), inner_->tasks(f);
    }
    ApiResult<std::vector<Service>> services() override { return note("services"), inner_->services(); }
    ApiResult<void> join(const JoinRequest& r) override { return note("join"), inner_->join(r); }
    ApiResult<void> leave(bool force) override { return note("leave"), inner_->leave(force); }

  private:
    void note(const char* what) { log_.add(what, clock_.elapsed()); }
    std::unique_ptr<EngineApi> inner_;
    CallLog& log_;
    FakeClock& clock_;
};

// A manager API that accepts and never answers until released (a hung dockerd), shared with the probe thread.
struct Hang {
    std::mutex mutex;
    std::condition_variable cv;
    bool released = false;
    int entered = 0;
    int left = 0;
    void block() {
        std::unique_lock lock(mutex);
        ++entered;
        cv.notify_all();
        cv.wait(lock, [&] { return released; });
        ++left;
        cv.notify_all();
    }
    void release_and_wait_out() {
        std::unique_lock lock(mutex);
        released = true;
        cv.notify_all();
        cv.wait(lock, [&] { return left == entered; });
    }
};

class HangingApi final : public EngineApi {
  public:
    HangingApi(std::shared_ptr<Hang> hang, std::string addr)
        : hang_(std::move(hang)), addr_(std::move(addr)) {}
    std::string address() const override { return addr_; }
    ApiResult<void> ping() override { return fail<void>(); }
    ApiResult<VersionInfo> version() override { return fail<VersionInfo>(); }
    ApiResult<EngineInfo> info() override { return fail<EngineInfo>(); }
    ApiResult<SwarmInfo> swarm() override { return fail<SwarmInfo>(); }
    ApiResult<Node> node(std::string_view) override { return fail<Node>(); }
    ApiResult<std::vector<Node>> nodes() override { return fail<std::vector<Node>>(); }
    ApiResult<void> update_node(std::string_view, std::uint64_t, const nlohmann::json&) override {
        return fail<void>();
    }
    ApiResult<void> remove_node(std::string_view, bool) override { return fail<void>(); }
    ApiResult<std::vector<Task>> tasks(const TaskFilter&) override { return fail<std::vector<Task>>(); }
    ApiResult<std::vector<Service>> services() override { return fail<std::vector<Service>>(); }
    ApiResult<void> join(const JoinRequest&) override { return fail<void>(); }
    ApiResult<void> leave(bool) override { return fail<void>(); }

  private:
    template <class T>
    ApiResult<T> fail() {
        hang_->block();
        ApiError e;
        e.kind = ApiErrorKind::unreachable;
        e.timed_out = true;
        e.message = "no answer within 10.0s";
        return sb::unexpected(e);
    }
    std::shared_ptr<Hang> hang_;
    std::string addr_;
};

// Runs background work on real threads and joins them all before the fakes they use go away.
struct Threads {
    std::mutex mutex;
    std::vector<std::thread> threads;
    void spawn(std::function<void()> f) {
        std::lock_guard lock(mutex);
        threads.emplace_back(std::move(f));
    }
    ~Threads() {
        std::lock_guard lock(mutex);
        for (auto& t : threads) {
            t.join();
        }
    }
};

// Virtual time runs on while the loop waits, so each background task is given (up to 5 s of real time) to
// finish or to start hanging before the loop goes on: the outcome does not depend on how fast threads get
// scheduled.
std::function<void(std::function<void()>)> spawn_finished_or_hanging(Threads& threads,
                                                                     std::shared_ptr<Hang> hang) {
    return [&threads, hang](std::function<void()> f) {
        auto done = std::make_shared<bool>(false);
        int entered_before = 0;
        {
            std::lock_guard lock(hang->mutex);
            entered_before = hang->entered;
        }
        threads.spawn([f = std::move(f), done, hang] {
            f();
            std::lock_guard lock(hang->mutex);
            *done = true;
            hang->cv.notify_all();
        });
        std::unique_lock lock(hang->mutex);
        hang->cv.wait_for(lock, std::chrono::seconds(5),
                          [&] { return *done || hang->entered > entered_before; });
    };
}

struct Herd {
    FakeWorld world;
    FakeClock clock;
    CallLog calls;
    FakeEngine& m1 = world.add("10.0.0.1", "manager-1");
    FakeEngine& local = world.add("10.0.0.9", "worker-9");
    Config config;
    Services services;

    Herd() {
        config.managers = {"10.0.0.1"};
        config.timeout = 15min;  // the defaults
        config.backoff_initial = 1s;
        config.backoff_max = 10s;
        services = fake_services(world, clock, local, 7);
        services.connect_manager = [this](const Endpoint& ep) {
            return std::make_unique<CountingApi>(world.connect(ep), calls, clock);
        };
    }

    bool local_node_labelled() {
        auto n = m1.node(local.node_id);
        return n && n->labels.count("os") == 1;
    }
};

}  // namespace

TEST_CASE("the port watch: due at once, one connect outstanding per address, a jittered period") {
    FakeClock clock;
    double u = 0.0;
    PortWatch watch(PortWatchPolicy{250ms, 1s}, [&] { return u; });
    watch.set_addresses({"10.0.0.1:2377", "10.0.0.2:2377", "10.0.0.1:2377"});
    auto t = clock.now();
    CHECK(watch.due(t) == std::vector<std::string>{"10.0.0.1:2377", "10.0.0.2:2377"});
    // Both outstanding (a blackholed address): nothing more is due, however long it takes.
    CHECK(watch.due(t + 10s).empty());
    CHECK(watch.next_due() == Clock::time_point::max());
    CHECK_FALSE(watch.finished("10.0.0.1:2377", false, t + 1ms));
    CHECK(watch.next_due() == t + 1ms + 125ms);  // u = 0: half the period
    u = 0.999;
    CHECK(watch.finished("10.0.0.2:2377", true, t + 2ms));  // seen to open
    CHECK(watch.is_open("10.0.0.2:2377"));
    CHECK(watch.open_addresses() == std::vector<std::string>{"10.0.0.2:2377"});
    CHECK(watch.due(t + 126ms) == std::vector<std::string>{"10.0.0.1:2377"});
    // An open port is looked at again only 20 periods later (a connect there costs the manager an accept).
    CHECK(watch.due(t + 4s).empty());
    CHECK(watch.due(t + 5002ms) == std::vector<std::string>{"10.0.0.2:2377"});
    CHECK_FALSE(watch.finished("10.0.0.2:2377", true, t + 5003ms));  // still open: not news
    CHECK_FALSE(watch.finished("10.9.9.9:2377", true, t + 253ms));   // not watched
    watch.set_addresses({"10.0.0.2:2377"});
    CHECK(watch.is_open("10.0.0.2:2377"));
    CHECK_FALSE(watch.is_open("10.0.0.1:2377"));
}

TEST_CASE("a swarm port that opens leads to an API probe within one watch period") {
    Herd h;
    h.m1.swarm_port_open = false;  // docker answers, no swarm yet
    Duration init_at{};
    h.clock.on_advance = [&](Duration t) {
        if (t >= 40s && !h.m1.cluster) {
            h.m1.init_swarm("clusterA");
            h.m1.swarm_port_open = true;
            init_at = t;
        }
    };
    auto r = run_join(h.config, h.services);
    CHECK(r.outcome == JoinOutcome::joined);
    auto first = h.calls.first_at_or_after(init_at);
    REQUIRE(first);
    CHECK(*first - init_at <= h.services.port_watch.period);
    // The whole join after init takes no backoff step: ready, joined, verified and labelled at once.
    CHECK(h.clock.elapsed() - init_at <= h.services.port_watch.period);
    CHECK(h.local_node_labelled());
}

TEST_CASE(
    "the herd budget: a waiting agent asks the manager's API at most once per 4 s, and twice when ready") {
    Herd h;
    h.m1.swarm_port_open = false;
    Duration init_at{};
    h.clock.on_advance = [&](Duration t) {
        if (t >= 10min && !h.m1.cluster) {
            h.m1.init_swarm("clusterA");
            h.m1.swarm_port_open = true;
            init_at = t;
        }
    };
    h.config.dry_run = true;
    auto r = run_join(h.config, h.services);
    CHECK(r.outcome == JoinOutcome::dry_run);
    // 200 agents × this rate must stay within 50 new API connections per second.
    auto waiting = h.calls.count_between(0s, init_at);
    MESSAGE("API requests while waiting 10 min: " << waiting);
    CHECK(static_cast<double>(waiting) / 600.0 <= 50.0 / 200.0);
    // Once the swarm exists: GET /swarm (the tokens) and GET /info (ready, no raft error, the managers).
    CHECK(h.calls.count_between(init_at, init_at + 1h) == 2);
}

TEST_CASE("a hanging manager does not delay a ready one: the first ready manager wins") {
    Herd h;
    auto& m2 = h.world.add("10.0.0.2", "manager-2");
    m2.init_swarm("clusterA");
    h.config.managers = {"10.0.0.1", "10.0.0.2"};  // the first one hangs
    auto hang = std::make_shared<Hang>();
    h.services.connect_manager = [&](const Endpoint& ep) -> std::unique_ptr<EngineApi> {
        if (ep.host == "10.0.0.1") {
            return std::make_unique<HangingApi>(hang, ep.authority());
        }
        return h.world.connect(ep);
    };
    h.m1.swarm_port_open = true;  // accepts connections (and never answers on the API)
    Threads threads;
    h.services.spawn = spawn_finished_or_hanging(threads, hang);

    auto r = run_join(h.config, h.services);
    CHECK(r.outcome == JoinOutcome::joined);
    CHECK(r.manager == "10.0.0.2:2375");
    {
        std::lock_guard lock(hang->mutex);
        CHECK(hang->entered >= 1);  // still hanging while we joined
        CHECK(hang->left == 0);
    }
    CHECK(h.clock.elapsed() < 10s);  // no round waited for the hanging probe
    hang->release_and_wait_out();
}

TEST_CASE(
    "a blackholed first manager: one connect outstanding at a time, the second manager joined at once") {
    Herd h;
    auto& m2 = h.world.add("10.0.0.2", "manager-2");
    m2.swarm_port_open = false;
    h.config.managers = {"10.0.0.1", "10.0.0.2"};
    h.m1.stop();
    Duration init_at{};
    h.clock.on_advance = [&](Duration t) {
        if (t >= 5s && !m2.cluster) {
            m2.init_swarm("clusterA");
            m2.swarm_port_open = true;
            init_at = t;
        }
    };
    int connects_to_m1 = 0;
    bool outstanding = false;
    bool overlapped = false;
    auto inner = h.services.probe_swarm_port;
    h.services.probe_swarm_port = [&](const std::string& host, std::uint16_t port,
                                      Duration timeout) -> sb::expected<void, std::string> {
        if (host == "10.0.0.1") {
            overlapped = overlapped || outstanding;
            outstanding = true;
            ++connects_to_m1;
            h.clock.advance(timeout);  // SYNs dropped: the connect times out
            outstanding = false;
            return sb::unexpected(std::string("connect: no answer within 1.0s"));
        }
        return inner(host, port, timeout);
    };
    auto r = run_join(h.config, h.services);
    CHECK(r.manager == "10.0.0.2:2375");
    CHECK_FALSE(overlapped);
    CHECK(connects_to_m1 >= 2);
    // Each connect to the blackholed address takes its whole timeout; the watch still finds m2 open within
    // one period plus one such connect.
    CHECK(h.clock.elapsed() - init_at <=
          h.services.port_watch.period + h.services.port_watch.connect_timeout);
}

TEST_CASE(
    "a manager being prepared is asked again every 1.5-3 watch periods, and its tokens are taken at once") {
    Herd h;
    h.m1.swarm_port_open = false;
    Duration opened_at{};
    Duration ready_at{};
    // `swarm init`: the swarm port opens, GET /swarm says "being prepared" for 3 s, then the tokens exist.
    h.clock.on_advance = [&](Duration t) {
        if (t >= 20s && !h.m1.swarm_port_open) {
            h.m1.swarm_port_open = true;
            h.m1.preparing = true;
            opened_at = t;
        }
        if (opened_at > 0s && t >= opened_at + 3s && !h.m1.cluster) {
            h.m1.init_swarm("clusterA");
            ready_at = t;
        }
    };
    h.config.dry_run = true;
    auto r = run_join(h.config, h.services);
    CHECK(r.outcome == JoinOutcome::dry_run);
    REQUIRE(ready_at > 0s);
    const auto period = h.services.port_watch.period;
    // Not a growing backoff (which would have reached 2 s steps by then): within one short step of ready.
    CHECK(h.clock.elapsed() - ready_at <= 3 * period);
    // And not a hammering: at most one GET /swarm per 1.5 periods while it was being prepared, plus the
    // first one the moment the port opened.
    auto asked = h.calls.count_between(opened_at, ready_at);
    MESSAGE("requests while the manager was being prepared for 3 s: " << asked);
    CHECK(asked <= 1 + static_cast<std::size_t>(3s / (3 * period / 2)));
    CHECK(asked >= 3);
}

TEST_CASE("a manager that stays 'being prepared' falls back to the growing backoff") {
    Herd h;
    h.m1.swarm_port_open = true;
    h.m1.preparing = true;  // it also says so when it cannot reach its cluster, for good
    h.config.timeout = 2min;
    CHECK_THROWS_AS(run_join(h.config, h.services), Failure);
    // 8 short re-probes, then steps growing to 10 s: in the last minute no more than the normal round's
    // and the open-port backoff's requests (each at most one per 5 s).
    auto late = h.calls.count_between(60s, 120s);
    MESSAGE("requests in the second minute: " << late);
    CHECK(late <= 24);
}

TEST_CASE("after init a dry run asks the local engine nothing more, and does not connect to 2377 again") {
    Herd h;
    CallLog local_calls;
    CountingApi local(h.world.connect(*parse_endpoint("tcp://10.0.0.9:2375", false)), local_calls, h.clock);
    h.services.local = &local;
    h.m1.swarm_port_open = false;
    Duration init_at{};
    h.clock.on_advance = [&](Duration t) {
        if (t >= 30s && !h.m1.cluster) {
            h.m1.init_swarm("clusterA");
            h.m1.swarm_port_open = true;
            init_at = t;
        }
    };
    int connects_after_init = 0;
    auto inner = h.services.probe_swarm_port;
    h.services.probe_swarm_port = [&](const std::string& host, std::uint16_t port,
                                      Duration timeout) -> sb::expected<void, std::string> {
        if (init_at > 0s) {
            ++connects_after_init;
        }
        return inner(host, port, timeout);
    };
    h.config.dry_run = true;
    auto r = run_join(h.config, h.services);
    CHECK(r.outcome == JoinOutcome::dry_run);
    // Preflight's /_ping, /version and /info; its "inactive" still holds for the membership check.
    CHECK(local_calls.count_between(0s, init_at) == 3);
    CHECK(local_calls.count_between(init_at, 1h) == 0);
    // The connect that saw the port open; join_swarm trusts it.
    CHECK(connects_after_init == 1);
}

TEST_CASE("a probe still outstanding at the deadline is reported as 'no answer within'") {
    Herd h;
    auto hang = std::make_shared<Hang>();
    h.services.connect_manager = [&](const Endpoint& ep) -> std::unique_ptr<EngineApi> {
        return std::make_unique<HangingApi>(hang, ep.authority());
    };
    h.m1.init_swarm("clusterA");  // its swarm port is open; its API accepts and never answers
    h.config.timeout = 6s;
    Threads threads;
    h.services.spawn = spawn_finished_or_hanging(threads, hang);
    std::string message;
    try {
        run_join(h.config, h.services);
    } catch (const Failure& f) {
        CHECK(f.code() == ExitCode::manager_deadline);
        message = f.what();
    }
    MESSAGE(message);
    CHECK(message.find("10.0.0.1:2375: no answer within 6.0s") != std::string::npos);
    CHECK(message.find("no answer yet") == std::string::npos);
    hang->release_and_wait_out();
}
