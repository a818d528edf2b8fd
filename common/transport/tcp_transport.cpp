#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>

#include "common/transport.hpp"
#include "common/transport/http_exchange.hpp"
#include "common/transport/tcp_connect.hpp"

namespace sb {

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

class TcpTransport final : public detail::EndpointTransport {
  public:
    using EndpointTransport::EndpointTransport;

    sb::expected<HttpResponse, TransportError> round_trip(const HttpRequest& request, Duration timeout,
                                                          std::stop_token stop) override {
        asio::io_context ioc;
        tcp::resolver resolver(ioc);
        tcp::socket socket(ioc);
        return detail::run_exchange(
            ioc, socket,
            [&](auto handler) { detail::async_resolve_connect(resolver, socket, endpoint(), handler); },
            [&] {
                boost::system::error_code ignored;
                resolver.cancel();
                socket.close(ignored);
            },
            request, endpoint().authority(), timeout, body_limit(), std::move(stop));
    }
};

}  // namespace

std::unique_ptr<Transport> make_tcp_transport(const Endpoint& endpoint, TransportLimits limits) {
    return std::make_unique<TcpTransport>(endpoint, limits);
}

sb::expected<void, TransportError> probe_tcp(const std::string& host, std::uint16_t port, Duration timeout,
                                             std::stop_token stop) {
    if (stop.stop_requested()) {
        return sb::unexpected(detail::stopped_error("connect"));
    }
    asio::io_context ioc;
    tcp::resolver resolver(ioc);
    tcp::socket socket(ioc);
    Endpoint ep;
    ep.host = host;
    ep.port = port;
    bool done = false;
    bool stopped = false;
    boost::system::error_code result;
    detail::async_resolve_connect(resolver, socket, ep, [&](boost::system::error_code ec) {
        result = ec;
        done = true;
    });
    std::stop_callback on_stop(stop, [&] {
        asio::post(ioc, [&] {
            stopped = true;
            boost::system::error_code ignored;
            resolver.cancel();
            socket.close(ignored);
        });
    });
    ioc.run_for(timeout);
    boost::system::error_code ignored;
    resolver.cancel();
    socket.close(ignored);
    if (!done) {
        ioc.restart();
        ioc.run();
        TransportError e;
        e.ec = asio::error::timed_out;
        e.timed_out = true;
        e.message = "connect: no answer within " + format_duration(timeout);
        return sb::unexpected(e);
    }
    if (stopped) {
        return sb::unexpected(detail::stopped_error("connect"));
    }
    if (result) {
        return sb::unexpected(detail::make_transport_error(result, "connect"));
    }
    return {};
}

}  // namespace sb
