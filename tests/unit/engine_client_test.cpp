// EngineClient over a real TCP connection to an in-process server: negotiation, error bodies, timeouts.

#include "common/engine_client.hpp"

#include "sb_doctest.hpp"

#include <chrono>

#include "common/version.hpp"

#include "fakes/http_test_server.hpp"

using namespace sb;
using namespace sb::test;
using namespace std::chrono_literals;

namespace {

TestResponse engine(const HttpTestServer::Request& req) {
    std::string t(req.target());
    if (t != "/_ping" && t != "/version" && t.rfind("/v1.", 0) != 0) {
        t = "/v1.41" + t;  // unprefixed: the engine serves it at its own version
    }
    if (t == "/version") {
        return {
            200,
            R"({"Version":"20.10.24+dfsg1","ApiVersion":"1.41","MinAPIVersion":"1.12","Os":"linux","Arch":"amd64"})"};
    }
    if (t == "/_ping") {
        return {200, "OK", "text/plain"};
    }
    if (t == "/v1.41/swarm") {
        return {
            503,
            R"({"message":"This node is not a swarm manager. Manager is being prepared or has trouble connecting to the cluster."})"};
    }
    if (t == "/v1.41/nodes/abc") {
        return {404, R"({"message":"node abc not found"})"};
    }
    if (t == "/v1.41/nodes/x%2F..%2Fswarm") {
        return {404, R"({"message":"node x/../swarm not found"})"};
    }
    if (t == "/v1.41/info") {
        return {
            200,
            std::string(
                R"({"OSType":"linux","Name":"n1","Swarm":{"LocalNodeState":"active","NodeID":"n1id",)") +
                R"("ControlAvailable":true,"Cluster":{"ID":"c1"},"RemoteManagers":[{"NodeID":"n1id","Addr":"10.0.0.1:2377"}]}})"};
    }
    if (t == "/v1.41/swarm/join") {
        return {500, R"({"message":"invalid join token"})"};
    }
    if (t.rfind("/v1.41/tasks?filters=", 0) == 0) {
        return {200, R"([{"ID":"t1","ServiceID":"s1","NodeID":"n1","Slot":2,"DesiredState":"running",
                         "Status":{"State":"running"}},
                        {"ID":"t2","ServiceID":"s1","NodeID":"","DesiredState":"shutdown","Status":{"State":"pending"}}])"};
    }
    if (t == "/v1.41/services") {
        return {200, R"([{"ID":"s1","Spec":{"Name":"web","Mode":{"Replicated":{"Replicas":4}}}},
                        {"ID":"s2","Spec":{"Name":"agent","Mode":{"Global":{}}}},
                        {"ID":"s3","Spec":{"Name":"job","Mode":{"ReplicatedJob":{"MaxConcurrent":1}}}}])"};
    }
    if (t == "/v1.41/nodes") {
        return {400, "client version 1.11 is too old. Minimum supported API version is 1.12\n", "text/plain"};
    }
    return {404, R"({"message":"page not found"})"};
}

EngineClient client_for(const HttpTestServer& server, ClientTimeouts timeouts = {}) {
    Endpoint ep;
    ep.host = "127.0.0.1";
    ep.port = server.port();
    return EngineClient(make_tcp_transport(ep, {}), timeouts);
}

}  // namespace

TEST_CASE("the API version is negotiated once and prefixes every path") {
    HttpTestServer server(engine);
    auto client = client_for(server);
    REQUIRE(client.ping());
    auto info = client.info();
    REQUIRE(info);
    CHECK(info->swarm.cluster_id == "c1");
    CHECK(info->swarm.remote_managers.at(0).addr == "10.0.0.1:2377");
    CHECK(client.negotiated_version() == "1.41");
    REQUIRE(client.info());
    auto targets = server.targets();
    // The version came with /_ping's Api-Version header: no GET /version.
    CHECK(targets == std::vector<std::string>{"/_ping", "/v1.41/info", "/v1.41/info"});
}

TEST_CASE(
    "without a ping, the first GET goes unprefixed and its answer names the version: no extra request") {
    HttpTestServer server(engine);
    auto client = client_for(server);
    auto swarm = client.swarm();  // a 503 names the version too
    REQUIRE_FALSE(swarm);
    CHECK(swarm.error().kind == ApiErrorKind::not_manager);
    CHECK(client.negotiated_version() == "1.41");
    REQUIRE(client.info());
    CHECK(server.targets() == std::vector<std::string>{"/swarm", "/v1.41/info"});
}

TEST_CASE("a POST before the version is known negotiates it with GET /_ping first") {
    HttpTestServer server(engine);
    auto client = client_for(server);
    JoinRequest req;
    req.remote_addr = "10.0.0.1:2377";
    req.token = Secret("garbage");
    CHECK_FALSE(client.join(req));
    CHECK(server.targets() == std::vector<std::string>{"/_ping", "/v1.41/swarm/join"});
}

