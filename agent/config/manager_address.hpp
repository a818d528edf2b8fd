#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>
#include "common/expected.hpp"

#include "common/endpoint.hpp"

namespace sb {

// One --manager value: HOST, HOST:PORT, tcp://HOST:PORT, a DNS name (every A/AAAA record is a manager), or
// the acs-engine range FIRST_IP+COUNT (172.16.0.5+3 = .5, .6, .7), optionally followed by :PORT.
struct ManagerSpec {
    enum class Kind { address, dns_name, range };

    Kind kind = Kind::address;
    std::string text;         // as the user wrote it, for messages
    std::string host;         // IP literal, DNS name, or the first IP of a range
    std::uint16_t port = 0;   // 0: the default (2375, or 2376 with TLS)
    unsigned count = 1;       // range length
    bool tls_scheme = false;  // https:// given
};

sb::expected<ManagerSpec, std::string> parse_manager_spec(std::string_view text);
// Every --manager value, in order; the first bad one is the error (its message names it).
sb::expected<std::vector<ManagerSpec>, std::string> parse_manager_specs(
    const std::vector<std::string>& texts);

// host -> its addresses; empty when it does not resolve (yet). Injected for tests.
using Resolver = std::function<std::vector<std::string>(const std::string& host)>;

// The resolver of the system (A and AAAA records).
std::vector<std::string> resolve_host(const std::string& host);

// Expands every spec into endpoints, in order and without duplicates. Called on every round, so names that
// start resolving later (a manager VM that boots late) are picked up. `tls` sets the default port and scheme.
std::vector<Endpoint> expand_managers(const std::vector<ManagerSpec>& specs, bool tls,
                                      const Resolver& resolve);

}  // namespace sb
