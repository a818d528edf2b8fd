#include "common/endpoint.hpp"

#include <charconv>
#include <utility>

#include "common/host_name.hpp"

namespace sb {

namespace {

sb::expected<std::uint16_t, std::string> parse_port(std::string_view text, std::string_view url) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value == 0 || value > 65535) {
        return sb::unexpected("invalid port '" + std::string(text) + "' in '" + std::string(url) + "'");
    }
    return static_cast<std::uint16_t>(value);
}

}  // namespace

std::string join_host_port(std::string_view host, std::uint16_t port) {
    std::string h(host);
    if (h.find(':') != std::string::npos) {
        h = "[" + h + "]";
    }
    return h + ":" + std::to_string(port);
}

std::string Endpoint::url() const {
    switch (kind) {
        case Kind::unix_socket:
            return "unix://" + path;
        case Kind::named_pipe: {
            std::string p = path;
            for (auto& c : p) {
                if (c == '\\') {
                    c = '/';
                }
            }
            return "npipe://" + p;
        }
        case Kind::tcp:
            return std::string(tls ? "https://" : "tcp://") + join_host_port(host, port);
    }
    return {};
}

std::string Endpoint::authority() const {
    return kind == Kind::tcp ? join_host_port(host, port) : url();
}

sb::expected<Endpoint, std::string> parse_endpoint(std::string_view url, bool default_tls) {
    Endpoint ep;
    auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) {
        // Appended, not "'" + std::string(url) + ...: GCC 12 at -O3 reports a false -Wrestrict for that form.
        std::string msg = "'";
        msg.append(url).append(
            "' is not an engine URL; use unix:///path, npipe:////./pipe/name or tcp://host:port");
        return sb::unexpected(std::move(msg));
    }
    auto scheme = url.substr(0, scheme_end);
    auto rest = url.substr(scheme_end + 3);
    if (scheme == "unix") {
        if (rest.empty() || rest.front() != '/') {
            return sb::unexpected("unix socket URL '" + std::string(url) + "' needs an absolute path");
        }
        ep.kind = Endpoint::Kind::unix_socket;
        ep.path = std::string(rest);
        return ep;
    }
    if (scheme == "npipe") {
        // npipe:////./pipe/docker_engine -> \\.\pipe\docker_engine
        std::string p(rest);
        for (auto& c : p) {
            if (c == '/') {
                c = '\\';
            }
        }
        if (p.rfind("\\\\.\\pipe\\", 0) != 0 || p.size() <= 9) {
            return sb::unexpected("named pipe URL '" + std::string(url) +
                                  "' must look like npipe:////./pipe/docker_engine");
        }
        ep.kind = Endpoint::Kind::named_pipe;
        ep.path = p;
        return ep;
    }
    if (scheme != "tcp" && scheme != "http" && scheme != "https") {
        return sb::unexpected("unsupported scheme '" + std::string(scheme) + "' in '" + std::string(url) +
                              "'; use unix://, npipe://, tcp://, http:// or https://");
    }
    ep.kind = Endpoint::Kind::tcp;
    ep.tls = scheme == "https" || (scheme == "tcp" && default_tls);
    if (auto slash = rest.find('/'); slash != std::string_view::npos) {
        if (rest.substr(slash) != "/") {
            return sb::unexpected("engine URL '" + std::string(url) + "' must not have a path");
        }
        rest = rest.substr(0, slash);
    }
    std::string_view port_text;
    if (!rest.empty() && rest.front() == '[') {
        auto close = rest.find(']');
        if (close == std::string_view::npos) {
            return sb::unexpected("unterminated IPv6 address in '" + std::string(url) + "'");
        }
        ep.host = std::string(rest.substr(1, close - 1));
        if (ep.host.find(':') == std::string::npos || !is_ip_literal(ep.host)) {
            return sb::unexpected("'" + ep.host + "' in '" + std::string(url) +
                                  "' is not a valid IPv6 address; only an IPv6 address goes in brackets");
        }
        auto after = rest.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') {
                return sb::unexpected("unexpected text after IPv6 address in '" + std::string(url) + "'");
            }
            port_text = after.substr(1);
            if (port_text.empty()) {
                return sb::unexpected("empty port after ':' in '" + std::string(url) + "'");
            }
        }
    } else {
        auto colon = rest.rfind(':');
        if (colon != std::string_view::npos && rest.find(':') != colon) {
            return sb::unexpected("IPv6 address in '" + std::string(url) +
                                  "' must be in brackets: [addr]:port");
        }
        ep.host = std::string(rest.substr(0, colon));
        if (colon != std::string_view::npos) {
            port_text = rest.substr(colon + 1);
            if (port_text.empty()) {
                return sb::unexpected("empty port after ':' in '" + std::string(url) + "'");
            }
        }
    }
    if (ep.host.empty()) {
        return sb::unexpected("engine URL '" + std::string(url) + "' has no host");
    }
    if (auto problem = host_problem(ep.host)) {
        return sb::unexpected("in '" + std::string(url) + "': " + *problem);
    }
    if (port_text.empty()) {
        ep.port = ep.tls ? 2376 : 2375;
    } else {
        auto port = parse_port(port_text, url);
        if (!port) {
            return sb::unexpected(port.error());
        }
        ep.port = *port;
    }
    return ep;
}

}  // namespace sb
