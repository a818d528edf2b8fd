// The node's own swarm addresses and the hosts behind every address: what docker would reject at join time
// is rejected before anything waits.

#include "agent/config/swarm_address.hpp"

#include "sb_doctest.hpp"

#include "common/host_name.hpp"

using namespace sb;

TEST_CASE("hosts: IP literals and DNS names, and mistyped IPv4 addresses are no names") {
    CHECK_FALSE(host_problem("10.0.0.5"));
    CHECK_FALSE(host_problem("fd00::5"));
    CHECK_FALSE(host_problem("manager-1.example.com"));
    CHECK_FALSE(host_problem("manager-1.example.com."));
    CHECK_FALSE(host_problem("localhost"));
    for (const char* bad :
         {"10.0.0.256", "300.1.1.1", "10.0.0", "1.2.3.4.5", "10.0.0.5.", "999", "a.b.123", "010.0.0.1"}) {
        CAPTURE(bad);
        auto p = host_problem(bad);
        REQUIRE(p);
        CHECK(p->find("not a valid IPv4 address") != std::string::npos);
    }
    CHECK(host_problem("fd00::zz")->find("not a valid IPv6 address") != std::string::npos);
    for (const char* bad :
         {"", "-m1", "m1-", "m..example", "under_score", "sp ace", "a/b", "x.example.com\n"}) {
        CAPTURE(bad);
        CHECK(host_problem(bad));
    }
    CHECK(host_problem(std::string(64, 'a') + ".example"));
    CHECK_FALSE(host_problem(std::string(63, 'a') + ".example"));
    CHECK(host_problem(std::string(254, 'a')));
}

TEST_CASE("IP literals are parsed the same on every platform, as Linux's inet_pton does") {
    // Windows' parser (WSAStringToAddress, behind asio's make_address there) takes all of these.
    for (const char* bad : {"10.0.0", "10.1", "010.0.0.1", "10.0.0.05", "0x0a.0.0.1", "10.0.0.5:4789",
                            "10.0.0.5 ", " 10.0.0.5", "10.0.0.256", "1.2.3.4.5", "1..2.3", "", "[fd00::5]",
                            "[fd00::5]:4789", "fd00::zz", "::ffff:010.0.0.5", "::ffff:10.0.0", "fd00::5 "}) {
        CAPTURE(bad);
        CHECK_FALSE(is_ip_literal(bad));
    }
    CHECK(is_ipv4_dotted_quad("0.0.0.0"));
    CHECK(is_ipv4_dotted_quad("255.255.255.255"));
    CHECK_FALSE(is_ipv4_dotted_quad("fd00::5"));
    for (const char* ok : {"10.0.0.5", "0.0.0.0", "255.255.255.255", "fd00::5", "::", "::1",
                           "FD00:0:0:0:0:0:0:5", "::ffff:10.0.0.5", "2001:db8::10.0.0.5"}) {
        CAPTURE(ok);
        CHECK(is_ip_literal(ok));
    }
    CHECK(parse_ip_literal("10.0.0.5")->to_string() == "10.0.0.5");
    CHECK(parse_ip_literal("fd00:0::5")->to_string() == "fd00::5");
}

TEST_CASE("listen address: HOST:PORT, HOST or :PORT, filled in as the docker CLI does") {
    CHECK(*normalize_listen_addr("0.0.0.0:2377") == "0.0.0.0:2377");
    CHECK(*normalize_listen_addr("10.0.0.5") == "10.0.0.5:2377");
    CHECK(*normalize_listen_addr(":4567") == "0.0.0.0:4567");
    CHECK(*normalize_listen_addr("eth0") == "eth0:2377");
    CHECK(*normalize_listen_addr("eth0:4567") == "eth0:4567");
    CHECK(*normalize_listen_addr("[fd00::5]:4567") == "[fd00::5]:4567");
    CHECK(*normalize_listen_addr("[::]") == "[::]:2377");
    CHECK(*normalize_listen_addr("fd00::5") == "[fd00::5]:2377");
    struct Bad {
        const char* text;
        const char* says;
    };
    for (const Bad& bad :
         {Bad{"10.0.0.256:2377", "not a valid IPv4 address"}, Bad{"10.0.0.5:0", "not a port"},
          Bad{"10.0.0.5:65536", "not a port"}, Bad{"10.0.0.5:http", "not a port"},
          Bad{"10.0.0.5:", "port after ':' is empty"}, Bad{"[fd00::5", "no closing ']'"},
          Bad{"[fd00::5]2377", "after the IPv6 address"},
          Bad{"[10.0.0.5.6]:2377", "not a valid IPv6 address"}, Bad{"fd00::zz", "not a valid IPv6 address"},
          Bad{"eth/0", "neither an IP address nor a network interface"},
          Bad{"10.0.0.5:2377:1", "not a valid IPv6 address"}, Bad{"", "empty"}}) {
        CAPTURE(bad.text);  // a named case, not a structured binding: Clang 14 cannot capture those
        auto r = normalize_listen_addr(bad.text);
        REQUIRE_FALSE(r);
        CHECK(r.error().find(bad.says) != std::string::npos);
    }
}

TEST_CASE("advertise address: a non-zero IP or an interface, with an optional port") {
    for (const char* ok :
         {"10.0.0.5", "10.0.0.5:2377", "eth0", "eth0:4567", "[fd00::5]:2377", "fd00::5", "vEthernet (nat)"}) {
        CAPTURE(ok);
        CHECK(check_advertise_addr(ok));
    }
    for (const char* bad :
         {"0.0.0.0", "[::]:2377", "10.0.0.256", "10.0.0.5:99999", ":2377", "", "[fd00::5"}) {
        CAPTURE(bad);
        CHECK_FALSE(check_advertise_addr(bad));
    }
    CHECK(check_advertise_addr("0.0.0.0").error().find("unspecified") != std::string::npos);
}

TEST_CASE("data path address: a non-zero IP or an interface, without a port") {
    for (const char* ok : {"10.0.0.5", "fd00::5", "eth0", "ens3.100"}) {
        CAPTURE(ok);
        CHECK(check_data_path_addr(ok));
    }
    for (const char* bad :
         {"10.0.0.5:4789", "[fd00::5]:4789", "[fd00::5]", "0.0.0.0", "::", "10.0.0.256", ""}) {
        CAPTURE(bad);
        CHECK_FALSE(check_data_path_addr(bad));
    }
    CHECK(check_data_path_addr("10.0.0.5:4789").error().find("without a port") != std::string::npos);
}
