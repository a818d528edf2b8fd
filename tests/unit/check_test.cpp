// The named checks (agent/check/) over made-up facts, the gathering against fake engines (with the number of
// API requests each manager costs), and the join's check preflight.

#include "agent/check/checker.hpp"

#include "sb_doctest.hpp"

#include <atomic>
#include <cstdio>
#include <future>
#include <thread>

#include "agent/check/check_names.hpp"
#include "agent/check/checks.hpp"
#include "agent/check/gather.hpp"
#include "agent/check/run_checks.hpp"
#include "agent/join/join_flow.hpp"
#include "common/detached_thread.hpp"
#include "common/error.hpp"
#include "fakes/fake_clock.hpp"
#include "fakes/fake_engine.hpp"
#include "fakes/log_capture.hpp"

using namespace sb;
using namespace sb::check;
using namespace sb::test;
using namespace std::chrono_literals;

namespace {

using SysTime = std::chrono::system_clock::time_point;

// 2026-12-04 12:00:00 UTC
const SysTime noon = std::chrono::sys_days(std::chrono::year(2026) / 12 / 4) + 12h;

std::string http_date(SysTime t) {
    using namespace std::chrono;
    static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    auto day = floor<std::chrono::days>(t);
    year_month_day ymd{day};
    hh_mm_ss hms{floor<seconds>(t - day)};
    char buf[64];
    std::snprintf(buf, sizeof buf, "%s, %02u %s %d %02d:%02d:%02d GMT", days[weekday(day).c_encoding()],
                  static_cast<unsigned>(ymd.day()), months[static_cast<unsigned>(ymd.month()) - 1],
                  static_cast<int>(ymd.year()), static_cast<int>(hms.hours().count()),
                  static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
    return buf;
}

ManagerFacts manager(const std::string& host) {
    ManagerFacts m;
    m.address = host + ":2375";
    m.host = host;
    m.version.version = "27.3.1";
    m.version.api_version = "1.47";
    m.version.date = http_date(noon);
    m.sent = noon;
    m.received = noon + 20ms;
    m.swarm = SwarmInfo{};
    m.nodes = std::vector<Node>{};
    m.swarm_port = true;
    m.gossip_port = true;
    m.path_mtu = 1500;
    return m;
}

Facts healthy_facts() {
    Facts f;
    f.local_version = VersionInfo{"27.3.1", "1.47", "1.24", "linux", "amd64", "6.1", {}};
    f.local_info.name = "worker-9";
    f.local_info.swarm.local_state = "inactive";
    f.host_name = "worker-9";
    f.addresses = std::vector<std::string>{"127.0.0.1", "10.0.0.9"};
    f.managers = {manager("10.0.0.1"), manager("10.0.0.2"), manager("10.0.0.3")};
    f.data_path_port_free = true;
    f.firewall = sb::unexpected(std::string("no host firewall API on this platform"));
    return f;
}

Result run_named(std::string_view name, const Facts& f) {
    auto checks = all_checkers();
    checks.push_back(make_firewall_check());
    for (const auto& c : checks) {
        if (c->name() == name) {
            return c->run(f);
        }
    }
    FAIL("no check named " << name);
    return {};
}

Node node(const std::string& id, const std::string& hostname, const std::string& state) {
    Node n;
    n.id = id;
    n.hostname = hostname;
    n.state = state;
    n.addr = "10.0.0.9";
    return n;
}

}  // namespace

TEST_CASE("a healthy node before its join: no warning and no error from any check") {
    auto f = healthy_facts();
    auto report = run_checks(f, all_checkers(), {});
    for (const auto& r : report.results) {
        INFO(format_line(r));
        CHECK((r.status == Status::ok || r.status == Status::skipped));
    }
    CHECK(report.errors().empty());
    // Only the after-join checks (and a platform without a firewall API) are skipped.
    for (const auto& r : report.results) {
        if (r.status == Status::skipped) {
            CHECK((r.name == "NodeAddress" || r.name == "NodeReady" || r.name == "NodeLabels" ||
                   r.name == "Firewall"));
        }
    }
}

TEST_CASE("the HTTP Date header is parsed, and anything else is not") {
    CHECK(parse_http_date("Fri, 04 Dec 2026 12:00:00 GMT") == noon);
    CHECK(parse_http_date(http_date(noon + 3723s)) == noon + 3723s);
    // A peer's Date past the clock's range (year 4032: found by fuzz_metadata_answers in the cloud's twin
    // parser) is no date, not an overflow.
    CHECK_FALSE(parse_http_date("Mon, 19 Sep 4032 08:29:47 GMT"));
    CHECK_FALSE(parse_http_date("Mon, 19 Sep 9999 08:29:47 GMT"));
    CHECK_FALSE(parse_http_date(""));
    CHECK_FALSE(parse_http_date("Fri, 04 Foo 2026 12:00:00 GMT"));
    CHECK_FALSE(parse_http_date("Fri, 31 Feb 2026 12:00:00 GMT"));
    CHECK_FALSE(parse_http_date("Fri, 04 Dec 2026 12:00:00 CET"));
    CHECK_FALSE(parse_http_date("1733313600"));
}

TEST_CASE("ClockSkew: in step, a warning past 30 s, an error past 30 min, the round trip accounted") {
    auto f = healthy_facts();
    CHECK(run_named("ClockSkew", f).status == Status::ok);

    f.managers[1].version.date = http_date(noon + 2h);
    auto r = run_named("ClockSkew", f);
    CHECK(r.status == Status::error);
    CHECK(r.message.find("behind manager 10.0.0.2:2375") != std::string::npos);
    CHECK(r.fix.find("NTP") != std::string::npos);

    f.managers[1].version.date = http_date(noon - 45s);
    r = run_named("ClockSkew", f);
    CHECK(r.status == Status::warning);
    CHECK(r.message.find("ahead") != std::string::npos);

    // A 40 s skew seen through a 30 s round trip cannot be told from 25 s: no more than a warning... and a
    // 20 s difference through a 50 s round trip is within the uncertainty.
    f.managers[1].version.date = http_date(noon + 20s);
    f.managers[1].received = noon + 50s;
    CHECK(run_named("ClockSkew", f).status == Status::ok);

    // Just past the error limit, with a fast answer.
    f.managers[1].received = noon + 10ms;
    f.managers[1].version.date = http_date(noon + 31min);
    CHECK(run_named("ClockSkew", f).status == Status::error);
    f.managers[1].version.date = http_date(noon + 29min);
    CHECK(run_named("ClockSkew", f).status == Status::warning);

    for (auto& m : f.managers) {
        m.version.date.clear();
    }
    r = run_named("ClockSkew", f);
    CHECK(r.status == Status::skipped);
    CHECK(r.message.find("no Date header") != std::string::npos);
}

TEST_CASE("DataPathPort: held by another socket, the swarm's own port, a member, Windows needs 4789") {
    auto f = healthy_facts();
    f.data_path_port_free = false;
    auto r = run_named("DataPathPort", f);
    CHECK(r.status == Status::error);
    CHECK(r.message.find("4789/udp (the default) is held") != std::string::npos);

    f.data_path_port = 7789;
    f.data_path_port_from_swarm = true;
    f.data_path_port_free = true;
    r = run_named("DataPathPort", f);
    CHECK(r.status == Status::ok);
    CHECK(r.message.find("7789/udp (the swarm's DataPathPort)") != std::string::npos);

    f.windows = true;
    CHECK(run_named("DataPathPort", f).status == Status::error);
    f.data_path_port = 4789;
    CHECK(run_named("DataPathPort", f).status == Status::ok);

    f.data_path_port_free = sb::unexpected(std::string("permission denied"));
    CHECK(run_named("DataPathPort", f).status == Status::skipped);

    f.local_info.swarm.local_state = "active";
    f.local_info.swarm.node_id = "self";
    r = run_named("DataPathPort", f);
    CHECK(r.status == Status::skipped);
    CHECK(r.message.find("member") != std::string::npos);
}

TEST_CASE("PathMTU: warned below 1500, skipped where it cannot tell") {
    auto f = healthy_facts();
    f.managers[2].path_mtu = 1400;
    auto r = run_named("PathMTU", f);
    CHECK(r.status == Status::warning);
    CHECK(r.message.find("10.0.0.3 1400") != std::string::npos);
    CHECK(r.fix.find("com.docker.network.driver.mtu") != std::string::npos);

    f.managers[2].path_mtu = 1500;
    CHECK(run_named("PathMTU", f).status == Status::ok);

    for (auto& m : f.managers) {
        m.path_mtu = sb::unexpected(std::string("not measured on this platform"));
    }
    r = run_named("PathMTU", f);
    CHECK(r.status == Status::skipped);
    CHECK(r.message.find("not measured") != std::string::npos);
}

TEST_CASE("SwarmPort and GossipPort: one manager closed warns, all closed is an error") {
    auto f = healthy_facts();
    f.managers[0].swarm_port = false;
    auto r = run_named("SwarmPort", f);
    CHECK(r.status == Status::warning);
    CHECK(r.message.find("10.0.0.1") != std::string::npos);
    for (auto& m : f.managers) {
        m.swarm_port = false;
        m.gossip_port = false;
    }
    CHECK(run_named("SwarmPort", f).status == Status::error);
    CHECK(run_named("GossipPort", f).status == Status::error);
    f.managers.clear();
    CHECK(run_named("SwarmPort", f).status == Status::skipped);
}

TEST_CASE("ManagerAPI and VersionGap") {
    auto f = healthy_facts();
    f.managers[0].api_error = ApiError{0, "connect: Connection refused", ApiErrorKind::unreachable, false};
    CHECK(run_named("ManagerAPI", f).status == Status::warning);
    f.managers[1].swarm_error =
        ApiError{503, "This node is not a swarm manager.", ApiErrorKind::not_manager, false};
    f.managers[2].swarm_error = f.managers[1].swarm_error;
    CHECK(run_named("ManagerAPI", f).status == Status::error);

    f = healthy_facts();
    CHECK(run_named("VersionGap", f).status == Status::ok);
    f.managers[1].version.version = "20.10.24";
    auto r = run_named("VersionGap", f);
    CHECK(r.status == Status::warning);
    CHECK(r.message.find("20.10.24") != std::string::npos);
}

TEST_CASE("EngineVersion: the local engine does not answer, or speaks too old an API") {
    auto f = healthy_facts();
    CHECK(run_named("EngineVersion", f).status == Status::ok);
    f.local_version.api_version = "1.12";
    CHECK(run_named("EngineVersion", f).status == Status::error);
    f.local_error = ApiError{0, "connect: No such file or directory", ApiErrorKind::unreachable, false};
    auto r = run_named("EngineVersion", f);
    CHECK(r.status == Status::error);
    CHECK(r.fix.find("docker service") != std::string::npos);
}

TEST_CASE("Hostname: a down namesake warns; a ready one is an error unless --prune-stale-nodes") {
    auto f = healthy_facts();
    f.managers[0].nodes =
        std::vector<Node>{node("aaa", "manager-1", "ready"), node("old", "WORKER-9", "down")};
    auto r = run_named("Hostname", f);
    CHECK(r.status == Status::warning);
    CHECK(r.fix.find("prune-stale-nodes") != std::string::npos);

    // This machine's own earlier entry (same address: a reimaged VM) is no clone, even while still ready.
    f.managers[0].nodes->push_back(node("before", "worker-9", "ready"));
    r = run_named("Hostname", f);
    CHECK(r.status == Status::warning);
    CHECK(r.message.find("at this node's address") != std::string::npos);

    auto twin = node("twin", "worker-9", "ready");
    twin.addr = "10.0.0.77";
    f.managers[0].nodes->push_back(twin);
    r = run_named("Hostname", f);
    CHECK(r.status == Status::error);
    CHECK(r.message.find("twin") != std::string::npos);
    f.prune_stale_nodes = true;
    CHECK(run_named("Hostname", f).status == Status::warning);

    // This node's own entries (now, and the one a rejoin leaves) are no namesakes.
    f.own_node_ids = {"old", "before", "twin"};
    CHECK(run_named("Hostname", f).status == Status::ok);
}

TEST_CASE("after a join: NodeAddress, NodeReady, NodeLabels") {
    auto f = healthy_facts();
    f.local_info.swarm.local_state = "active";
    f.local_info.swarm.node_id = "self";
    f.labels = {{"zone", "a"}};
    auto me = node("self", "worker-9", "ready");
    me.labels = {{"zone", "a"}};
    f.managers[0].nodes = std::vector<Node>{me};
    CHECK(run_named("NodeAddress", f).status == Status::ok);
    CHECK(run_named("NodeReady", f).status == Status::ok);
    CHECK(run_named("NodeLabels", f).status == Status::ok);

    me.addr = "192.0.2.7";  // what a NAT shows
    me.state = "down";
    me.labels.clear();
    f.managers[0].nodes = std::vector<Node>{me};
    auto r = run_named("NodeAddress", f);
    CHECK(r.status == Status::warning);
    CHECK(r.message.find("NAT") != std::string::npos);
    CHECK(run_named("NodeReady", f).status == Status::error);
    CHECK(run_named("NodeLabels", f).status == Status::warning);

    f.managers[0].nodes = std::vector<Node>{};
    CHECK(run_named("NodeReady", f).status == Status::error);  // removed from the swarm
    for (auto& m : f.managers) {
        m.nodes.reset();
    }
    CHECK(run_named("NodeReady", f).status == Status::skipped);
}

TEST_CASE("Firewall: allowed, closed, and cannot read") {
    auto f = healthy_facts();
    CHECK(run_named("Firewall", f).status == Status::skipped);
    f.firewall = std::vector<FirewallPort>{
        {2377, "tcp", true}, {7946, "tcp", true}, {7946, "udp", true}, {4789, "udp", true}};
    CHECK(run_named("Firewall", f).status == Status::ok);
    (*f.firewall)[0].allowed = false;
    CHECK(run_named("Firewall", f).status == Status::warning);  // 2377 matters on managers only
    (*f.firewall)[3].allowed = false;
    auto r = run_named("Firewall", f);
    CHECK(r.status == Status::error);
    CHECK(r.message.find("4789/udp") != std::string::npos);
}

TEST_CASE("--ignore-preflight-errors turns named errors into warnings; lines in kubeadm's style") {
    auto f = healthy_facts();
    f.managers[0].version.date = http_date(noon + 3h);
    f.data_path_port_free = false;
    auto report = run_checks(f, all_checkers(), {});
    CHECK(report.errors().size() == 2);
    report = run_checks(f, all_checkers(), {"ClockSkew"});
    REQUIRE(report.errors().size() == 1);
    CHECK(report.errors()[0]->name == "DataPathPort");
    CHECK(format_line(*report.errors()[0]).rfind("[ERROR DataPathPort]: 4789/udp", 0) == 0);
    for (const auto& r : report.results) {
        if (r.name == "ClockSkew") {
            CHECK(r.ignored);
            CHECK(format_line(r).rfind("[WARNING ClockSkew]: ", 0) == 0);
        }
    }
    CHECK(run_checks(f, all_checkers(), {"all"}).errors().empty());
    auto j = to_json(run_checks(f, all_checkers(), {}));
    CHECK(j["errors"] == 2);
    CHECK(j["checks"][0]["name"] == "EngineVersion");

    CHECK(canonical_check_name("clockskew") == "ClockSkew");
    CHECK(canonical_check_name("ALL") == "all");
    CHECK(canonical_check_name("Firewall") == "Firewall");  // named on every platform
    CHECK_FALSE(canonical_check_name("NoSuchCheck"));
}

TEST_CASE("the names --ignore-preflight-errors takes are the checkers' own, every platform's, in order") {
    auto checks = all_checkers();
    if (canonical_check_name("Firewall") && checks.back()->name() != "Firewall") {
        checks.push_back(make_firewall_check());  // a Windows check: named on Linux too
    }
    std::string names;
    for (const auto& c : checks) {
        names += (names.empty() ? "" : ", ") + std::string(c->name());
        CHECK(canonical_check_name(c->name()) == std::string(c->name()));
    }
    CHECK(check_names_text() == names);
}

namespace {

// Counts the API requests that reach an engine.
class CountingApi final : public EngineApi {
  public:
    explicit CountingApi(std::unique_ptr<EngineApi> inner) : inner_(std::move(inner)) {}
    std::atomic<int> requests{0};
    std::string address() const override { return inner_->address(); }
    ApiResult<void> ping() override {
        ++requests;
        return inner_->ping();
    }
    ApiResult<VersionInfo> version() override {
        ++requests;
        return inner_->version();
    }
    ApiResult<EngineInfo> info() override {
        ++requests;
        return inner_->info();
    }
    ApiResult<SwarmInfo> swarm() override {
        ++requests;
        return inner_->swarm();
    }
    ApiResult<Node> node(std::string_view id) override {
        ++requests;
        return inner_->node(id);
    }
    ApiResult<std::vector<Node>> nodes() override {
        ++requests;
        return inner_->nodes();
    }
    ApiResult<std::vector<Node>> nodes_named(std::string_view name) override {
        ++requests;
        return inner_->nodes_named(name);
    }
    ApiResult<void> update_node(std::string_view id, std::uint64_t v, const nlohmann::json& s) override {
        ++requests;
        return inner_->update_node(id, v, s);
    }
    ApiResult<void> remove_node(std::string_view id, bool force) override {
        ++requests;
        return inner_->remove_node(id, force);
    }
    ApiResult<std::vector<Task>> tasks(const TaskFilter& filter) override {
        ++requests;
        return inner_->tasks(filter);
    }
    ApiResult<std::vector<Service>> services() override {
        ++requests;
        return inner_->services();
    }
    ApiResult<void> join(const JoinRequest& r) override {
        ++requests;
        return inner_->join(r);
    }
    ApiResult<void> leave(bool force) override {
        ++requests;
        return inner_->leave(force);
    }

