#pragma once

// For the tests of a stop that cuts an exchange short: a peer that never answers, and a timed exchange
// stopped partway through from another thread (as a signal handler or the SCM's control handler does).

#include <chrono>
#include <stop_token>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "common/transport.hpp"
#include "sb_doctest.hpp"

namespace sb::test {

constexpr Duration stop_test_timeout{10'000};
constexpr auto stop_after = std::chrono::milliseconds(100);

// A TCP socket that listens and never accepts: the kernel completes the connection, nobody reads a byte.
class SilentTcpListener {
  public:
    SilentTcpListener() : acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {}
    Endpoint endpoint(bool tls = false) const {
        Endpoint ep;
        ep.host = "127.0.0.1";
        ep.port = acceptor_.local_endpoint().port();
        ep.tls = tls;
        return ep;
    }

  private:
    boost::asio::io_context ioc_;
    boost::asio::ip::tcp::acceptor acceptor_;
};

struct Timed {
    sb::expected<HttpResponse, TransportError> result;
    std::chrono::milliseconds stopped_after;  // when the stop was requested, from the start
    std::chrono::milliseconds took;           // from the start of the exchange
    std::chrono::milliseconds after_stop;     // from the stop request to the exchange's end
};

// Runs the exchange and requests a stop `after` into it, from another thread (as a signal or the SCM's
// control handler does).
inline Timed exchange_stopped_midway(Transport& transport, HttpRequest request,
                                     std::chrono::milliseconds after = stop_after) {
    std::stop_source stop;
    std::chrono::steady_clock::time_point stopped_at;
    std::thread stopper([&] {
        std::this_thread::sleep_for(after);
        stopped_at = std::chrono::steady_clock::now();
        stop.request_stop();
    });
    auto start = std::chrono::steady_clock::now();
    auto result = transport.round_trip(request, stop_test_timeout, stop.get_token());
    auto end = std::chrono::steady_clock::now();
    stopper.join();
    return {std::move(result), after, std::chrono::duration_cast<std::chrono::milliseconds>(end - start),
            std::chrono::duration_cast<std::chrono::milliseconds>(end - stopped_at)};
}

inline void check_stopped(const Timed& t, const std::string& step) {
    REQUIRE_FALSE(t.result);
    CHECK(t.result.error().stopped);
    CHECK_FALSE(t.result.error().timed_out);
    CHECK_FALSE(t.result.error().tls);
    CHECK(t.result.error().message.rfind(step + ": stopped", 0) == 0);
    // It ended after the stop, by the clock that timed both (wine's sleep can return a millisecond or two
    // before the steady clock says the time is up: `took` can be 98 ms for a stop after 100 ms).
    CHECK(t.after_stop >= std::chrono::milliseconds(0));
    // Milliseconds in practice; the bound leaves room for a loaded machine's scheduler.
    CHECK(t.after_stop < std::chrono::milliseconds(250));
    MESSAGE(step << ": ended " << t.after_stop.count() << " ms after the stop (" << t.took.count()
                 << " ms in all): " << t.result.error().message);
}

}  // namespace sb::test
