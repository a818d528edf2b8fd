#include "fakes/test_certs.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fstream>
#include <memory>
#include <stdexcept>

namespace sb::test {

namespace {

using Key = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Cert = std::unique_ptr<X509, decltype(&X509_free)>;

Key new_key() {
    Key key(EVP_EC_gen("P-256"), EVP_PKEY_free);
    if (!key) {
        throw std::runtime_error("EVP_EC_gen failed");
    }
    return key;
}

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (ext == nullptr) {
        throw std::runtime_error("X509V3_EXT_conf_nid failed");
    }
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}

Cert make_cert(EVP_PKEY* key, const char* cn, X509* issuer, EVP_PKEY* issuer_key, long serial, bool ca,
               const std::string& san) {
    Cert cert(X509_new(), X509_free);
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400);
    X509_set_pubkey(cert.get(), key);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1, -1,
                               0);
    X509* signer = issuer != nullptr ? issuer : cert.get();
    X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
    add_ext(cert.get(), signer, NID_basic_constraints, ca ? "critical,CA:TRUE" : "CA:FALSE");
    if (ca) {
        add_ext(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
    }
    if (!san.empty()) {
        add_ext(cert.get(), signer, NID_subject_alt_name, san.c_str());
    }
    if (X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()) == 0) {
        throw std::runtime_error("X509_sign failed");
    }
    return cert;
}

// Through a memory BIO and an ofstream: no FILE* (a wide path on Windows), one code path on both platforms.
void write_pem(const std::filesystem::path& path, X509* cert, EVP_PKEY* key) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), &BIO_free);
    if (!bio || (cert != nullptr && PEM_write_bio_X509(bio.get(), cert) == 0) ||
        (key != nullptr &&
         PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 0)) {
        throw std::runtime_error("cannot encode PEM for " + path.string());
    }
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio.get(), &data);
    std::ofstream out(path, std::ios::binary);
    out.write(data, size);
    if (!out) {
        throw std::runtime_error("cannot write " + path.string());
    }
}

}  // namespace

TestPki make_test_pki(const std::string& name, const std::string& server_ip) {
    TestPki pki;
    pki.dir = std::filesystem::temp_directory_path() / ("sb-pki-" + name);
    std::filesystem::remove_all(pki.dir);
    std::filesystem::create_directories(pki.dir);
    pki.ca_cert = pki.dir / "ca.pem";
    pki.server_cert = pki.dir / "server-cert.pem";
    pki.server_key = pki.dir / "server-key.pem";
    pki.client_cert = pki.dir / "cert.pem";
    pki.client_key = pki.dir / "key.pem";

    auto ca_key = new_key();
    auto ca = make_cert(ca_key.get(), ("test CA " + name).c_str(), nullptr, nullptr, 1, true, "");
    auto server_key = new_key();
    auto server = make_cert(server_key.get(), "engine", ca.get(), ca_key.get(), 2, false,
                            server_ip.rfind("DNS:", 0) == 0 ? server_ip : "IP:" + server_ip);
    auto client_key = new_key();
    auto client = make_cert(client_key.get(), "swarm-bootstrap", ca.get(), ca_key.get(), 3, false, "");

    write_pem(pki.ca_cert, ca.get(), nullptr);
    write_pem(pki.server_cert, server.get(), nullptr);
    write_pem(pki.server_key, nullptr, server_key.get());
    write_pem(pki.client_cert, client.get(), nullptr);
    write_pem(pki.client_key, nullptr, client_key.get());
    return pki;
}

}  // namespace sb::test
