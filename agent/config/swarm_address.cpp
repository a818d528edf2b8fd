#include "agent/config/swarm_address.hpp"

#include <algorithm>
#include <charconv>

#include "common/host_name.hpp"

namespace sb {

namespace {

struct HostPort {
    std::string host;  // IPv6 without brackets; empty for ":2377"
    std::string port;  // empty when none was written
    bool bracketed = false;
};

// Splits HOST[:PORT] and [IPV6][:PORT] the way Go's net.SplitHostPort does, and also takes a bare IPv6
// literal (several colons, no brackets) as a host without a port.
sb::expected<HostPort, std::string> split_host_port(std::string_view text) {
    HostPort hp;
    if (!text.empty() && text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string_view::npos) {
            return sb::unexpected(std::string("the '[' of an IPv6 address has no closing ']'"));
        }
        hp.host = std::string(text.substr(1, close - 1));
        hp.bracketed = true;
        auto after = text.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') {
                return sb::unexpected("unexpected '" + std::string(after) + "' after the IPv6 address");
            }
            hp.port = std::string(after.substr(1));
            if (hp.port.empty()) {
                return sb::unexpected(std::string("the port after ':' is empty"));
            }
        }
        return hp;
    }
    auto colons = std::count(text.begin(), text.end(), ':');
    if (colons > 1) {
        hp.host = std::string(text);  // a bare IPv6 literal, checked by the caller
        return hp;
    }
    auto colon = text.find(':');
    hp.host = std::string(text.substr(0, colon));
    if (colon != std::string_view::npos) {
        hp.port = std::string(text.substr(colon + 1));
        if (hp.port.empty()) {
            return sb::unexpected(std::string("the port after ':' is empty"));
        }
    }
    return hp;
}

sb::expected<void, std::string> check_port(const std::string& port) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
        return sb::unexpected("'" + port + "' is not a port from 1 to 65535");
    }
    return {};
}

// An interface name as Linux and Windows spell them ("eth0", "ens3.100", "vEthernet (nat)"): printable, no
// '/', no ':' (that separates the port), not an address that was mistyped.
bool is_interface_name(const std::string& name) {
    return !name.empty() && name.size() <= 256 && name.find_first_of("/:[]") == std::string::npos &&
           std::all_of(name.begin(), name.end(),
                       [](char c) { return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f; }) &&
           name.front() != ' ' && name.back() != ' ';
}

// HOST: an IP literal (non-zero unless `unspecified_ok`) or an interface name.
sb::expected<void, std::string> check_host(const HostPort& hp, bool unspecified_ok) {
    if (auto addr = parse_ip_literal(hp.host)) {
        if (!unspecified_ok && addr->is_unspecified()) {
            return sb::unexpected("'" + hp.host +
                                  "' is the unspecified address; give this node's own address or interface");
        }
        return {};
    }
    if (hp.bracketed || hp.host.find(':') != std::string::npos) {
        return sb::unexpected("'" + hp.host + "' is not a valid IPv6 address");
    }
    // Only digits and dots is a mistyped IPv4 address; "ens3.100" (a VLAN) is an interface name.
    bool dotted = hp.host.find_first_not_of("0123456789.") == std::string::npos;
    if (auto problem = ip_literal_problem(hp.host); problem && dotted) {
        return sb::unexpected(*problem);
    }
    if (!is_interface_name(hp.host)) {
        return sb::unexpected("'" + hp.host + "' is neither an IP address nor a network interface name");
    }
    return {};
}

}  // namespace

sb::expected<std::string, std::string> normalize_listen_addr(std::string_view text) {
    if (text.empty()) {
        return sb::unexpected(std::string("the address is empty; the default is 0.0.0.0:2377"));
    }
    auto hp = split_host_port(text);
    if (!hp) {
        return sb::unexpected(hp.error());
    }
    if (hp->host.empty() && !hp->bracketed) {
        hp->host = "0.0.0.0";
    }
    if (auto ok = check_host(*hp, true); !ok) {
        return sb::unexpected(ok.error());
    }
    if (hp->port.empty()) {
        hp->port = std::to_string(default_swarm_port);
    } else if (auto ok = check_port(hp->port); !ok) {
        return sb::unexpected(ok.error());
    }
    bool v6 = hp->host.find(':') != std::string::npos;
    // in_place_value: the value and the error are both strings.
    return sb::expected<std::string, std::string>(boost::system::in_place_value,
                                                  (v6 ? "[" + hp->host + "]" : hp->host) + ":" + hp->port);
}

sb::expected<void, std::string> check_advertise_addr(std::string_view text) {
    auto hp = split_host_port(text);
    if (!hp) {
        return sb::unexpected(hp.error());
    }
    if (hp->host.empty()) {
        return sb::unexpected(std::string("the host is empty; give this node's address or interface"));
    }
    if (auto ok = check_host(*hp, false); !ok) {
        return ok;
    }
    if (!hp->port.empty()) {
        return check_port(hp->port);
    }
    return {};
}

sb::expected<void, std::string> check_data_path_addr(std::string_view text) {
    HostPort hp{std::string(text), "", false};
    if (text.empty()) {
        return sb::unexpected(std::string("the address is empty"));
    }
    if (!is_ip_literal(hp.host) && (text.front() == '[' || std::count(text.begin(), text.end(), ':') == 1)) {
        return sb::unexpected(std::string("takes an address or interface without a port (docker's rule)"));
    }
    return check_host(hp, false);
}

}  // namespace sb
