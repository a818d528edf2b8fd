#pragma once

// What the transports share: their base class, and one HTTP exchange over any Asio stream, bounded by a
// single timeout (a template over the stream type, so the same code serves unix sockets, named pipes, TCP and
// TLS).

#include <stop_token>
#include <string>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "common/duration.hpp"
#include "common/transport.hpp"
#include "common/version.hpp"

namespace sb::detail {

// What every transport keeps: where it connects and how much of a response it reads.
class EndpointTransport : public Transport {
  public:
    EndpointTransport(Endpoint endpoint, TransportLimits limits)
        : endpoint_(std::move(endpoint)), limits_(limits) {}
    const Endpoint& endpoint() const final { return endpoint_; }

  protected:
    std::size_t body_limit() const { return limits_.max_response_bytes; }

  private:
    Endpoint endpoint_;
    TransportLimits limits_;
};

inline TransportError make_transport_error(const boost::system::error_code& ec, const char* step) {
    TransportError e;
    e.ec = ec;
    e.message = std::string(step) + ": " + ec.message();
    return e;
}

inline TransportError stopped_error(const char* step) {
    TransportError e;
    e.ec = boost::asio::error::operation_aborted;
    e.stopped = true;
    e.message = std::string(step) + ": stopped (the agent is stopping)";
    return e;
}

// `connect(handler)` starts connecting (and handshaking) the stream and calls handler(error_code).
// `close()` aborts everything outstanding on the stream; a stop requested on `stop` runs it on the
// io_context's thread, so that whatever step is waiting (connect, handshake, write, read) ends at once.
template <class Stream, class Connect, class Close>
sb::expected<HttpResponse, TransportError> run_exchange(boost::asio::io_context& ioc, Stream& stream,
                                                        Connect&& connect, Close&& close,
                                                        const HttpRequest& request, const std::string& host,
                                                        Duration timeout, std::size_t body_limit,
                                                        std::stop_token stop) {
    namespace http = boost::beast::http;
    using boost::system::error_code;

    http::request<http::string_body> req{request.method, request.target, 11};
    req.set(http::field::host, host);
    req.set(http::field::user_agent, "swarm-bootstrap/" SB_VERSION);
    for (const auto& [name, value] : request.headers) {
        req.set(name, value);
    }
    if (!request.body.empty()) {
        req.set(http::field::content_type, "application/json");
        req.body() = request.body;
    }
    req.keep_alive(false);
    req.prepare_payload();

    boost::beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(body_limit);

    bool done = false;
    error_code failure;
    const char* failed_step = "connect";
    if (stop.stop_requested()) {
        return sb::unexpected(stopped_error(failed_step));
    }
    bool stopped = false;
    // Runs on the thread that requests the stop; the stream is touched only on this one.
    std::stop_callback on_stop(stop, [&] {
        boost::asio::post(ioc, [&] {
            stopped = true;
            close();
        });
    });

    connect([&](error_code ec) {
        if (ec) {
            failure = ec;
            done = true;
            return;
        }
        http::async_write(stream, req, [&](error_code wec, std::size_t) {
            if (wec) {
                failure = wec;
                failed_step = "write";
                done = true;
                return;
            }
            http::async_read(stream, buffer, parser, [&](error_code rec, std::size_t) {
                failure = rec;
                failed_step = "read";
                done = true;
            });
        });
    });

    ioc.run_for(timeout);
    if (!done) {
        // Still waiting: an engine that is starting accepts connections and answers nothing.
        close();
        ioc.restart();
        ioc.run();
        TransportError e;
        e.ec = boost::asio::error::timed_out;
        e.timed_out = true;
        e.message = std::string("no answer within ") + format_duration(timeout) + " (" + failed_step + ")";
        return sb::unexpected(std::move(e));
    }
    close();
    if (stopped) {
        return sb::unexpected(stopped_error(failed_step));
    }
    if (failure) {
        return sb::unexpected(make_transport_error(failure, failed_step));
    }
    auto& res = parser.get();
    HttpResponse out;
    out.status = res.result_int();
    out.content_type = std::string(res[http::field::content_type]);
    out.api_version = std::string(res["Api-Version"]);
    out.date = std::string(res[http::field::date]);
    out.body = std::move(res.body());
    return out;
}

}  // namespace sb::detail
