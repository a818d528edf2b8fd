#pragma once

// Resolving a host and connecting a TCP socket to the first address that accepts: plain TCP, TLS (before its
// handshake) and the swarm-port probe all start this way.

#include <string>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "common/endpoint.hpp"
#include "common/host_name.hpp"

namespace sb::detail {

// `handler(error_code)` runs once the socket is connected, or with the resolve or connect error.
template <class Handler>
void async_resolve_connect(boost::asio::ip::tcp::resolver& resolver, boost::asio::ip::tcp::socket& socket,
                           const Endpoint& ep, Handler handler) {
    using boost::asio::ip::tcp;
    // An IP literal needs no lookup: on Windows asio resolves on a thread of its own, per io_context.
    if (auto addr = parse_ip_literal(ep.host)) {
        socket.async_connect(tcp::endpoint(*addr, ep.port),
                             [handler](boost::system::error_code cec) { handler(cec); });
        return;
    }
    resolver.async_resolve(
        ep.host, std::to_string(ep.port),
        [&socket, handler](boost::system::error_code ec, tcp::resolver::results_type results) {
            if (ec) {
                handler(ec);
                return;
            }
            boost::asio::async_connect(
                socket, results,
                [handler](boost::system::error_code cec, const tcp::endpoint&) { handler(cec); });
        });
}

}  // namespace sb::detail
