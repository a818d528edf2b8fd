#include "agent/config/manager_address.hpp"

#include <algorithm>
#include <charconv>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "common/host_name.hpp"

namespace sb {

namespace {

namespace ip = boost::asio::ip;

// parse_endpoint's message for "tcp://" + text, spelled with what the user wrote.
std::string as_written(std::string message, std::string_view text) {
    const std::string url = "'tcp://" + std::string(text) + "'";
    if (auto at = message.find(url); at != std::string::npos) {
        message.replace(at, url.size(), "'" + std::string(text) + "'");
    }
    return message;
}

}  // namespace

sb::expected<ManagerSpec, std::string> parse_manager_spec(std::string_view text) {
    ManagerSpec spec;
    spec.text = std::string(text);
    if (text.empty()) {
        return sb::unexpected(
            std::string("empty manager address; use HOST, HOST:PORT, tcp://HOST:PORT or IP+COUNT"));
    }
    if (text.find("://") != std::string_view::npos) {
        auto ep = parse_endpoint(text);
        if (!ep) {
            return sb::unexpected(ep.error());
        }
        if (ep->kind != Endpoint::Kind::tcp) {
            return sb::unexpected("manager '" + spec.text +
                                  "' must be reached over TCP; use tcp://HOST:PORT");
        }
        spec.host = ep->host;
        // parse_endpoint filled in a default port; keep 0 when none was written, so --tls picks 2376.
        auto rest = text.substr(text.find("://") + 3);
        bool has_port = rest.back() != ']' && rest.rfind(':') != std::string_view::npos &&
                        (rest.front() != '[' || rest.rfind(':') > rest.find(']'));
        spec.port = has_port ? ep->port : 0;
        spec.tls_scheme = ep->tls;
        spec.kind = is_ip_literal(spec.host) ? ManagerSpec::Kind::address : ManagerSpec::Kind::dns_name;
        return spec;
    }
    // Reuse the URL parser for HOST[:PORT] and [v6]:PORT; it rejects bad ports and bare IPv6.
    auto ep = parse_endpoint("tcp://" + std::string(text));
    std::string_view host_part = text;
    if (auto plus = text.find('+'); plus != std::string_view::npos) {
        // FIRST_IP+COUNT[:PORT]
        auto first = std::string(text.substr(0, plus));
        auto rest = text.substr(plus + 1);
        auto colon = rest.find(':');
        auto count_text = rest.substr(0, colon);
        unsigned count = 0;
        auto [end, ec] = std::from_chars(count_text.data(), count_text.data() + count_text.size(), count);
        if (ec != std::errc() || end != count_text.data() + count_text.size() || count == 0 || count > 256) {
            return sb::unexpected("manager range '" + spec.text +
                                  "' needs a count from 1 to 256, e.g. 172.16.0.5+3");
        }
        if (!is_ipv4_dotted_quad(first)) {
            auto problem = ip_literal_problem(first);
            return sb::unexpected("manager range '" + spec.text + "' must start with an IPv4 address, e.g. " +
                                  "172.16.0.5+3" + (problem ? ": " + *problem : std::string()));
        }
        auto addr = ip::make_address_v4(first);
        // The acs-engine form counts up the last octet: 10.0.0.250+10 would need 10.0.0.256.
        if ((addr.to_uint() & 0xFFu) + count - 1 > 255) {
            return sb::unexpected("manager range '" + spec.text +
                                  "' runs past .255 in the last octet (it would end at ." +
                                  std::to_string((addr.to_uint() & 0xFFu) + count - 1) +
                                  "); lower the count or split the range");
        }
        if (colon != std::string_view::npos) {
            auto port_ep = parse_endpoint("tcp://" + first + std::string(rest.substr(colon)));
            if (!port_ep) {
                return sb::unexpected("manager range '" + spec.text + "': " +
                                      as_written(port_ep.error(), first + std::string(rest.substr(colon))));
            }
            spec.port = port_ep->port;
        }
        spec.kind = ManagerSpec::Kind::range;
        spec.host = first;
        spec.count = count;
        return spec;
    }
    if (!ep) {
        return sb::unexpected("manager '" + spec.text + "': " + as_written(ep.error(), text));
    }
    spec.host = ep->host;
    bool has_port = host_part.back() != ']' && host_part.rfind(':') != std::string_view::npos;
    spec.port = has_port ? ep->port : 0;
    spec.kind = is_ip_literal(spec.host) ? ManagerSpec::Kind::address : ManagerSpec::Kind::dns_name;
    return spec;
}

sb::expected<std::vector<ManagerSpec>, std::string> parse_manager_specs(
    const std::vector<std::string>& texts) {
    std::vector<ManagerSpec> out;
    for (const auto& text : texts) {
        auto spec = parse_manager_spec(text);
        if (!spec) {
            return sb::unexpected(spec.error());
        }
        out.push_back(std::move(*spec));
    }
    return out;
}

std::vector<std::string> resolve_host(const std::string& host) {
    boost::asio::io_context ioc;
    ip::tcp::resolver resolver(ioc);
    boost::system::error_code ec;
    auto results = resolver.resolve(host, "", ec);
    std::vector<std::string> out;
    if (ec) {
        return out;
    }
    for (const auto& r : results) {
        auto a = r.endpoint().address().to_string();
        if (std::find(out.begin(), out.end(), a) == out.end()) {
            out.push_back(a);
        }
    }
    return out;
}

std::vector<Endpoint> expand_managers(const std::vector<ManagerSpec>& specs, bool tls,
                                      const Resolver& resolve) {
    std::vector<Endpoint> out;
    auto add = [&](const std::string& host, const ManagerSpec& spec) {
        Endpoint ep;
        ep.kind = Endpoint::Kind::tcp;
        ep.host = host;
        ep.tls = tls || spec.tls_scheme;
        ep.port = spec.port != 0 ? spec.port : (ep.tls ? 2376 : 2375);
        if (spec.kind == ManagerSpec::Kind::dns_name) {
            ep.tls_name = spec.host;
        }
        bool seen = std::any_of(out.begin(), out.end(),
                                [&](const Endpoint& e) { return e.host == ep.host && e.port == ep.port; });
        if (!seen) {
            out.push_back(ep);
        }
    };
    for (const auto& spec : specs) {
        switch (spec.kind) {
            case ManagerSpec::Kind::address:
                add(spec.host, spec);
                break;
            case ManagerSpec::Kind::dns_name:
                for (const auto& a : resolve(spec.host)) {
                    add(a, spec);
                }
                break;
            case ManagerSpec::Kind::range: {
                auto first = ip::make_address_v4(spec.host).to_uint();
                for (unsigned i = 0; i < spec.count; ++i) {
                    add(ip::make_address_v4(first + i).to_string(), spec);
                }
                break;
            }
        }
    }
    return out;
}

}  // namespace sb
