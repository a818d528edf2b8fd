// Builds without OpenSSL (the mingw cross build) cannot speak TLS; say so instead of failing obscurely.

#include "common/error.hpp"
#include "common/transport.hpp"
#include "common/transport/tls_library.hpp"

namespace sb {

std::string tls_library() {
    return {};
}

std::unique_ptr<Transport> make_tls_transport(const Endpoint& endpoint, const TlsOptions&, TransportLimits) {
    throw Failure(ExitCode::usage,
                  "TLS to " + endpoint.authority() +
                      " is not available in this build (no OpenSSL); use a build with TLS or plain TCP");
}

}  // namespace sb
