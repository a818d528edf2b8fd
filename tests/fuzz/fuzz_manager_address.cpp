// Manager addresses (HOST, HOST:PORT, tcp://, https://, [IPv6]:PORT, DNS names, FIRST_IP+COUNT[:PORT]) and
// the engine URLs behind them (--docker-host, DOCKER_HOST), expanded as a join round expands them.
//
// Input: byte 0 bit 0 picks --tls; the rest is the address as the user wrote it.

#include <string>
#include <vector>

#include "agent/config/manager_address.hpp"
#include "tests/fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    sb::fuzz::Input input(data, size);
    bool tls = (input.byte() & 1) != 0;
    auto text = input.rest();

    if (auto ep = sb::parse_endpoint(text, tls)) {
        if (ep->kind == sb::Endpoint::Kind::tcp) {
            sb::fuzz::check(!ep->host.empty() && ep->port != 0);
        }
        (void)ep->url();
        (void)ep->authority();
    }

    auto spec = sb::parse_manager_spec(text);
    if (!spec) {
        sb::fuzz::check(!spec.error().empty());
        return 0;
    }
    sb::fuzz::check(!spec->host.empty());
    if (spec->kind == sb::ManagerSpec::Kind::range) {
        sb::fuzz::check(spec->count >= 1 && spec->count <= 256);
    }
    // A name resolves to an IPv4 and an IPv6 address, and to itself when it is a literal.
    auto resolve = [](const std::string& host) {
        return std::vector<std::string>{"10.213.0.1", "fd00::1", host};
    };
    for (bool with_tls : {false, true}) {
        auto endpoints = sb::expand_managers({*spec, *spec}, with_tls, resolve);
        sb::fuzz::check(!endpoints.empty() && endpoints.size() <= 256 + 3);
        for (const auto& ep : endpoints) {
            sb::fuzz::check(ep.kind == sb::Endpoint::Kind::tcp && ep.port != 0 && !ep.host.empty());
            sb::fuzz::check(spec->port == 0 || ep.port == spec->port);
            (void)ep.authority();
        }
    }
    return 0;
}
