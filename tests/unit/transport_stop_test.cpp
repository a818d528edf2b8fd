// A stop cuts a hanging exchange short on every transport, whatever step it waits in: the agent must end
// within a second of `systemctl stop`, and a request to an engine that accepts and never answers lasts 10 s.

#include "sb_doctest.hpp"

#include <chrono>
#include <stop_token>
#include <thread>

#include "common/engine_client.hpp"
#include "common/transport.hpp"

#include "fakes/http_test_server.hpp"
#include "fakes/stop_timing.hpp"

using namespace sb;
using namespace sb::test;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

namespace {

HttpRequest get(const std::string& target) {
    return {boost::beast::http::verb::get, target, "", {}};
}

}  // namespace

TEST_CASE("stop: a TCP exchange waiting for an answer that never comes ends at once") {
    HttpTestServer server(
        [](const HttpTestServer::Request&) { return TestResponse{.body = {}, .hang = true}; });
    Endpoint ep;
    ep.host = "127.0.0.1";
    ep.port = server.port();
    auto transport = make_tcp_transport(ep, {});
    auto t = exchange_stopped_midway(*transport, get("/_ping"));
    check_stopped(t, "read");
    CHECK(server.targets() == std::vector<std::string>{"/_ping"});
}

TEST_CASE("stop: a TCP exchange with an engine that accepts and reads nothing ends at once") {
    SilentTcpListener listener;
    auto transport = make_tcp_transport(listener.endpoint(), {});
    check_stopped(exchange_stopped_midway(*transport, get("/_ping")), "read");
}

TEST_CASE("stop: an exchange asked for after the stop connects to nothing") {
    HttpTestServer server([](const HttpTestServer::Request&) {
        return TestResponse{200, "OK", "text/plain"};
    });
    Endpoint ep;
    ep.host = "127.0.0.1";
    ep.port = server.port();
    auto transport = make_tcp_transport(ep, {});
    std::stop_source stop;
    stop.request_stop();
    auto start = SteadyClock::now();
    auto res = transport->round_trip(get("/_ping"), stop_test_timeout, stop.get_token());
    REQUIRE_FALSE(res);
    CHECK(res.error().stopped);
    CHECK(SteadyClock::now() - start < 50ms);
    CHECK(server.targets().empty());
}

TEST_CASE("stop: an exchange that completes is not disturbed by a stop source nobody uses") {
    HttpTestServer server([](const HttpTestServer::Request&) {
        return TestResponse{200, "OK", "text/plain"};
    });
    Endpoint ep;
    ep.host = "127.0.0.1";
    ep.port = server.port();
    auto transport = make_tcp_transport(ep, {});
    std::stop_source stop;
    auto res = transport->round_trip(get("/_ping"), stop_test_timeout, stop.get_token());
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->body == "OK");
}

TEST_CASE("stop: EngineClient's calls end at once with a stopped error, not an unreachable engine") {
    HttpTestServer server(
        [](const HttpTestServer::Request&) { return TestResponse{.body = {}, .hang = true}; });
    Endpoint ep;
    ep.host = "127.0.0.1";
    ep.port = server.port();
    std::stop_source stop;
    EngineClient client(make_tcp_transport(ep, {}), ClientTimeouts{}, stop.get_token());
    std::thread stopper([&] {
        std::this_thread::sleep_for(stop_after);
        stop.request_stop();
    });
    auto start = SteadyClock::now();
    auto info = client.info();
    auto took = SteadyClock::now() - start;
    stopper.join();
    REQUIRE_FALSE(info);
    CHECK(info.error().stopped);
    CHECK(took < stop_after + 250ms);
    MESSAGE("info() ended after " << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                                  << " ms (stop at 100 ms): " << info.error().describe());
}

TEST_CASE("stop: a swarm-port probe asked for after the stop connects to nothing") {
    SilentTcpListener listener;
    std::stop_source stop;
    stop.request_stop();
    auto res = probe_tcp("127.0.0.1", listener.endpoint().port, stop_test_timeout, stop.get_token());
    REQUIRE_FALSE(res);
    CHECK(res.error().stopped);
    CHECK(probe_tcp("127.0.0.1", listener.endpoint().port, stop_test_timeout));
}
