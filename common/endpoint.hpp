#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include "common/expected.hpp"

namespace sb {

// Where an Engine API listens: a unix socket, a Windows named pipe, or TCP (optionally TLS).
struct Endpoint {
    enum class Kind { unix_socket, named_pipe, tcp };

    Kind kind = Kind::tcp;
    std::string path;  // unix socket path, or pipe name as \\.\pipe\docker_engine
    std::string host;  // tcp: host name or address, IPv6 without brackets
    std::uint16_t port = 0;
    bool tls = false;
    // The DNS name the user gave when `host` is one of its addresses: TLS verifies the certificate against
    // this name and sends it as SNI. Empty: `host` itself is what the certificate must name.
    std::string tls_name;

    // The URL form docker uses: unix:///var/run/docker.sock, npipe:////./pipe/docker_engine, tcp://h:p.
    std::string url() const;
    // host:port with IPv6 in brackets, for tcp; the url otherwise.
    std::string authority() const;
};

// Parses a DOCKER_HOST-style URL. `default_tls` picks the default port (2376 with TLS, 2375 without) and
// the scheme for tcp://. https:// always means TLS, http:// never does.
sb::expected<Endpoint, std::string> parse_endpoint(std::string_view url, bool default_tls = false);

// "host:port" with brackets for IPv6 literals.
std::string join_host_port(std::string_view host, std::uint16_t port);

}  // namespace sb
