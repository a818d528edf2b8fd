// The named-pipe transport against a pipe server in the same process: answers, timeouts, busy and missing
// pipes.

#include "tests/windows/pipe_test_server.hpp"

#include "sb_doctest.hpp"

#include <chrono>

#include "common/endpoint.hpp"
#include "common/engine_client.hpp"
#include "common/error.hpp"
#include "common/transport.hpp"
#include "fakes/stop_timing.hpp"

using namespace sb;
using test::PipeTestServer;
using test::TestResponse;
using Clock = std::chrono::steady_clock;

namespace {

Endpoint pipe_endpoint(const std::string& url) {
    auto ep = parse_endpoint(url);
    REQUIRE(ep);
    REQUIRE(ep->kind == Endpoint::Kind::named_pipe);
    return *ep;
}

long long ms_since(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

}  // namespace

TEST_CASE("npipe: the URL names the pipe the transport opens") {
    PipeTestServer server([](const test::PipeRequest&) { return TestResponse{200, "OK", "text/plain"}; });
    auto ep = pipe_endpoint(server.url());
    CHECK(ep.path == server.path());
    CHECK(ep.url() == server.url());
}

TEST_CASE("npipe: a GET gets the engine's answer, status, content type and Api-Version") {
    PipeTestServer server([](const test::PipeRequest& r) {
        if (r.target == "/_ping") {
            return TestResponse{200, "OK", "text/plain"};
        }
        return TestResponse{404, R"({"message":"page not found"})"};
    });
    auto transport = make_transport(pipe_endpoint(server.url()), TlsOptions{});
    auto res = transport->round_trip({boost::beast::http::verb::get, "/_ping", "", {}}, Duration(5000), {});
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->body == "OK");
    CHECK(res->content_type == "text/plain");
    CHECK(res->api_version == "1.41");
    auto missing =
        transport->round_trip({boost::beast::http::verb::get, "/nothing", "", {}}, Duration(5000), {});
    REQUIRE_MESSAGE(missing, missing.error().message);
    CHECK(missing->status == 404);
    CHECK(server.targets() == std::vector<std::string>{"/_ping", "/nothing"});
}

TEST_CASE("npipe: a POST body arrives whole") {
    std::string seen;
    PipeTestServer server([&](const test::PipeRequest& r) {
        seen = r.method + " " + r.body;
        return TestResponse{200, "{}"};
    });
    auto transport = make_transport(pipe_endpoint(server.url()), TlsOptions{});
    std::string body = R"({"ListenAddr":"0.0.0.0:2377","RemoteAddrs":["10.0.0.1:2377"],"Pad":")" +
                       std::string(100000, 'x') + "\"}";
    auto res = transport->round_trip({boost::beast::http::verb::post, "/v1.41/swarm/join", body, {}},
                                     Duration(5000), {});
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(seen == "POST " + body);
}

TEST_CASE("npipe: an engine that accepts and never answers costs the request timeout, no more") {
    PipeTestServer server([](const test::PipeRequest&) { return TestResponse{.body = {}, .hang = true}; });
    auto transport = make_transport(pipe_endpoint(server.url()), TlsOptions{});
    auto start = Clock::now();
    auto res = transport->round_trip({boost::beast::http::verb::get, "/_ping", "", {}}, Duration(400), {});
    auto took = ms_since(start);
    REQUIRE_FALSE(res);
    CHECK(res.error().timed_out);
    CHECK_FALSE(res.error().tls);
    CHECK(res.error().message.find("no answer within") != std::string::npos);
    CHECK(took >= 350);
    CHECK(took < 3000);
    MESSAGE("timed out after " << took << " ms (timeout 400 ms)");
}

TEST_CASE("npipe: a pipe whose every instance is busy waits, bounded by the timeout") {
    // One instance, held by a client the server never answers: the next client finds the pipe busy.
    PipeTestServer server([](const test::PipeRequest&) { return TestResponse{.body = {}, .hang = true}; }, 1);
    auto transport = make_transport(pipe_endpoint(server.url()), TlsOptions{});
    auto first = transport->round_trip({boost::beast::http::verb::get, "/_ping", "", {}}, Duration(300), {});
    REQUIRE_FALSE(first);
    auto start = Clock::now();
    auto res = transport->round_trip({boost::beast::http::verb::get, "/_ping", "", {}}, Duration(500), {});
    auto took = ms_since(start);
    REQUIRE_FALSE(res);
    CHECK(res.error().timed_out);
    CHECK(took < 3000);
    MESSAGE("busy pipe: " << res.error().message << " after " << took << " ms");
}

