#pragma once

// The certificate authorities a TLS client trusts when no --tls-ca is given: the platform's own store.
// Linux: OpenSSL's default paths (Debian's /etc/ssl/certs). Windows: the ROOT system store through CryptoAPI,
// because OpenSSL's default paths there name a directory of the build machine.

#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>

namespace sb::detail {

void load_system_trust(boost::asio::ssl::context& context, boost::system::error_code& ec);

}  // namespace sb::detail
