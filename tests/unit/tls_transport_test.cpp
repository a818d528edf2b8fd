// The TLS transport against an in-process TLS server that, like dockerd with --tlsverify, requires a client
// certificate signed by its CA. Only in builds with OpenSSL.

#include "sb_doctest.hpp"

#include <atomic>
#include <mutex>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "common/engine_client.hpp"
#include "common/error.hpp"
#include "fakes/stop_timing.hpp"
#include "fakes/test_certs.hpp"

using namespace sb;
using namespace sb::test;
namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace http = boost::beast::http;

namespace {

// Serves /version and /_ping over TLS, one connection at a time, verifying client certificates.
class TlsEngine {
  public:
    explicit TlsEngine(const TestPki& pki)
        : context_(ssl::context::tls_server), acceptor_(ioc_, {asio::ip::make_address("127.0.0.1"), 0}) {
        context_.use_certificate_chain_file(pki.server_cert.string());
        context_.use_private_key_file(pki.server_key.string(), ssl::context::pem);
        context_.load_verify_file(pki.ca_cert.string());
        context_.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
        thread_ = std::thread([this] { serve(); });
    }
    ~TlsEngine() {
        stopping_ = true;
        asio::io_context ioc;
        asio::ip::tcp::socket s(ioc);
        boost::system::error_code ec;
        s.connect(acceptor_.local_endpoint(), ec);
        thread_.join();
    }
    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    int served() const { return served_; }
    std::string server_name() const {
        std::lock_guard lock(mutex_);
        return server_name_;
    }

  private:
    void serve() {
        while (!stopping_) {
            ssl::stream<asio::ip::tcp::socket> stream(ioc_, context_);
            boost::system::error_code ec;
            acceptor_.accept(stream.next_layer(), ec);
            if (ec || stopping_) {
                return;
            }
            stream.handshake(ssl::stream_base::server, ec);
            if (ec) {
                continue;
            }
            if (const char* sni = SSL_get_servername(stream.native_handle(), TLSEXT_NAMETYPE_host_name)) {
                std::lock_guard lock(mutex_);
                server_name_ = sni;
            }
            boost::beast::flat_buffer buffer;
            http::request<http::string_body> req;
            http::read(stream, buffer, req, ec);
            if (ec) {
                continue;
            }
            http::response<http::string_body> res{http::status::ok, 11};
            res.set(http::field::content_type, "application/json");
            res.body() = R"({"Version":"20.10.24","ApiVersion":"1.41","Os":"linux","Arch":"amd64"})";
            res.prepare_payload();
            ++served_;  // before the write: the client may check as soon as it has the answer
            http::write(stream, res, ec);
            stream.shutdown(ec);
        }
    }

    asio::io_context ioc_;
    ssl::context context_;
    asio::ip::tcp::acceptor acceptor_;
    std::atomic<bool> stopping_{false};
    std::atomic<int> served_{0};
    mutable std::mutex mutex_;
    std::string server_name_;  // the SNI of the last handshake
    std::thread thread_;
};

ApiResult<VersionInfo> version_over_tls(const std::string& host, std::uint16_t port, const TlsOptions& tls,
                                        const std::string& tls_name = "") {
    Endpoint ep;
    ep.host = host;
    ep.port = port;
    ep.tls = true;
    ep.tls_name = tls_name;
    EngineClient client(make_transport(ep, tls));
    return client.version();
}

}  // namespace

TEST_CASE("TLS with the engine's CA and a client certificate works") {
    auto pki = make_test_pki("ok");
    TlsEngine engine(pki);
    auto v =
        version_over_tls("127.0.0.1", engine.port(),
                         {pki.ca_cert.string(), pki.client_cert.string(), pki.client_key.string(), true});
    REQUIRE(v);
    CHECK(v->api_version == "1.41");
    CHECK(engine.served() == 1);
}

TEST_CASE("a server certificate from another CA is a TLS failure, not 'not ready yet'") {
    auto pki = make_test_pki("server");
    auto other = make_test_pki("other-ca");
    TlsEngine engine(pki);
    auto v =
        version_over_tls("127.0.0.1", engine.port(),
                         {other.ca_cert.string(), pki.client_cert.string(), pki.client_key.string(), true});
    REQUIRE_FALSE(v);
    CHECK(v.error().kind == ApiErrorKind::tls);
    CHECK(v.error().message.find("TLS") != std::string::npos);
}