  private:
    std::unique_ptr<EngineApi> inner_;
};

Probes fake_probes(SysTime now, std::atomic<int>* tasks = nullptr) {
    Probes p;
    p.now = [now] { return now; };
    p.tcp_open = [](const std::string& host, std::uint16_t port, Duration) -> Probe<bool> {
        return !(host == "10.0.0.2" && port == 2377);
    };
    p.path_mtu = [](const std::string&) -> Probe<int> { return 1500; };
    p.udp_port_free = [](std::uint16_t port) -> Probe<bool> { return port != 4789; };
    p.local_addresses = []() -> Probe<std::vector<std::string>> {
        return std::vector<std::string>{"10.0.0.9"};
    };
    p.host_name = [] { return std::string("worker-9"); };
    if (tasks != nullptr) {
        p.spawn = [tasks](std::function<void()> task) {
            ++*tasks;
            spawn_detached(std::move(task));
        };
    }
    return p;
}

}  // namespace

TEST_CASE("gather: three managers at once, at most three API requests each, the faults named") {
    FakeWorld world;
    FakeEngine& m1 = world.add("10.0.0.1", "manager-1");
    FakeEngine& m2 = world.add("10.0.0.2", "manager-2");
    FakeEngine& m3 = world.add("10.0.0.3", "manager-3");
    FakeEngine& local = world.add("10.0.0.9", "worker-9");
    m1.init_swarm("clusterA");
    m1.add_member(m2, true);
    m1.add_member(m3, true);
    m1.date_header = http_date(noon);
    m2.date_header = http_date(noon);
    m3.date_header = http_date(noon + 1h);  // skewed

    std::vector<std::unique_ptr<CountingApi>> apis;
    GatherInput input;
    input.local = &local;
    for (auto* m : {&m1, &m2, &m3}) {
        auto ep = parse_endpoint("tcp://" + m->address(), false);
        REQUIRE(ep);
        apis.push_back(std::make_unique<CountingApi>(world.connect(*ep)));
        input.managers.push_back({*ep, apis.back().get(), std::nullopt});
    }
    std::atomic<int> tasks{0};
    auto facts = gather(input, fake_probes(noon, &tasks));
    CHECK(tasks >= 12);  // the managers' requests and probes ran concurrently
    for (const auto& api : apis) {
        CHECK(api->requests <= 3);
    }
    auto report = run_checks(facts, all_checkers(), {});
    std::map<std::string, Status> by_name;
    for (const auto& r : report.results) {
        by_name[r.name] = r.status;
    }
    CHECK(by_name["ManagerAPI"] == Status::ok);
    CHECK(by_name["SwarmPort"] == Status::warning);  // 10.0.0.2's 2377 dropped
    CHECK(by_name["ClockSkew"] == Status::error);
    CHECK(by_name["DataPathPort"] == Status::error);  // 4789 held
    CHECK(by_name["Hostname"] == Status::ok);
    CHECK(by_name["PathMTU"] == Status::ok);
    CHECK(by_name["EngineVersion"] == Status::ok);
}

TEST_CASE(
    "the join's preflight: a skewed manager stops it with exit 11 naming ClockSkew; ignored, it joins") {
    auto run = [](std::set<std::string> ignore) {
        FakeWorld world;
        FakeClock clock;
        FakeEngine& m1 = world.add("10.0.0.1", "manager-1");
        FakeEngine& local = world.add("10.0.0.9", "worker-9");
        m1.init_swarm("clusterA");
        m1.date_header = http_date(noon + 2h);
        Config config;
        config.managers = {"10.0.0.1"};
        config.ignore_preflight_errors = std::move(ignore);
        auto services = fake_services(world, clock, local, 42);
        auto probes = fake_probes(noon);
        probes.udp_port_free = [](std::uint16_t) -> Probe<bool> { return true; };
        services.check_probes = std::make_shared<Probes>(probes);
        LogCapture logs;
        try {
            auto r = run_join(config, services);
            return std::make_tuple(ExitCode::ok, local.join_calls, logs.text());
        } catch (const Failure& f) {
            return std::make_tuple(f.code(), local.join_calls, std::string(f.what()) + "\n" + logs.text());
        }
    };
    auto [code, joins, text] = run({});
    CHECK(code == ExitCode::check_failed);
    CHECK(joins == 0);
    CHECK(text.find("ClockSkew") != std::string::npos);
    CHECK(text.find("--ignore-preflight-errors=ClockSkew") != std::string::npos);

    std::tie(code, joins, text) = run({"ClockSkew"});
    CHECK(code == ExitCode::ok);
    CHECK(joins == 1);
    CHECK(text.find("[WARNING ClockSkew]") != std::string::npos);
}

// A worker joining a one-manager swarm whose preflight checks run on a thread of their own, as in production,
// with a probe that hangs until the test ends (local_addresses: the first probe, so the hung thread touches
// no fake engine meanwhile). Real threads and clock: the fake clock would race them.
struct HangingPreflight {
    FakeWorld world;
    SystemClock clock;
    FakeEngine& m1 = world.add("10.0.0.1", "manager-1");
    FakeEngine& local = world.add("10.0.0.9", "worker-9");
    Config config;
    Services services = fake_services(world, clock, local, 42);
    std::promise<void> release;
    std::vector<std::thread> threads;

