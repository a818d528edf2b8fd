// POSIX: the local engine listens on a unix socket; named pipes do not exist here.

#include <boost/asio/local/stream_protocol.hpp>

#include "common/error.hpp"
#include "common/transport.hpp"
#include "common/transport/http_exchange.hpp"

namespace sb {

namespace {

namespace asio = boost::asio;
using stream_protocol = asio::local::stream_protocol;

class UnixSocketTransport final : public detail::EndpointTransport {
  public:
    using EndpointTransport::EndpointTransport;

    sb::expected<HttpResponse, TransportError> round_trip(const HttpRequest& request, Duration timeout,
                                                          std::stop_token stop) override {
        asio::io_context ioc;
        stream_protocol::socket socket(ioc);
        return detail::run_exchange(
            ioc, socket,
            [&](auto handler) {
                socket.async_connect(stream_protocol::endpoint(endpoint().path),
                                     [handler](boost::system::error_code ec) { handler(ec); });
            },
            [&] {
                boost::system::error_code ignored;
                socket.close(ignored);
            },
            request, "docker", timeout, body_limit(), std::move(stop));
    }
};

}  // namespace

std::unique_ptr<Transport> make_unix_socket_transport(const Endpoint& endpoint, TransportLimits limits) {
    return std::make_unique<UnixSocketTransport>(endpoint, limits);
}

std::unique_ptr<Transport> make_named_pipe_transport(const Endpoint& endpoint, TransportLimits) {
    throw Failure(ExitCode::usage,
                  "named pipe " + endpoint.url() +
                      " exists only on Windows; use --docker-host unix:///var/run/docker.sock");
}

}  // namespace sb
