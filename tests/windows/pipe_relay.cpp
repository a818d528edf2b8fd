// pipe_relay: serves a named pipe (default \\.\pipe\docker_engine) and forwards every connection to a TCP
// address, byte for byte. For the end-to-end test: under wine in a lab node's network namespace, it stands in
// for Docker Desktop's or dockerd's pipe, so swarm-bootstrap.exe reaches the node's engine through its
// default docker host.
//
//   pipe_relay.exe HOST:PORT [PIPE]

#include <windows.h>

#include <array>
#include <cstdio>
#include <memory>
#include <string>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/windows/overlapped_ptr.hpp>
#include <boost/asio/windows/stream_handle.hpp>
#include <boost/asio/write.hpp>

#include "common/win32.hpp"

namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;

namespace {

class Session : public std::enable_shared_from_this<Session> {
  public:
    Session(asio::windows::stream_handle pipe, asio::io_context& ioc)
        : pipe_(std::move(pipe)), socket_(ioc), resolver_(ioc) {}

    void start(const std::string& host, const std::string& port) {
        auto self = shared_from_this();
        resolver_.async_resolve(host, port, [self](error_code ec, tcp::resolver::results_type results) {
            if (ec) {
                std::fprintf(stderr, "pipe_relay: resolve: %s\n", ec.message().c_str());
                self->close();
                return;
            }
            asio::async_connect(self->socket_, results, [self](error_code cec, const tcp::endpoint&) {
                if (cec) {
                    std::fprintf(stderr, "pipe_relay: connect: %s\n", cec.message().c_str());
                    self->close();
                    return;
                }
                self->pipe_to_socket();
                self->socket_to_pipe();
            });
        });
    }

  private:
    void pipe_to_socket() {
        auto self = shared_from_this();
        pipe_.async_read_some(asio::buffer(up_), [self](error_code ec, std::size_t n) {
            if (ec) {
                // The client is done sending (or gone): pass the end on to the engine.
                error_code ignored;
                self->socket_.shutdown(tcp::socket::shutdown_send, ignored);
                return;
            }
            asio::async_write(self->socket_, asio::buffer(self->up_, n), [self](error_code wec, std::size_t) {
                if (!wec) {
                    self->pipe_to_socket();
                }
            });
        });
    }

    void socket_to_pipe() {
        auto self = shared_from_this();
        socket_.async_read_some(asio::buffer(down_), [self](error_code ec, std::size_t n) {
            if (ec) {
                self->close();  // the engine closed (Connection: close): so does the pipe
                return;
            }
            asio::async_write(self->pipe_, asio::buffer(self->down_, n), [self](error_code wec, std::size_t) {
                if (wec) {
                    self->close();
                    return;
                }
                self->socket_to_pipe();
            });
        });
    }

    void close() {
        error_code ignored;
        if (pipe_.is_open()) {
            ::FlushFileBuffers(pipe_.native_handle());
            ::DisconnectNamedPipe(pipe_.native_handle());
        }
        pipe_.close(ignored);
        socket_.close(ignored);
    }

    asio::windows::stream_handle pipe_;
    tcp::socket socket_;
    tcp::resolver resolver_;
    std::array<char, 16384> up_{};
    std::array<char, 16384> down_{};
};

class Relay {
  public:
    Relay(asio::io_context& ioc, std::wstring pipe, std::string host, std::string port)
        : ioc_(ioc), pipe_(std::move(pipe)), host_(std::move(host)), port_(std::move(port)) {}

    bool accept() {
        HANDLE h = ::CreateNamedPipeW(pipe_.c_str(), PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED,
                                      PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT,
                                      PIPE_UNLIMITED_INSTANCES, 64 * 1024, 64 * 1024, 0, nullptr);
        if (h == INVALID_HANDLE_VALUE) {
            std::fprintf(stderr, "pipe_relay: cannot create %s: %s\n", sb::win32::narrow(pipe_).c_str(),
                         sb::win32::error_text(::GetLastError()).c_str());
            return false;
        }
        auto pipe = std::make_shared<asio::windows::stream_handle>(ioc_, h);
        asio::windows::overlapped_ptr op(ioc_, [this, pipe](error_code ec, std::size_t) {
            if (!ec) {
                std::make_shared<Session>(std::move(*pipe), ioc_)->start(host_, port_);
            } else {
                std::fprintf(stderr, "pipe_relay: accept: %s\n", ec.message().c_str());
            }
            accept();
        });
        BOOL ok = ::ConnectNamedPipe(h, op.get());
        DWORD error = ::GetLastError();
        if (!ok && error == ERROR_IO_PENDING) {
            op.release();  // completes through the io_context
        } else if (!ok && error == ERROR_PIPE_CONNECTED) {
            op.complete(error_code(), 0);  // a client came between create and connect
        } else if (!ok) {
            op.complete(error_code(static_cast<int>(error), boost::system::system_category()), 0);
        } else {
            op.complete(error_code(), 0);
        }
        return true;
    }

  private:
    asio::io_context& ioc_;
    std::wstring pipe_;
    std::string host_;
    std::string port_;
};

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || argc > 3) {
        std::fprintf(stderr, "usage: pipe_relay HOST:PORT [\\\\.\\pipe\\NAME]\n");
        return 2;
    }
    std::string target = argv[1];
    auto colon = target.rfind(':');
    if (colon == std::string::npos) {
        std::fprintf(stderr, "pipe_relay: %s is not HOST:PORT\n", target.c_str());
        return 2;
    }
    std::string pipe = argc == 3 ? argv[2] : "\\\\.\\pipe\\docker_engine";
    asio::io_context ioc;
    Relay relay(ioc, sb::win32::widen(pipe), target.substr(0, colon), target.substr(colon + 1));
    if (!relay.accept()) {
        return 1;
    }
    std::printf("pipe_relay: %s -> %s\n", pipe.c_str(), target.c_str());
    std::fflush(stdout);
    ioc.run();
    return 0;
}
