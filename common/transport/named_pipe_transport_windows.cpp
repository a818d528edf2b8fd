// Windows: the local engine listens on a named pipe (npipe:////./pipe/docker_engine). The pipe is opened for
// overlapped I/O and driven by Asio's stream_handle, so the same HTTP exchange (and its timeout) serves it as
// it serves sockets. Unix sockets are not offered here.

#include <algorithm>
#include <chrono>
#include <stop_token>

#include <boost/asio/post.hpp>
#include <boost/asio/windows/stream_handle.hpp>

#include "common/error.hpp"
#include "common/transport.hpp"
#include "common/transport/http_exchange.hpp"
#include "common/win32.hpp"

namespace sb {

namespace {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

TransportError pipe_error(DWORD error, const std::string& pipe) {
    TransportError e;
    e.ec = boost::system::error_code(static_cast<int>(error), boost::system::system_category());
    e.message = "connect " + pipe + ": " + win32::error_text(error);
    return e;
}

TransportError open_timed_out(const std::string& pipe, Duration timeout) {
    TransportError e;
    e.ec = asio::error::timed_out;
    e.timed_out = true;
    e.message = "connect " + pipe + ": every pipe instance stayed busy for " + format_duration(timeout);
    return e;
}

// Opens the client end of the pipe. While every instance is busy (the engine serves another client, or is
// starting), waits with WaitNamedPipeW, but never past `deadline`, and in slices short enough that a stop
// requested meanwhile ends the wait at once (WaitNamedPipeW itself cannot be cancelled).
sb::expected<win32::UniqueHandle, TransportError> open_pipe(const std::string& pipe,
                                                            Clock::time_point deadline, Duration timeout,
                                                            const std::stop_token& stop) {
    constexpr auto stop_check = std::chrono::milliseconds(50);
    const std::wstring name = win32::widen(pipe);
    for (;;) {
        if (stop.stop_requested()) {
            return sb::unexpected(detail::stopped_error("connect"));
        }
        // SECURITY_ANONYMOUS: the engine learns who connects from the access check, it need not impersonate
        // us.
        HANDLE h = ::CreateFileW(name.c_str(), GENERIC_READ | GENERIC_WRITE, 0, nullptr, OPEN_EXISTING,
                                 FILE_FLAG_OVERLAPPED | SECURITY_SQOS_PRESENT | SECURITY_ANONYMOUS, nullptr);
        if (h != INVALID_HANDLE_VALUE) {
            return win32::UniqueHandle(h);
        }
        DWORD error = ::GetLastError();
        if (error != ERROR_PIPE_BUSY) {
            return sb::unexpected(pipe_error(error, pipe));
        }
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) {
            return sb::unexpected(open_timed_out(pipe, timeout));
        }
        // Returns when an instance is free (then another client may still win it: loop) or on timeout.
        if (!::WaitNamedPipeW(name.c_str(), static_cast<DWORD>(std::min(left, stop_check).count()))) {
            error = ::GetLastError();
            if (error != ERROR_SEM_TIMEOUT && error != ERROR_PIPE_BUSY) {
                return sb::unexpected(pipe_error(error, pipe));
            }
        }
    }
}

class NamedPipeTransport final : public detail::EndpointTransport {
  public:
    using EndpointTransport::EndpointTransport;

    sb::expected<HttpResponse, TransportError> round_trip(const HttpRequest& request, Duration timeout,
                                                          std::stop_token stop) override {
        const auto deadline = Clock::now() + timeout;
        auto handle = open_pipe(endpoint().path, deadline, timeout, stop);
        if (!handle) {
            return sb::unexpected(handle.error());
        }
        asio::io_context ioc;
        asio::windows::stream_handle pipe(ioc);
        boost::system::error_code ec;
        pipe.assign(handle->get(), ec);
        if (ec) {
            return sb::unexpected(detail::make_transport_error(ec, "connect"));
        }
        handle->release();  // the stream_handle owns it now
        auto left = std::chrono::duration_cast<Duration>(deadline - Clock::now());
        return detail::run_exchange(
            ioc, pipe,
            [&](auto handler) {
                // Already connected: CreateFileW is synchronous for pipes.
                asio::post(ioc, [handler]() mutable { handler(boost::system::error_code{}); });
            },
            [&] {
                boost::system::error_code ignored;
                pipe.close(ignored);
            },
            request, "docker", std::max(left, Duration(1)), body_limit(), std::move(stop));
    }
};

}  // namespace

std::unique_ptr<Transport> make_named_pipe_transport(const Endpoint& endpoint, TransportLimits limits) {
    return std::make_unique<NamedPipeTransport>(endpoint, limits);
}

std::unique_ptr<Transport> make_unix_socket_transport(const Endpoint& endpoint, TransportLimits) {
    throw Failure(ExitCode::usage, "unix socket " + endpoint.url() +
                                       " is not available on Windows; use --docker-host "
                                       "npipe:////./pipe/docker_engine or tcp://HOST:2375");
}

}  // namespace sb