    HangingPreflight() {
        m1.init_swarm("clusterA");
        m1.date_header = http_date(noon);
        config.managers = {"10.0.0.1"};
        auto probes = fake_probes(noon);
        probes.local_addresses = [r = release.get_future().share()]() -> Probe<std::vector<std::string>> {
            r.wait();
            return sb::unexpected(std::string("released"));
        };
        services.check_probes = std::make_shared<Probes>(probes);
        services.spawn = [this](std::function<void()> task) { threads.emplace_back(std::move(task)); };
    }
    HangingPreflight(const HangingPreflight&) = delete;
    HangingPreflight& operator=(const HangingPreflight&) = delete;
    ~HangingPreflight() {
        release.set_value();
        for (auto& t : threads) {
            t.join();
        }
    }
};

TEST_CASE("the join's preflight: a probe that never returns does not hold up a stop") {
    HangingPreflight w;
    std::stop_source stop;
    w.services.stop = stop.get_token();
    std::thread stopper([&] {
        std::this_thread::sleep_for(50ms);
        stop.request_stop();
    });
    auto started = std::chrono::steady_clock::now();
    CHECK_THROWS_AS(run_join(w.config, w.services), Stopped);
    auto took = std::chrono::steady_clock::now() - started;
    stopper.join();
    CHECK(took < 2s);
    CHECK(w.local.join_calls == 0);
}

TEST_CASE("the join's preflight: a probe that never returns delays the join by the checks' patience only") {
    HangingPreflight w;
    w.services.check_patience = 100ms;
    LogCapture logs;
    run_join(w.config, w.services);
    CHECK(w.local.join_calls == 1);
    CHECK(logs.text().find("the checks did not finish within 100ms") != std::string::npos);
}
