// The Windows ROOT store (what Windows itself trusts) copied into the OpenSSL context's X509_STORE.

#include <windows.h>

#include <wincrypt.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "common/transport/tls_trust.hpp"

namespace sb::detail {

void load_system_trust(boost::asio::ssl::context& context, boost::system::error_code& ec) {
    ec.clear();
    HCERTSTORE store = ::CertOpenSystemStoreW(0, L"ROOT");
    if (store == nullptr) {
        ec.assign(static_cast<int>(::GetLastError()), boost::system::system_category());
        return;
    }
    X509_STORE* trusted = SSL_CTX_get_cert_store(context.native_handle());
    for (PCCERT_CONTEXT cert = ::CertEnumCertificatesInStore(store, nullptr); cert != nullptr;
         cert = ::CertEnumCertificatesInStore(store, cert)) {
        const unsigned char* der = cert->pbCertEncoded;
        X509* x509 = d2i_X509(nullptr, &der, static_cast<long>(cert->cbCertEncoded));
        if (x509 != nullptr) {
            X509_STORE_add_cert(trusted, x509);  // a duplicate is no error worth reporting
            X509_free(x509);
        }
    }
    ::CertCloseStore(store, 0);
}

}  // namespace sb::detail
