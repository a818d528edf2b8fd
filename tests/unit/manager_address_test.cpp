#include "agent/config/manager_address.hpp"

#include "sb_doctest.hpp"

using namespace sb;

namespace {

std::vector<std::string> hosts(const std::vector<Endpoint>& eps) {
    std::vector<std::string> out;
    for (const auto& e : eps) {
        out.push_back(e.authority());
    }
    return out;
}

std::vector<ManagerSpec> specs(std::initializer_list<const char*> texts) {
    std::vector<ManagerSpec> out;
    for (const auto* t : texts) {
        auto s = parse_manager_spec(t);
        REQUIRE(s);
        out.push_back(*s);
    }
    return out;
}

}  // namespace

TEST_CASE("manager addresses in every documented form") {
    Resolver none = [](const std::string&) { return std::vector<std::string>{}; };
    CHECK(hosts(expand_managers(specs({"10.0.0.5"}), false, none)) ==
          std::vector<std::string>{"10.0.0.5:2375"});
    CHECK(hosts(expand_managers(specs({"10.0.0.5:4000"}), false, none)) ==
          std::vector<std::string>{"10.0.0.5:4000"});
    CHECK(hosts(expand_managers(specs({"tcp://10.0.0.5:4000"}), false, none)) ==
          std::vector<std::string>{"10.0.0.5:4000"});
    CHECK(hosts(expand_managers(specs({"tcp://10.0.0.5"}), true, none)) ==
          std::vector<std::string>{"10.0.0.5:2376"});
    CHECK(hosts(expand_managers(specs({"[fd00::1]:2375"}), false, none)) ==
          std::vector<std::string>{"[fd00::1]:2375"});
}

TEST_CASE("acs-engine ranges expand FIRST_IP+COUNT within the last octet") {
    Resolver none = [](const std::string&) { return std::vector<std::string>{}; };
    CHECK(hosts(expand_managers(specs({"172.16.0.5+3"}), false, none)) ==
          std::vector<std::string>{"172.16.0.5:2375", "172.16.0.6:2375", "172.16.0.7:2375"});
    CHECK(hosts(expand_managers(specs({"10.0.0.253+3:2376"}), false, none)) ==
          std::vector<std::string>{"10.0.0.253:2376", "10.0.0.254:2376", "10.0.0.255:2376"});
    CHECK_FALSE(parse_manager_spec("10.0.0.254+3:2376"));  // would need 10.0.0.256: the last octet overflows
}

TEST_CASE("DNS names expand to every address, re-resolved on each call, without duplicates") {
    int calls = 0;
    Resolver dns = [&](const std::string& host) {
        ++calls;
        CHECK(host == "managers.internal");
        return calls == 1 ? std::vector<std::string>{}
                          : std::vector<std::string>{"10.0.0.5", "10.0.0.6", "fd00::7"};
    };
    auto s = specs({"managers.internal", "10.0.0.5"});
    CHECK(s[0].kind == ManagerSpec::Kind::dns_name);
    CHECK(hosts(expand_managers(s, false, dns)) == std::vector<std::string>{"10.0.0.5:2375"});
    CHECK(hosts(expand_managers(s, false, dns)) ==
          std::vector<std::string>{"10.0.0.5:2375", "10.0.0.6:2375", "[fd00::7]:2375"});
}

TEST_CASE("a manager given by DNS name keeps the name for TLS; addresses and ranges carry none") {
    Resolver dns = [](const std::string&) { return std::vector<std::string>{"10.0.0.5", "10.0.0.6"}; };
    auto eps =
        expand_managers(specs({"https://mgr1.example.test:2376", "10.0.0.9", "10.0.1.1+2"}), true, dns);
    REQUIRE(eps.size() == 5);
    CHECK(eps[0].host == "10.0.0.5");
    CHECK(eps[0].tls_name == "mgr1.example.test");
    CHECK(eps[1].tls_name == "mgr1.example.test");
    CHECK(eps[2].tls_name.empty());
    CHECK(eps[3].tls_name.empty());
    CHECK(eps[4].tls_name.empty());
}

TEST_CASE("bad manager addresses are rejected with a reason") {
    for (const char* bad : {"", "10.0.0.5+0", "10.0.0.5+x", "10.0.0.5+300", "fd00::1+2", "255.255.255.255+2",
                            "unix:///var/run/docker.sock", "host_with_underscore!", "10.0.0.5:0",
                            "10.0.0.5:70000", "tcp://", "-bad.example"}) {
        CAPTURE(bad);
        auto r = parse_manager_spec(bad);
        REQUIRE_FALSE(r);
        CHECK_FALSE(r.error().empty());
    }
}

TEST_CASE("manager addresses that can never work are rejected, saying why") {
    struct Bad {
        const char* text;
        const char* says;
    };
    for (const Bad& bad : {
             Bad{"10.0.0.256", "not a valid IPv4 address"},
             Bad{"10.0.0.256:2375", "not a valid IPv4 address"},
             Bad{"tcp://300.1.1.1:2375", "not a valid IPv4 address"},
             Bad{"10.0.0", "not a valid IPv4 address"},
             Bad{"10.0.0.5:0", "invalid port"},
             Bad{"10.0.0.5:65536", "invalid port"},
             Bad{"10.0.0.5:", "empty port"},
             Bad{"10.0.0.5:x", "invalid port"},
             Bad{"[fd00::5", "unterminated IPv6"},
             Bad{"[fd00::5]x", "after IPv6"},
             Bad{"[m1.example]:2375", "only an IPv6 address goes in brackets"},
             Bad{"[fd00::zz]:2375", "not a valid IPv6 address"},
             Bad{"fd00::5", "must be in brackets"},
             Bad{"10.0.0.250+10", "runs past .255 in the last octet"},
             Bad{"10.0.0.0+257", "count from 1 to 256"},
             Bad{"10.0.0.256+2", "must start with an IPv4 address"},
             Bad{"10.0.0.5+3:", "empty port"},
             Bad{"10.0.0.5+3:99999", "invalid port"},
             Bad{"m_1.example", "neither an IP address nor a valid host name"},
             Bad{"-m1.example", "neither an IP address nor a valid host name"},
             Bad{"unix:///var/run/docker.sock", "over TCP"},
         }) {
        CAPTURE(bad.text);  // a named case, not a structured binding: Clang 14 cannot capture those
        auto spec = parse_manager_spec(bad.text);
        REQUIRE_FALSE(spec);
        CHECK(spec.error().find(bad.says) != std::string::npos);
        CHECK(spec.error().find("tcp://" + std::string(bad.text)) ==
              std::string::npos);  // as the user wrote it
    }
    CHECK(parse_manager_spec("10.0.0.253+3"));  // .253, .254, .255
    CHECK(parse_manager_spec("[fd00::5]"));
    CHECK(parse_manager_spec("m1.example.com."));
}
