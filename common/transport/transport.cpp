#include "common/transport.hpp"

namespace sb {

std::unique_ptr<Transport> make_transport(const Endpoint& endpoint, const TlsOptions& tls,
                                          TransportLimits limits) {
    switch (endpoint.kind) {
        case Endpoint::Kind::unix_socket:
            return make_unix_socket_transport(endpoint, limits);
        case Endpoint::Kind::named_pipe:
            return make_named_pipe_transport(endpoint, limits);
        case Endpoint::Kind::tcp:
            return endpoint.tls ? make_tls_transport(endpoint, tls, limits)
                                : make_tcp_transport(endpoint, limits);
    }
    return nullptr;
}

}  // namespace sb