TEST_CASE("a certificate for another address fails verification") {
    auto pki = make_test_pki("wrong-ip", "10.9.9.9");
    TlsEngine engine(pki);
    auto v =
        version_over_tls("127.0.0.1", engine.port(),
                         {pki.ca_cert.string(), pki.client_cert.string(), pki.client_key.string(), true});
    REQUIRE_FALSE(v);
    CHECK(v.error().kind == ApiErrorKind::tls);
}

TEST_CASE("a manager given by DNS name proves that name, and hears it as SNI") {
    // What the docker docs' "protect the daemon socket" recipe makes: a certificate for the DNS name only.
    auto pki = make_test_pki("dns-name", "DNS:mgr1.example.test");
    TlsEngine engine(pki);
    const TlsOptions tls{pki.ca_cert.string(), pki.client_cert.string(), pki.client_key.string(), true};
    auto v = version_over_tls("127.0.0.1", engine.port(), tls, "mgr1.example.test");
    REQUIRE(v);
    CHECK(engine.served() == 1);
    CHECK(engine.server_name() == "mgr1.example.test");

    SUBCASE("reached by its address alone, the same certificate does not name it") {
        auto by_ip = version_over_tls("127.0.0.1", engine.port(), tls);
        REQUIRE_FALSE(by_ip);
        CHECK(by_ip.error().kind == ApiErrorKind::tls);
    }
    SUBCASE("another name is refused") {
        auto other = version_over_tls("127.0.0.1", engine.port(), tls, "mgr2.example.test");
        REQUIRE_FALSE(other);
        CHECK(other.error().kind == ApiErrorKind::tls);
    }
}

TEST_CASE("a reset in the middle of the handshake is 'not yet', not a TLS failure") {
    // A dockerd that is restarting accepts, then drops the connection before the handshake completes.
    auto pki = make_test_pki("reset");
    asio::io_context ioc;
    asio::ip::tcp::acceptor acceptor(ioc, {asio::ip::make_address("127.0.0.1"), 0});
    std::thread server([&] {
        for (int i = 0; i < 2; ++i) {
            asio::ip::tcp::socket s(ioc);
            boost::system::error_code ec;
            acceptor.accept(s, ec);
            if (ec) {
                return;
            }
            char hello[16];
            s.read_some(asio::buffer(hello), ec);  // the ClientHello has started
            if (i == 0) {
                s.set_option(asio::socket_base::linger(true, 0), ec);  // RST
            }
            s.close(ec);  // the second: a plain close, an end of stream
        }
    });
    const TlsOptions tls{pki.ca_cert.string(), pki.client_cert.string(), pki.client_key.string(), true};
    auto reset = version_over_tls("127.0.0.1", acceptor.local_endpoint().port(), tls);
    auto closed = version_over_tls("127.0.0.1", acceptor.local_endpoint().port(), tls);
    server.join();
    REQUIRE_FALSE(reset);
    CHECK(reset.error().kind == ApiErrorKind::unreachable);
    REQUIRE_FALSE(closed);
    CHECK(closed.error().kind == ApiErrorKind::unreachable);
}

TEST_CASE("an engine that requires a client certificate refuses a client without one") {
    auto pki = make_test_pki("no-client");
    TlsEngine engine(pki);
    auto v = version_over_tls("127.0.0.1", engine.port(), {pki.ca_cert.string(), "", "", true});
    REQUIRE_FALSE(v);
    CHECK(v.error().kind == ApiErrorKind::tls);
    CHECK(engine.served() == 0);
}

TEST_CASE("unreadable TLS files are configuration errors") {
    auto pki = make_test_pki("files");
    Endpoint ep;
    ep.host = "127.0.0.1";
    ep.port = 1;
    ep.tls = true;
    TlsOptions missing{(pki.dir / "nope.pem").string(), "", "", true};
    try {
        make_transport(ep, missing);
        FAIL("no error for a missing CA file");
    } catch (const Failure& f) {
        CHECK(f.code() == ExitCode::usage);
        CHECK(std::string(f.what()).find("nope.pem") != std::string::npos);
    }
}

TEST_CASE("stop: a TLS handshake with a server that never answers ends at once, and is no TLS failure") {
    SilentTcpListener listener;
    auto transport = make_transport(listener.endpoint(true), TlsOptions{"", "", "", false});
    check_stopped(exchange_stopped_midway(*transport, {http::verb::get, "/_ping", ""}), "connect");
}