TEST_CASE("choose_api_version caps at ours and refuses engines that are too old") {
    CHECK(choose_api_version("1.41") == "1.41");
    CHECK(choose_api_version("1.47") == api_version_max);
    CHECK(choose_api_version("1.9").empty());
    CHECK(choose_api_version("").empty());
    CHECK(compare_api_versions("1.9", "1.24") < 0);
    CHECK(compare_api_versions("1.41", "1.41") == 0);
}

TEST_CASE("errors carry the status, the engine's message and their meaning") {
    HttpTestServer server(engine);
    auto client = client_for(server);
    auto swarm = client.swarm();
    REQUIRE_FALSE(swarm);
    CHECK(swarm.error().status == 503);
    CHECK(swarm.error().kind == ApiErrorKind::not_manager);
    CHECK(swarm.error().message.find("Manager is being prepared") != std::string::npos);

    auto node = client.node("abc");
    REQUIRE_FALSE(node);
    CHECK(node.error().kind == ApiErrorKind::not_found);

    // An id cannot escape its path segment.
    auto escaped = client.node("x/../swarm");
    REQUIRE_FALSE(escaped);
    CHECK_MESSAGE(escaped.error().kind == ApiErrorKind::not_found, escaped.error().message);

    JoinRequest req;
    req.remote_addr = "10.0.0.1:2377";
    req.token = Secret("garbage");
    auto join = client.join(req);
    REQUIRE_FALSE(join);
    CHECK(join.error().kind == ApiErrorKind::invalid_token);

    // text/plain error bodies (too old a client version) are read too.
    auto nodes = client.nodes();
    REQUIRE_FALSE(nodes);
    CHECK(nodes.error().kind == ApiErrorKind::api_version);
    CHECK(nodes.error().message == "client version 1.11 is too old. Minimum supported API version is 1.12");
}

TEST_CASE("an engine that accepts and never answers times out") {
    HttpTestServer server([](const HttpTestServer::Request& req) {
        if (std::string(req.target()) == "/_ping") {
            return TestResponse{200, "", "", true};
        }
        return engine(req);
    });
    ClientTimeouts t;
    t.request = 300ms;
    auto client = client_for(server, t);
    auto start = std::chrono::steady_clock::now();
    auto ping = client.ping();
    auto took = std::chrono::steady_clock::now() - start;
    REQUIRE_FALSE(ping);
    CHECK(ping.error().timed_out);
    CHECK(ping.error().kind == ApiErrorKind::unreachable);
    CHECK(took >= 300ms);
    CHECK(took < 5s);
}

TEST_CASE("a refused connection is 'unreachable', not an HTTP error") {
    std::uint16_t port = 0;
    {
        HttpTestServer server(engine);
        port = server.port();
    }
    Endpoint ep;
    ep.host = "127.0.0.1";
    ep.port = port;
    EngineClient client(make_tcp_transport(ep, {}));
    auto ping = client.ping();
    REQUIRE_FALSE(ping);
    CHECK(ping.error().status == 0);
    CHECK(ping.error().kind == ApiErrorKind::unreachable);
    CHECK(probe_tcp("127.0.0.1", port, 1s).has_value() == false);
}

TEST_CASE("responses larger than the cap are refused") {
    HttpTestServer server([](const HttpTestServer::Request&) {
        return TestResponse{200, std::string(4096, 'x'), "text/plain"};
    });
    Endpoint ep;
    ep.host = "127.0.0.1";
    ep.port = server.port();
    TransportLimits limits;
    limits.max_response_bytes = 1024;
    EngineClient client(make_tcp_transport(ep, limits));
    auto ping = client.ping();
    REQUIRE_FALSE(ping);
    CHECK(ping.error().kind == ApiErrorKind::unreachable);
    CHECK(ping.error().message.find("read") != std::string::npos);
}

