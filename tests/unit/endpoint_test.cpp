#include "common/endpoint.hpp"

#include "sb_doctest.hpp"

using namespace sb;

TEST_CASE("engine URLs parse into endpoints") {
    auto u = parse_endpoint("unix:///var/run/docker.sock");
    REQUIRE(u);
    CHECK(u->kind == Endpoint::Kind::unix_socket);
    CHECK(u->path == "/var/run/docker.sock");
    CHECK(u->url() == "unix:///var/run/docker.sock");

    auto p = parse_endpoint("npipe:////./pipe/docker_engine");
    REQUIRE(p);
    CHECK(p->kind == Endpoint::Kind::named_pipe);
    CHECK(p->path == "\\\\.\\pipe\\docker_engine");
    CHECK(p->url() == "npipe:////./pipe/docker_engine");

    auto t = parse_endpoint("tcp://10.0.0.5");
    REQUIRE(t);
    CHECK(t->port == 2375);
    CHECK_FALSE(t->tls);
    CHECK(parse_endpoint("tcp://10.0.0.5", true)->port == 2376);
    CHECK(parse_endpoint("https://m1.example:3000")->tls);
    CHECK(parse_endpoint("https://m1.example:3000")->port == 3000);
    auto v6 = parse_endpoint("tcp://[fd00::5]:2375");
    REQUIRE(v6);
    CHECK(v6->host == "fd00::5");
    CHECK(v6->authority() == "[fd00::5]:2375");
}

TEST_CASE("bad engine URLs say what is wrong") {
    for (const char* bad :
         {"/var/run/docker.sock", "unix://relative", "npipe://docker", "ftp://x", "tcp://:2375", "tcp://h:0",
          "tcp://h:99999", "tcp://h:12ab", "tcp://fd00::5", "tcp://h:1/path"}) {
        CAPTURE(bad);
        auto r = parse_endpoint(bad);
        REQUIRE_FALSE(r);
        CHECK_FALSE(r.error().empty());
    }
}
