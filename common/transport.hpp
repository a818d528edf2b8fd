#pragma once

#include <cstddef>
#include <memory>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

#include "common/expected.hpp"

#include <boost/beast/http/verb.hpp>
#include <boost/system/error_code.hpp>

#include "common/duration.hpp"
#include "common/endpoint.hpp"

namespace sb {

struct HttpRequest {
    boost::beast::http::verb method = boost::beast::http::verb::get;
    std::string target;  // path and query, e.g. /v1.41/nodes/abc
    std::string body;    // JSON, or empty
    // Extra header fields (a metadata service's `Metadata: true`, an IMDSv2 token), sent as given.
    std::vector<std::pair<std::string, std::string>> headers;
};

struct HttpResponse {
    unsigned status = 0;
    std::string body;
    std::string content_type;
    std::string api_version;  // the Api-Version header, when the engine sent one
    std::string date;         // the Date header (RFC 7231), for the clock-skew check
};

// Why no HTTP answer arrived. `timed_out` and `tls` let callers tell "not yet" from "never".
struct TransportError {
    boost::system::error_code ec;
    std::string message;  // one line: "connect: Connection refused", "no answer within 5.0s"
    bool timed_out = false;
    bool tls = false;      // handshake or certificate failure: retrying will not help
    bool stopped = false;  // the caller's stop token ended the exchange
};

struct TlsOptions {
    std::string ca_file;    // verify the engine against this CA; empty: the system store
    std::string cert_file;  // client certificate (docker's --tlscert)
    std::string key_file;   // client key
    bool verify = true;
};

struct TransportLimits {
    std::size_t max_response_bytes = 8 * 1024 * 1024;
};

// One HTTP/1.1 exchange per call on a fresh connection. Implementations are safe to call from several
// threads at once; every call is bounded by `timeout` (connect, write and read together) and ends within
// milliseconds of a stop requested on `stop`, whatever step it is in (TransportError::stopped).
class Transport {
  public:
    virtual ~Transport() = default;
    virtual sb::expected<HttpResponse, TransportError> round_trip(const HttpRequest& request,
                                                                  Duration timeout, std::stop_token stop) = 0;
    virtual const Endpoint& endpoint() const = 0;
};

// Chooses the transport for the endpoint's kind. Throws Failure(usage) for a kind this build or platform
// cannot speak (a named pipe on Linux, TLS without OpenSSL).
std::unique_ptr<Transport> make_transport(const Endpoint& endpoint, const TlsOptions& tls,
                                          TransportLimits limits = {});

// Platform and feature specific constructors, each defined in its own file.
std::unique_ptr<Transport> make_tcp_transport(const Endpoint& endpoint, TransportLimits limits);
std::unique_ptr<Transport> make_tls_transport(const Endpoint& endpoint, const TlsOptions& tls,
                                              TransportLimits limits);
std::unique_ptr<Transport> make_unix_socket_transport(const Endpoint& endpoint, TransportLimits limits);
std::unique_ptr<Transport> make_named_pipe_transport(const Endpoint& endpoint, TransportLimits limits);

// Whether host:port accepts a TCP connection within `timeout` (the swarm port check before a join). A stop
// requested on `stop` ends it at once (TransportError::stopped).
sb::expected<void, TransportError> probe_tcp(const std::string& host, std::uint16_t port, Duration timeout,
                                             std::stop_token stop = {});

}  // namespace sb
