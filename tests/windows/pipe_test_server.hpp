#pragma once

// A named-pipe HTTP server in a thread, for the named-pipe transport tests: like the engine's
// \\.\pipe\docker_engine it answers one request per connection with what the test's handler returns, or holds
// the connection open without answering. With `instances` = 1 a held connection makes the pipe busy.

#include <windows.h>

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/win32.hpp"
#include "fakes/test_response.hpp"

namespace sb::test {

struct PipeRequest {
    std::string method;
    std::string target;
    std::string body;
};

class PipeTestServer {
  public:
    using Handler = std::function<TestResponse(const PipeRequest&)>;

    // A unique pipe name per server, so tests never meet each other's pipes.
    static std::string unique_path() {
        static std::atomic<int> counter{0};
        return "\\\\.\\pipe\\sb-test-" + std::to_string(::GetCurrentProcessId()) + "-" +
               std::to_string(++counter);
    }

    explicit PipeTestServer(Handler handler, DWORD instances = PIPE_UNLIMITED_INSTANCES)
        : path_(unique_path()),
          handler_(std::move(handler)),
          instances_(instances),
          stop_event_(::CreateEventW(nullptr, TRUE, FALSE, nullptr)) {
        // The first instance exists before the constructor returns: a client never finds the pipe missing.
        first_ = create_instance();
        thread_ = std::thread([this] { serve(); });
    }

    ~PipeTestServer() {
        stopping_ = true;
        ::SetEvent(stop_event_.get());
        // Wake a ConnectNamedPipe that waits for a client with a connection of our own.
        win32::UniqueHandle wake(::CreateFileW(win32::widen(path_).c_str(), GENERIC_READ | GENERIC_WRITE, 0,
                                               nullptr, OPEN_EXISTING, 0, nullptr));
        thread_.join();
        for (auto& h : held_) {
            ::DisconnectNamedPipe(h.get());
        }
    }

    PipeTestServer(const PipeTestServer&) = delete;
    PipeTestServer& operator=(const PipeTestServer&) = delete;

    // \\.\pipe\sb-test-..., as Endpoint::path holds it.
    const std::string& path() const { return path_; }
    // npipe:////./pipe/sb-test-..., as --docker-host takes it.
    std::string url() const { return "npipe:////./pipe/" + path_.substr(9); }

    std::vector<std::string> targets() {
        std::lock_guard lock(mutex_);
        return targets_;
    }

  private:
    win32::UniqueHandle create_instance() {
        return win32::UniqueHandle(::CreateNamedPipeW(win32::widen(path_).c_str(), PIPE_ACCESS_DUPLEX,
                                                      PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT,
                                                      instances_, 64 * 1024, 64 * 1024, 0, nullptr));
    }

    void serve() {
        win32::UniqueHandle pipe = std::move(first_);
        while (!stopping_) {
            if (!pipe.valid()) {
                pipe = create_instance();
            }
            if (!pipe.valid()) {
                // Every instance is held by a hanging connection: the pipe stays busy until the end.
                ::WaitForSingleObject(stop_event_.get(), INFINITE);
                return;
            }
            if (!::ConnectNamedPipe(pipe.get(), nullptr) && ::GetLastError() != ERROR_PIPE_CONNECTED) {
                pipe.reset();
                continue;
            }
            if (stopping_) {
                return;
            }
            // Like a real server, have the next instance listening before serving this one: between two
            // instances the pipe does not exist, and a client would get ERROR_FILE_NOT_FOUND.
            win32::UniqueHandle next = create_instance();
            PipeRequest request;
            if (!read_request(pipe.get(), request)) {
                ::DisconnectNamedPipe(pipe.get());
                pipe = std::move(next);
                continue;
            }
            {
                std::lock_guard lock(mutex_);
                targets_.push_back(request.target);
            }
            TestResponse response = handler_(request);
            if (response.hang) {
                held_.push_back(std::move(pipe));
                pipe = std::move(next);
                continue;
            }
            std::string out =
                "HTTP/1.1 " + std::to_string(response.status) +
                " X\r\nContent-Type: " + response.content_type +
                "\r\nApi-Version: 1.41\r\nContent-Length: " + std::to_string(response.body.size()) +
                "\r\nConnection: close\r\n\r\n" + response.body;
            DWORD written = 0;
            ::WriteFile(pipe.get(), out.data(), static_cast<DWORD>(out.size()), &written, nullptr);
            ::FlushFileBuffers(pipe.get());
            ::DisconnectNamedPipe(pipe.get());
            pipe = std::move(next);
        }
    }

    static bool read_request(HANDLE pipe, PipeRequest& request) {
        std::string data;
        std::size_t head_end = std::string::npos;
        std::size_t body_length = 0;
        char buf[4096];
        for (;;) {
            if (head_end != std::string::npos && data.size() >= head_end + 4 + body_length) {
                break;
            }
            DWORD n = 0;
            if (!::ReadFile(pipe, buf, sizeof buf, &n, nullptr) || n == 0) {
                return false;
            }
            data.append(buf, n);
            if (head_end == std::string::npos && (head_end = data.find("\r\n\r\n")) != std::string::npos) {
                auto head = data.substr(0, head_end);
                for (auto& c : head) {
                    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                }
                if (auto cl = head.find("content-length:"); cl != std::string::npos) {
                    body_length = std::stoul(head.substr(cl + 15));
                }
            }
        }
        auto sp1 = data.find(' ');
        auto sp2 = data.find(' ', sp1 + 1);
        request.method = data.substr(0, sp1);
        request.target = data.substr(sp1 + 1, sp2 - sp1 - 1);
        request.body = data.substr(head_end + 4, body_length);
        return true;
    }

    std::string path_;
    Handler handler_;
    DWORD instances_;
    win32::UniqueHandle stop_event_;
    win32::UniqueHandle first_;
    std::atomic<bool> stopping_{false};
    std::mutex mutex_;
    std::vector<std::string> targets_;
    std::vector<win32::UniqueHandle> held_;  // hanging connections, closed at the end
    std::thread thread_;
};

}  // namespace sb::test