TEST_CASE("status and message together decide the meaning") {
    CHECK(classify(503,
                   "This node is already part of a swarm. Use \"docker swarm leave\" to leave this swarm and "
                   "join another one.") == ApiErrorKind::already_in_swarm);
    CHECK(classify(503,
                   "rpc error: code = Unavailable desc = connection error: desc = \"transport: Error while "
                   "dialing dial tcp 10.213.0.2:2377: connect: connection refused\"") ==
          ApiErrorKind::manager_unreachable);
    CHECK(classify(503,
                   "Timeout was reached before node joined. The attempt to join the swarm will continue in "
                   "the background.") == ApiErrorKind::join_in_background);
    CHECK(classify(500, "remote CA does not match fingerprint. Expected: abc") == ApiErrorKind::ca_mismatch);
    CHECK(classify(500, "invalid checksum digest length") == ApiErrorKind::invalid_token);
    CHECK(classify(400,
                   "rpc error: code = InvalidArgument desc = A valid join token is necessary to join this "
                   "cluster") == ApiErrorKind::invalid_token);
    CHECK(classify(500,
                   "rpc error: code = Unknown desc = The swarm does not have a leader. It's possible that "
                   "too few managers are online.") == ApiErrorKind::no_leader);
    CHECK(classify(500, "raft: failed to process the request: node lost leader status") ==
          ApiErrorKind::no_leader);
    CHECK(classify(500, "rpc error: code = Unknown desc = update out of sequence") ==
          ApiErrorKind::out_of_sequence);
    CHECK(classify(503, "This node is not part of a swarm") == ApiErrorKind::not_in_swarm);
    CHECK(classify(503,
                   "You are attempting to leave the swarm on a node that is participating as a manager. "
                   "Removing the last manager erases all current state of the swarm.") ==
          ApiErrorKind::manager_must_force);
    CHECK(classify(404, "page not found") == ApiErrorKind::bad_request);
    CHECK(classify(400,
                   "rpc error: code = FailedPrecondition desc = node x is not down and can't be removed") ==
          ApiErrorKind::not_down);
    CHECK(classify(403, "authorization denied by plugin") == ApiErrorKind::unauthorized);
}

TEST_CASE("JSON of the wrong types from a peer reads as absent, never throws") {
    auto info =
        nlohmann::json::parse(R"({"ID": 7, "Swarm": {"ControlAvailable": "true", "LocalNodeState": true,
        "NodeID": {}, "Error": 0, "Cluster": "x", "RemoteManagers": [{"NodeID": 1, "Addr": 2377}, "a", null]}})");
    sb::EngineInfo parsed;
    CHECK_NOTHROW(parsed = sb::parse_info(info));
    CHECK_FALSE(parsed.swarm.control_available);
    CHECK(parsed.swarm.local_state.empty());
    CHECK(parsed.id.empty());
    auto node = nlohmann::json::parse(R"({"Version": {"Index": "eleven"}, "ManagerStatus": {"Leader": "yes"},
        "Spec": {"Labels": {"a": 1, "b": "x"}}})");
    sb::Node n;
    CHECK_NOTHROW(n = sb::parse_node(node));
    CHECK(n.version == 0);
    CHECK_FALSE(n.leader);
    CHECK(n.labels.size() == 1);
    auto swarm = nlohmann::json::parse(R"({"ID": [], "JoinTokens": {"Worker": 1, "Manager": {}}})");
    CHECK(sb::parse_swarm(swarm).worker_token.empty());
}

TEST_CASE("GET /tasks sends its filters as encoded JSON; tasks and services are decoded") {
    HttpTestServer server(engine);
    auto client = client_for(server);
    REQUIRE(client.ping());
    auto tasks = client.tasks(TaskFilter{{"n1"}, {"s1", "s 2"}, "running"});
    REQUIRE(tasks);
    REQUIRE(tasks->size() == 2);
    CHECK(tasks->at(0).node_id == "n1");
    CHECK(tasks->at(0).state == "running");
    CHECK(tasks->at(0).slot == 2);
    CHECK_FALSE(tasks->at(0).terminal());
    CHECK(tasks->at(1).desired_state == "shutdown");
    CHECK(server.targets().back() ==
          "/v1.41/"
          "tasks?filters=%7B%22desired-state%22%3A%5B%22running%22%5D%2C%22node%22%3A%5B%22n1%22%5D%2C%22"
          "service%22%3A%5B%22s1%22%2C%22s%202%22%5D%7D");
    auto services = client.services();
    REQUIRE(services);
    REQUIRE(services->size() == 3);
    CHECK(services->at(0).mode == ServiceMode::replicated);
    CHECK(services->at(0).replicas == 4);
    CHECK(services->at(0).name == "web");
    CHECK(services->at(1).mode == ServiceMode::global);
    CHECK(services->at(2).mode == ServiceMode::other);
}

TEST_CASE("tasks and services of the wrong types read as absent, never throw") {
    auto task = nlohmann::json::parse(R"({"ID": 1, "Status": "running", "Slot": -3, "NodeID": []})");
    sb::Task t;
    CHECK_NOTHROW(t = sb::parse_task(task));
    CHECK(t.state.empty());
    CHECK(t.slot == 0);
    CHECK_FALSE(t.terminal());
    auto svc = nlohmann::json::parse(R"({"Spec": {"Name": 5, "Mode": {"Replicated": {"Replicas": "4"}}}})");
    sb::Service s;
    CHECK_NOTHROW(s = sb::parse_service(svc));
    CHECK(s.mode == sb::ServiceMode::replicated);
    CHECK(s.replicas == 0);
    CHECK(sb::parse_service(nlohmann::json::parse(R"({"Spec": []})")).mode == sb::ServiceMode::other);
    for (const char* state : {"complete", "shutdown", "failed", "rejected", "orphaned", "remove"}) {
        CAPTURE(state);
        sb::Task done;
        done.state = state;
        CHECK(done.terminal());
    }
}
