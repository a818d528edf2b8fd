#pragma once

// Which TLS library this build speaks TLS with, for `version`.

#include <string>

namespace sb {

// "OpenSSL 3.0.20 ..." (tls_transport.cpp); empty when the build has none (tls_transport_unavailable.cpp).
std::string tls_library();

}  // namespace sb
