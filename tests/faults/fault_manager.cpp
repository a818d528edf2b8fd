// fault_manager: a scriptable misbehaving Docker manager for the fault matrix (tests/faults/).
//
// It listens on one address, one port per behaviour, and answers the Engine API the way a broken, hostile or
// half-dead manager would: silent, resetting, trickling, oversized, truncated, garbled, with error statuses,
// with JSON of the wrong types, over TLS with bad certificates, or as a proxy to a real engine that rotates
// the join token right after handing it out. Plain blocking Asio, one thread per connection: it serves one
// test.
//
//   fault_manager --bind IP [--ready FILE] [--tls-cert F --tls-key F [--tls-client-ca F] | --no-tls]
//                 --serve PORT BEHAVIOUR [ARG] ...
//
// TLS options apply to the --serve options that follow them. BEHAVIOURs are listed in behaviour_names below.

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using nlohmann::json;

const std::set<std::string> behaviour_names = {
    "good",                // a healthy-looking active manager (RemoteManagers: ARG, default its own IP:2377)
    "silent",              // accept, never answer
    "close",               // accept, close at once
    "reset-headers",       // read the request, send half a status line and headers, then RST
    "reset-body",          // send headers and part of the body, then RST
    "slow-body",           // a valid answer whose body arrives at 1 byte per second
    "oversize-length",     // Content-Length of 64 MiB, streamed until the client gives up
    "oversize-chunked",    // a chunked body that never ends (beyond any size cap)
    "truncated",           // Content-Length larger than what is sent, then FIN
    "bad-chunked",         // Transfer-Encoding: chunked with an invalid chunk size line
    "garbage",             // bytes that are not HTTP, then close
    "status",              // /swarm answers ARG = "CODE message" as the engine's {"message": ...}
    "info-types",          // /info with every field of the wrong JSON type
    "swarm-types",         // /swarm with every field of the wrong JSON type
    "no-tokens",           // /swarm 200 without JoinTokens
    "remote-unreachable",  // RemoteManagers lists only addresses ARG (comma-separated) nobody answers on
    "rotate-proxy",  // proxy to the real engine ARG (HOST:PORT); rotates its join tokens right after the
                     // first GET /swarm was read from it, so the agent holds a stale token
    "skew-proxy",  // proxy to the real engine at HOST:PORT of ARG = "HOST:PORT,SECONDS", with every answer's
                   // Date header moved by SECONDS (a manager whose clock is off; a namespace has no clock)
};

struct Serve {
    std::uint16_t port = 0;
    std::string behaviour;
    std::string arg;
    std::shared_ptr<ssl::context> tls;  // null: plain TCP
};

std::string bind_ip;

// ------------------------------------------------------------------------------------------ a connection

// The same code over TCP and TLS: a connection reads and writes bytes, and can end with FIN or RST.
class Conn {
  public:
    virtual ~Conn() = default;
    virtual std::size_t read_some(asio::mutable_buffer b, boost::system::error_code& ec) = 0;
    virtual void write(const std::string& s, boost::system::error_code& ec) = 0;
    virtual tcp::socket& socket() = 0;
    virtual void shutdown() {}

    void reset() {
        boost::system::error_code ec;
        socket().set_option(asio::socket_base::linger(true, 0), ec);
        socket().close(ec);
    }
    void close() {
        boost::system::error_code ec;
        shutdown();
        socket().shutdown(tcp::socket::shutdown_both, ec);
        socket().close(ec);
    }
};

class TcpConn final : public Conn {
  public:
    explicit TcpConn(tcp::socket s) : s_(std::move(s)) {}
    std::size_t read_some(asio::mutable_buffer b, boost::system::error_code& ec) override {
        return s_.read_some(b, ec);
    }
    void write(const std::string& s, boost::system::error_code& ec) override {
        asio::write(s_, asio::buffer(s), ec);
    }
    tcp::socket& socket() override { return s_; }

  private:
    tcp::socket s_;
};

class TlsConn final : public Conn {
  public:
    TlsConn(tcp::socket s, ssl::context& ctx) : s_(std::move(s), ctx) {}
    bool handshake() {
        boost::system::error_code ec;
        s_.handshake(ssl::stream_base::server, ec);
        return !ec;
    }
    std::size_t read_some(asio::mutable_buffer b, boost::system::error_code& ec) override {
        return s_.read_some(b, ec);
    }
    void write(const std::string& s, boost::system::error_code& ec) override {
        asio::write(s_, asio::buffer(s), ec);
    }
    tcp::socket& socket() override { return s_.next_layer(); }
    void shutdown() override {
        boost::system::error_code ec;
        s_.shutdown(ec);
    }

