#include "agent/manager_address.hpp"

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

TEST_CASE("acs-engine ranges expand FIRST_IP+COUNT, across octet boundaries") {
    Resolver none = [](const std::string&) { return std::vector<std::string>{}; };
    CHECK(hosts(expand_managers(specs({"172.16.0.5+3"}), false, none)) ==
          std::vector<std::string>{"172.16.0.5:2375", "172.16.0.6:2375", "172.16.0.7:2375"});
    CHECK(hosts(expand_managers(specs({"10.0.0.254+3:2376"}), false, none)) ==
          std::vector<std::string>{"10.0.0.254:2376", "10.0.0.255:2376", "10.0.1.0:2376"});
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
