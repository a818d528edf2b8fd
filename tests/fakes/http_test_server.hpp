#pragma once

// A real HTTP server on 127.0.0.1:<ephemeral port> in a thread, for transport and client tests: it answers
// each request with what the test's handler returns, or holds the connection open without answering.

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "fakes/test_response.hpp"

namespace sb::test {

class HttpTestServer {
  public:
    using Request = boost::beast::http::request<boost::beast::http::string_body>;
    using Handler = std::function<TestResponse(const Request&)>;

    // Every answer carries Api-Version: API_VERSION (the engine's newest), as dockerd's do.
    explicit HttpTestServer(Handler handler, std::string api_version = "1.41")
        : handler_(std::move(handler)),
          api_version_(std::move(api_version)),
          acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0}),
          thread_([this] { serve(); }) {}

    ~HttpTestServer() {
        stopping_ = true;
        boost::system::error_code ec;
        // Wake the blocking accept with a connection of our own.
        boost::asio::io_context ioc;
        boost::asio::ip::tcp::socket s(ioc);
        s.connect({boost::asio::ip::make_address("127.0.0.1"), port()}, ec);
        thread_.join();
        for (auto& t : hanging_) {
            t.join();
        }
    }

    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    // The engine was upgraded or downgraded: answers name API_VERSION from now on.
    void set_api_version(std::string api_version) {
        std::lock_guard lock(mutex_);
        api_version_ = std::move(api_version);
    }
    std::vector<std::string> targets() {
        std::lock_guard lock(mutex_);
        return targets_;
    }

  private:
    void serve() {
        namespace http = boost::beast::http;
        while (!stopping_) {
            boost::asio::ip::tcp::socket socket(ioc_);
            boost::system::error_code ec;
            acceptor_.accept(socket, ec);
            if (ec || stopping_) {
                return;
            }
            boost::beast::flat_buffer buffer;
            Request req;
            http::read(socket, buffer, req, ec);
            if (ec) {
                continue;
            }
            {
                std::lock_guard lock(mutex_);
                targets_.push_back(std::string(req.target()));
            }
            auto answer = handler_(req);
            if (answer.hang) {
                // Keep the socket open until the server goes away; the client must time out by itself.
                hanging_.emplace_back([this, s = std::move(socket)]() mutable {
                    while (!stopping_) {
                        std::this_thread::sleep_for(std::chrono::milliseconds(10));
                    }
                });
                continue;
            }
            http::response<http::string_body> res{static_cast<http::status>(answer.status), 11};
            res.set(http::field::content_type, answer.content_type);
            {
                std::lock_guard lock(mutex_);
                res.set("Api-Version", api_version_);
            }
            res.body() = answer.body;
            res.prepare_payload();
            http::write(socket, res, ec);
        }
    }

    Handler handler_;
    std::string api_version_;
    boost::asio::io_context ioc_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::atomic<bool> stopping_{false};
    std::mutex mutex_;
    std::vector<std::string> targets_;
    std::vector<std::thread> hanging_;
    std::thread thread_;
};

}  // namespace sb::test
