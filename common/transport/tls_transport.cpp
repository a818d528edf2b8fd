// TLS to an Engine API (docker's --tlsverify setup), with OpenSSL through Asio.

#include <openssl/crypto.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>

#include "common/error.hpp"
#include "common/host_name.hpp"
#include "common/transport.hpp"
#include "common/transport/http_exchange.hpp"
#include "common/transport/tcp_connect.hpp"
#include "common/transport/tls_library.hpp"
#include "common/transport/tls_trust.hpp"

namespace sb {

namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

// Builds the context once; a bad file is a configuration error, not a network one.
std::shared_ptr<ssl::context> make_context(const TlsOptions& tls) {
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                     ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
    boost::system::error_code ec;
    auto check = [&](const std::string& what, const std::string& file) {
        if (ec) {
            throw Failure(ExitCode::usage, "cannot load TLS " + what + " '" + file + "': " + ec.message() +
                                               "; check --tls-" + what);
        }
    };
    if (tls.verify) {
        ctx->set_verify_mode(ssl::verify_peer);
        if (tls.ca_file.empty()) {
            detail::load_system_trust(*ctx, ec);
            check("ca", "system store");
        } else {
            ctx->load_verify_file(tls.ca_file, ec);
            check("ca", tls.ca_file);
        }
    } else {
        ctx->set_verify_mode(ssl::verify_none);
    }
    if (!tls.cert_file.empty()) {
        ctx->use_certificate_chain_file(tls.cert_file, ec);
        check("cert", tls.cert_file);
    }
    if (!tls.key_file.empty()) {
        ctx->use_private_key_file(tls.key_file, ssl::context::pem, ec);
        check("key", tls.key_file);
    }
    return ctx;
}

class TlsTransport final : public detail::EndpointTransport {
  public:
    TlsTransport(Endpoint ep, const TlsOptions& tls, TransportLimits limits)
        : EndpointTransport(std::move(ep), limits), verify_(tls.verify), context_(make_context(tls)) {}

    sb::expected<HttpResponse, TransportError> round_trip(const HttpRequest& request, Duration timeout,
                                                          std::stop_token stop) override {
        asio::io_context ioc;
        tcp::resolver resolver(ioc);
        ssl::stream<tcp::socket> stream(ioc, *context_);
        bool handshaking = false;
        // A manager given by DNS name is reached at one of its addresses but must prove the name.
        const std::string& name = endpoint().tls_name.empty() ? endpoint().host : endpoint().tls_name;
        if (verify_) {
            stream.set_verify_callback(ssl::host_name_verification(name));
        }
        // SNI is for names only; an IP literal is checked against the certificate's IP SANs.
        if (!is_ip_literal(name)) {
            // SSL_set_tlsext_host_name is a macro with a C cast; this is what it expands to.
            SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                     const_cast<char*>(name.c_str()));
        }
        auto result = detail::run_exchange(
            ioc, stream,
            [&](auto handler) {
                detail::async_resolve_connect(
                    resolver, stream.next_layer(), endpoint(), [&, handler](boost::system::error_code cec) {
                        if (cec) {
                            handler(cec);
                            return;
                        }
                        handshaking = true;
                        stream.async_handshake(ssl::stream_base::client,
                                               [&, handler](boost::system::error_code hec) {
                                                   if (!hec) {
                                                       handshaking = false;
                                                   }
                                                   handler(hec);
                                               });
                    });
            },
            [&] {
                boost::system::error_code ignored;
                resolver.cancel();
                stream.next_layer().close(ignored);
            },
            request, endpoint().authority(), timeout, body_limit(), std::move(stop));
        // Only what TLS itself said (a certificate, an alert) is a TLS failure. A reset or an end of stream
        // in the middle of the handshake is a dockerd that is restarting or not listening yet: "not yet".
        const bool ssl_failure =
            !result && (result.error().ec.category() == asio::error::get_ssl_category() ||
                        (result.error().ec.category() == ssl::error::get_stream_category() &&
                         result.error().ec != ssl::error::stream_truncated));
        if (!result && (ssl_failure || handshaking) && !result.error().timed_out && !result.error().stopped) {
            TransportError e = result.error();
            e.tls = ssl_failure;
            e.message = "TLS handshake with " + endpoint().authority() +
                        (ssl_failure ? " failed: " : " interrupted: ") + e.ec.message();
            return sb::unexpected(std::move(e));
        }
        return result;
    }

  private:
    bool verify_;
    std::shared_ptr<ssl::context> context_;
};

}  // namespace

std::string tls_library() {
    return OpenSSL_version(OPENSSL_VERSION);
}

std::unique_ptr<Transport> make_tls_transport(const Endpoint& endpoint, const TlsOptions& tls,
                                              TransportLimits limits) {
    return std::make_unique<TlsTransport>(endpoint, tls, limits);
}

}  // namespace sb