TEST_CASE("npipe: a missing pipe fails at once, as 'not yet' rather than a timeout") {
    auto ep = pipe_endpoint("npipe:////./pipe/sb-test-nobody-listens-here");
    auto transport = make_transport(ep, TlsOptions{});
    auto start = Clock::now();
    auto res = transport->round_trip({boost::beast::http::verb::get, "/_ping", "", {}}, Duration(5000), {});
    auto took = ms_since(start);
    REQUIRE_FALSE(res);
    CHECK_FALSE(res.error().timed_out);
    CHECK_FALSE(res.error().tls);
    CHECK(res.error().ec.value() == ERROR_FILE_NOT_FOUND);
    CHECK(res.error().message.find("connect \\\\.\\pipe\\sb-test-nobody-listens-here") == 0);
    CHECK(took < 1000);
}

TEST_CASE("npipe: the Engine API client speaks through the pipe") {
    const std::string info_json = R"json({
        "OSType": "windows", "Name": "win-1", "Architecture": "x86_64",
        "KernelVersion": "10.0 17763 (17763.1.amd64fre.rs5_release.180914-1434)",
        "Swarm": {"NodeID": "", "LocalNodeState": "inactive", "ControlAvailable": false,
                  "RemoteManagers": null}})json";
    const std::string version_json =
        R"({"Version":"20.10.9","ApiVersion":"1.41","MinAPIVersion":"1.24","Os":"windows","Arch":"amd64"})";
    PipeTestServer server([&](const test::PipeRequest& r) {
        if (r.target.ends_with("/_ping")) {
            return TestResponse{200, "OK", "text/plain"};
        }
        if (r.target.ends_with("/version")) {
            return TestResponse{200, version_json};
        }
        return TestResponse{200, info_json};
    });
    EngineClient client(make_transport(pipe_endpoint(server.url()), TlsOptions{}));
    auto info = client.info();
    REQUIRE_MESSAGE(info, info.error().message);
    CHECK(info->os_type == "windows");
    CHECK(info->name == "win-1");
    CHECK(info->swarm.inactive());
    // As over TCP: /_ping's Api-Version header names the version before the first versioned call.
    CHECK(client.negotiated_version() == "1.41");
    REQUIRE(client.info());
    CHECK(server.targets() == std::vector<std::string>{"/_ping", "/v1.41/info", "/v1.41/info"});
}

TEST_CASE("unix sockets are refused on Windows with a usage error that names the alternative") {
    auto ep = parse_endpoint("unix:///var/run/docker.sock");
    REQUIRE(ep);
    try {
        make_transport(*ep, TlsOptions{});
        FAIL("expected a Failure");
    } catch (const Failure& f) {
        CHECK(f.code() == ExitCode::usage);
        CHECK(std::string(f.what()).find("npipe:////./pipe/docker_engine") != std::string::npos);
    }
}

TEST_CASE("npipe: a stop cuts short an exchange the engine accepted and never answers") {
    PipeTestServer server([](const test::PipeRequest&) { return TestResponse{.body = {}, .hang = true}; });
    auto transport = make_transport(pipe_endpoint(server.url()), TlsOptions{});
    test::check_stopped(
        test::exchange_stopped_midway(*transport, {boost::beast::http::verb::get, "/_ping", "", {}}), "read");
}

TEST_CASE("npipe: a stop cuts short the wait for a busy pipe") {
    PipeTestServer server([](const test::PipeRequest&) { return TestResponse{.body = {}, .hang = true}; }, 1);
    auto transport = make_transport(pipe_endpoint(server.url()), TlsOptions{});
    REQUIRE_FALSE(
        transport->round_trip({boost::beast::http::verb::get, "/_ping", "", {}}, Duration(300), {}));
    test::check_stopped(
        test::exchange_stopped_midway(*transport, {boost::beast::http::verb::get, "/_ping", "", {}}),
        "connect");
}
