// The probes that are the same on every platform: a TCP connect and a UDP bind.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/udp.hpp>

#include "agent/check/probes.hpp"
#include "common/transport.hpp"

namespace sb::check {

Probe<bool> tcp_open(const std::string& host, std::uint16_t port, Duration timeout) {
    auto r = probe_tcp(host, port, timeout);
    if (r) {
        return true;
    }
    // Refused, unreachable or silent: the port is not open to us. A name that does not resolve cannot tell.
    if (r.error().ec == boost::asio::error::host_not_found ||
        r.error().ec == boost::asio::error::host_not_found_try_again) {
        return sb::unexpected(r.error().message);
    }
    return false;
}

Probe<bool> udp_port_free(std::uint16_t port) {
    namespace ip = boost::asio::ip;
    boost::asio::io_context ioc;
    ip::udp::socket socket(ioc);
    boost::system::error_code ec;
    socket.open(ip::udp::v4(), ec);
    if (ec) {
        return sb::unexpected("cannot open a UDP socket: " + ec.message());
    }
    socket.bind(ip::udp::endpoint(ip::address_v4::any(), port), ec);
    if (ec == boost::asio::error::address_in_use) {
        return false;
    }
    if (ec) {
        return sb::unexpected("cannot bind " + std::to_string(port) + "/udp: " + ec.message());
    }
    return true;
}

}  // namespace sb::check
