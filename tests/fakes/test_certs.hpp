#pragma once

// Throwaway certificates for TLS tests, made with OpenSSL at test time: a CA, a server certificate for
// 127.0.0.1 and a client certificate, written as PEM files into a temporary directory.

#include <filesystem>
#include <string>

namespace sb::test {

struct TestPki {
    std::filesystem::path dir;
    std::filesystem::path ca_cert, server_cert, server_key, client_cert, client_key;
};

// `name` keeps concurrent test directories apart; `server_ip` goes into the server certificate's SAN as
// IP:server_ip, or verbatim when it is written "DNS:name" (a certificate that names only a DNS name).
TestPki make_test_pki(const std::string& name, const std::string& server_ip = "127.0.0.1");

}  // namespace sb::test