  private:
    ssl::stream<tcp::socket> s_;
};

struct Request {
    std::string method;
    std::string path;  // without the /vX.Y prefix and the query
    std::string raw;   // the whole request as read (for the proxy)
};

// Reads one request (headers and a Content-Length body). Empty method: the client went away.
Request read_request(Conn& c) {
    Request r;
    std::string data;
    char buf[4096];
    boost::system::error_code ec;
    std::size_t end = std::string::npos;
    while ((end = data.find("\r\n\r\n")) == std::string::npos) {
        auto n = c.read_some(asio::buffer(buf), ec);
        if (ec) {
            return r;
        }
        data.append(buf, n);
        if (data.size() > 1 << 20) {
            return r;
        }
    }
    std::size_t body = 0;
    std::string lower = data.substr(0, end);
    for (auto& ch : lower) {
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
    if (auto p = lower.find("\r\ncontent-length:"); p != std::string::npos) {
        body = std::strtoul(lower.c_str() + p + 17, nullptr, 10);
    }
    while (data.size() < end + 4 + body) {
        auto n = c.read_some(asio::buffer(buf), ec);
        if (ec) {
            return r;
        }
        data.append(buf, n);
    }
    auto sp1 = data.find(' ');
    auto sp2 = data.find(' ', sp1 + 1);
    r.method = data.substr(0, sp1);
    std::string target = data.substr(sp1 + 1, sp2 - sp1 - 1);
    target = target.substr(0, target.find('?'));
    if (target.rfind("/v1.", 0) == 0) {
        target = target.substr(target.find('/', 1));
    }
    r.path = target;
    r.raw = std::move(data);
    return r;
}

std::string response(int status, const std::string& body, const std::string& type = "application/json",
                     const std::string& extra_headers = "") {
    return "HTTP/1.1 " + std::to_string(status) + " Fault\r\nApi-Version: 1.41\r\nContent-Type: " + type +
           "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n" +
           extra_headers + "\r\n" + body;
}

// ------------------------------------------------------------------------------------------ a healthy
// manager

json manager_list(const std::string& arg) {
    json list = json::array();
    std::string addrs = arg.empty() ? bind_ip + ":2377" : arg;
    std::size_t start = 0;
    int n = 0;
    while (start <= addrs.size()) {
        auto comma = addrs.find(',', start);
        auto a = addrs.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        list.push_back({{"NodeID", "faultnode" + std::to_string(n++)}, {"Addr", a}});
        if (comma == std::string::npos) {
            break;
        }
        start = comma + 1;
    }
    return list;
}

json good_info(const std::string& managers_arg) {
    return {{"ID", "FAULT:MANAGER"},
            {"Name", "fault-manager"},
            {"OSType", "linux"},
            {"OperatingSystem", "Fault OS"},
            {"KernelVersion", "6.1.0"},
            {"Architecture", "x86_64"},
            {"Swarm",
             {{"NodeID", "faultnode0"},
              {"NodeAddr", bind_ip},
              {"LocalNodeState", "active"},
              {"ControlAvailable", true},
              {"Error", ""},
              {"RemoteManagers", manager_list(managers_arg)},
              {"Cluster", {{"ID", "faultcluster"}}}}}};
}

// Tokens of the right shape: an agent that leaks them fails the test's token check.
json good_swarm() {
    return {
        {"ID", "faultcluster"},
        {"Version", {{"Index", 11}}},
        {"JoinTokens",
         {{"Worker", "SWMTKN-1-3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl-faultworkertoken00000"},
          {"Manager", "SWMTKN-1-3pu6hszjas19xyp7ghgosyx9k8atbfcr8p2is99znpy26u2lkl-faultmanagertoken0000"}}}};
}

// The answer of a healthy manager to REQ; BODY_SWARM/BODY_INFO override those two.
std::string healthy(const Request& req, const Serve& s, const std::optional<std::string>& info = {},
                    const std::optional<std::string>& swarm = {}) {
    if (req.path == "/_ping") {
        return response(200, "OK", "text/plain; charset=utf-8");
    }
    if (req.path == "/version") {
        return response(200, json{{"Version", "20.10.24"},
                                  {"ApiVersion", "1.41"},
                                  {"MinAPIVersion", "1.12"},
                                  {"Os", "linux"},
                                  {"Arch", "amd64"},
                                  {"KernelVersion", "6.1.0"}}
                                 .dump());
    }
    if (req.path == "/info") {
        return info ? *info : response(200, good_info(s.arg).dump());
    }
    if (req.path == "/swarm") {
        return swarm ? *swarm : response(200, good_swarm().dump());
    }
    return response(404, json{{"message", "page not found"}}.dump());
}

// ------------------------------------------------------------------------------------------ misbehaviours

void sleep_s(double s) {
    std::this_thread::sleep_for(std::chrono::duration<double>(s));
}

// Reads and discards until the client goes away.
void drain(Conn& c) {
    char buf[1024];
    boost::system::error_code ec;
    while (!ec) {
        c.read_some(asio::buffer(buf), ec);
    }
}

std::string head(int status, const std::string& headers) {
    return "HTTP/1.1 " + std::to_string(status) +
           " OK\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\n" + headers +
           "Connection: close\r\n\r\n";
}

std::string status_body(const std::string& arg, int& status) {
    status = std::atoi(arg.c_str());
    auto sp = arg.find(' ');
    return json{{"message", sp == std::string::npos ? std::string() : arg.substr(sp + 1)}}.dump() + "\n";
}

// Forwards REQ to the real engine at HOST:PORT and returns its raw answer (read to EOF).
std::string forward(const std::string& upstream, const std::string& raw) {
    asio::io_context ioc;
    tcp::socket up(ioc);
    tcp::resolver resolver(ioc);
    auto colon = upstream.rfind(':');
    asio::connect(up, resolver.resolve(upstream.substr(0, colon), upstream.substr(colon + 1)));
    asio::write(up, asio::buffer(raw));
    std::string out;
    boost::system::error_code ec;
    char buf[8192];
    while (!ec) {
        auto n = up.read_some(asio::buffer(buf), ec);
        out.append(buf, n);
    }
    return out;
}

// Rotates both join tokens of the engine at UPSTREAM (POST /swarm/update with its current spec).
void rotate_tokens(const std::string& upstream) {
    namespace http = boost::beast::http;
    auto call = [&](http::verb verb, const std::string& target, const std::string& body) {
        asio::io_context ioc;
        tcp::socket up(ioc);
        tcp::resolver resolver(ioc);
        auto colon = upstream.rfind(':');
        asio::connect(up, resolver.resolve(upstream.substr(0, colon), upstream.substr(colon + 1)));
        http::request<http::string_body> req{verb, target, 11};
        req.set(http::field::host, upstream);
        req.set(http::field::content_type, "application/json");
        req.body() = body;
        req.prepare_payload();
        http::write(up, req);
        boost::beast::flat_buffer buf;
        http::response<http::string_body> res;
        http::read(up, buf, res);
        return res;
    };
    auto sw = json::parse(call(http::verb::get, "/v1.41/swarm", "").body());
    auto version = sw["Version"]["Index"].get<std::uint64_t>();
    auto res = call(http::verb::post,
                    "/v1.41/swarm/update?version=" + std::to_string(version) +
                        "&rotateWorkerToken=true&rotateManagerToken=true",
                    sw["Spec"].dump());
    std::cerr << "fault_manager: rotated the join tokens of " << upstream << ": " << res.result_int() << "\n";
}

// ANSWER with its Date header replaced by the time now + SECONDS (RFC 7231 IMF-fixdate).
std::string skew_date(std::string answer, long seconds) {
    auto end = answer.find("\r\n\r\n");
    auto at = answer.find("\r\nDate: ");
    if (end == std::string::npos || at == std::string::npos || at > end) {
        return answer;
    }
    auto line_end = answer.find("\r\n", at + 2);
    std::time_t t = std::time(nullptr) + seconds;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char date[64];
    std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return answer.replace(at + 2, line_end - (at + 2), std::string("Date: ") + date);
}

std::mutex rotate_mutex;
bool rotated = false;

void serve_request(Conn& c, const Serve& s) {
    boost::system::error_code ec;
    const auto& b = s.behaviour;
    if (b == "silent") {
        drain(c);
        return;
    }
    if (b == "close") {
        c.close();
        return;
    }
    if (b == "garbage") {
        c.write(std::string("SSH-2.0-OpenSSH_9.2p1\r\n\x00\xff\xfe garbage \x01\x02\r\n\r\n", 42), ec);
        c.close();
        return;
    }
    auto req = read_request(c);
    if (req.method.empty()) {
        return;
    }
    if (b == "reset-headers") {
        c.write("HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Ty", ec);
        sleep_s(0.2);
        c.reset();
        return;
    }
    if (b == "reset-body") {
        c.write(head(200, "Content-Length: 400\r\n") + R"({"ID":"FAULT","Swarm":{"LocalNodeSta)", ec);
        sleep_s(0.2);
        c.reset();
        return;
    }
    if (b == "truncated") {
        c.write(head(200, "Content-Length: 5000\r\n") + R"({"ID":"FAULT","Swarm":{"LocalNodeState":"act)",
                ec);
        sleep_s(0.2);
        c.close();
        return;
    }
    if (b == "bad-chunked") {
        c.write(head(200, "Transfer-Encoding: chunked\r\n") + "zz9\r\n{\"ID\":1}\r\n0\r\n\r\n", ec);
        sleep_s(0.2);
        c.close();
        return;
    }
    if (b == "slow-body") {
        // The whole (valid) answer, one byte per second.
        std::string whole = healthy(req, s);
        auto split = whole.find("\r\n\r\n") + 4;
        c.write(whole.substr(0, split), ec);
        for (std::size_t i = split; i < whole.size() && !ec; ++i) {
            sleep_s(1);
            c.write(whole.substr(i, 1), ec);
        }
        return;
    }
    if (b == "oversize-length" || b == "oversize-chunked") {
        const bool chunked = b == "oversize-chunked";
        c.write(head(200, chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: 67108864\r\n"), ec);
        std::string block(64 * 1024, ' ');
        block.front() = '[';
        if (chunked) {
            char size[16];
            std::snprintf(size, sizeof size, "%zx\r\n", block.size());
            block = size + block + "\r\n";
        }
        for (int i = 0; i < 1024 && !ec; ++i) {
            c.write(block, ec);
        }
        c.close();
        return;
    }
    std::string answer;
    if (b == "good") {
        answer = healthy(req, s);
    } else if (b == "status") {
        int status = 500;
        auto body = status_body(s.arg, status);
        answer = healthy(req, s, {}, response(status, body));
    } else if (b == "info-types") {
        json info = {{"ID", 7},
                     {"Name", json::array()},
                     {"OSType", 1.5},
                     {"Swarm",
                      {{"NodeID", json::object()},
                       {"NodeAddr", 10},
                       {"LocalNodeState", true},
                       {"ControlAvailable", "true"},
                       {"Error", 0},
                       {"RemoteManagers", {{{"NodeID", 1}, {"Addr", 2377}}, "10.0.0.1:2377", nullptr}},
                       {"Cluster", "faultcluster"}}}};
        answer = healthy(req, s, response(200, info.dump()));
    } else if (b == "swarm-types") {
        json sw = {{"ID", json::array()},
                   {"Version", {{"Index", "eleven"}}},
                   {"JoinTokens", {{"Worker", 1}, {"Manager", json::object()}}}};
        answer = healthy(req, s, {}, response(200, sw.dump()));
    } else if (b == "no-tokens") {
        answer = healthy(req, s, {},
                         response(200, json{{"ID", "faultcluster"}, {"Version", {{"Index", 11}}}}.dump()));
    } else if (b == "remote-unreachable") {
        answer = healthy(req, s);
    } else if (b == "rotate-proxy") {
        try {
            answer = forward(s.arg, req.raw);
            if (req.method == "GET" && req.path == "/swarm") {
                std::lock_guard lock(rotate_mutex);
                if (!rotated) {
                    rotated = true;
                    rotate_tokens(s.arg);
                }
            }
        } catch (const std::exception& e) {
            std::cerr << "fault_manager: proxy to " << s.arg << ": " << e.what() << "\n";
            answer = response(502, json{{"message", "fault_manager: upstream failed"}}.dump());
        }
    } else if (b == "skew-proxy") {
        auto comma = s.arg.find(',');
        try {
            answer = skew_date(forward(s.arg.substr(0, comma), req.raw), std::stol(s.arg.substr(comma + 1)));
        } catch (const std::exception& e) {
            std::cerr << "fault_manager: proxy to " << s.arg << ": " << e.what() << "\n";
            answer = response(502, json{{"message", "fault_manager: upstream failed"}}.dump());
        }
    }
    c.write(answer, ec);
    c.close();
}

void serve_connection(tcp::socket sock, const Serve& s) {
    try {
        if (s.tls) {
            TlsConn c(std::move(sock), *s.tls);
            if (!c.handshake()) {
                return;
            }
            serve_request(c, s);
        } else {
            TcpConn c(std::move(sock));
            serve_request(c, s);
        }
    } catch (const std::exception& e) {
        std::cerr << "fault_manager: port " << s.port << ": " << e.what() << "\n";
    }
}

std::shared_ptr<ssl::context> make_tls(const std::string& cert, const std::string& key,
                                       const std::string& client_ca) {
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
    ctx->use_certificate_chain_file(cert);
    ctx->use_private_key_file(key, ssl::context::pem);
    if (!client_ca.empty()) {
        ctx->load_verify_file(client_ca);
        ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
    }
    return ctx;
}

int usage(const std::string& why) {
    std::cerr
        << "fault_manager: " << why
        << "\nusage: fault_manager --bind IP [--ready FILE] [--tls-cert F --tls-key F [--tls-client-ca F] | "
           "--no-tls] --serve PORT BEHAVIOUR [ARG] ...\n";
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    std::vector<Serve> serves;
    std::string ready, cert, key, client_ca;
    std::shared_ptr<ssl::context> tls;
    try {
        for (std::size_t i = 0; i < args.size(); ++i) {
            auto need = [&](std::size_t n) {
                if (i + n >= args.size()) {
                    throw std::invalid_argument(args[i] + " needs " + std::to_string(n) + " value(s)");
                }
            };
            const auto& a = args[i];
            if (a == "--bind") {
                need(1);
                bind_ip = args[++i];
            } else if (a == "--ready") {
                need(1);
                ready = args[++i];
            } else if (a == "--tls-cert" || a == "--tls-key" || a == "--tls-client-ca") {
                need(1);
                (a == "--tls-cert" ? cert : a == "--tls-key" ? key : client_ca) = args[++i];
                tls.reset();
            } else if (a == "--no-tls") {
                cert.clear(), key.clear(), client_ca.clear();
                tls.reset();
            } else if (a == "--serve") {
                need(2);
                Serve s;
                s.port = static_cast<std::uint16_t>(std::stoi(args[i + 1]));
                s.behaviour = args[i + 2];
                i += 2;
                if (i + 1 < args.size() && args[i + 1].rfind("--", 0) != 0) {
                    s.arg = args[++i];
                }
                if (!behaviour_names.count(s.behaviour)) {
                    return usage("unknown behaviour '" + s.behaviour + "'");
                }
                if (!cert.empty() && !tls) {
                    tls = make_tls(cert, key, client_ca);
                }
                s.tls = cert.empty() ? nullptr : tls;
                serves.push_back(s);
            } else {
                return usage("unknown argument '" + a + "'");
            }
        }
    } catch (const std::exception& e) {
        return usage(e.what());
    }
    if (bind_ip.empty() || serves.empty()) {
        return usage("--bind and at least one --serve are needed");
    }
    asio::io_context ioc;
    std::vector<std::unique_ptr<tcp::acceptor>> acceptors;
    for (const auto& s : serves) {
        auto acc = std::make_unique<tcp::acceptor>(ioc);
        tcp::endpoint ep(asio::ip::make_address(bind_ip), s.port);
        acc->open(ep.protocol());
        acc->set_option(asio::socket_base::reuse_address(true));
        acc->bind(ep);
        acc->listen(64);
        acceptors.push_back(std::move(acc));
    }
    if (!ready.empty()) {
        std::ofstream(ready) << "ready\n";
    }
    std::vector<std::thread> loops;
    for (std::size_t i = 0; i < serves.size(); ++i) {
        loops.emplace_back([&, i] {
            for (;;) {
                boost::system::error_code ec;
                tcp::socket sock(ioc);
                acceptors[i]->accept(sock, ec);
                if (ec) {
                    sleep_s(0.05);
                    continue;
                }
                std::thread(serve_connection, std::move(sock), serves[i]).detach();
            }
        });
    }
    for (auto& t : loops) {
        t.join();
    }
}
