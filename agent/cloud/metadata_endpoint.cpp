#include "agent/cloud/watchers.hpp"

namespace sb::cloud {

sb::expected<Endpoint, std::string> metadata_endpoint(const std::string& override_url) {
    std::string url = override_url.empty() ? std::string("http://169.254.169.254") : override_url;
    if (url.rfind("http://", 0) != 0) {
        return sb::unexpected("'" + url +
                              "' is not http://HOST[:PORT]; the metadata services speak plain HTTP");
    }
    auto authority = url.substr(7);
    if (authority.empty() || authority.find('/') != std::string::npos) {
        return sb::unexpected("'" + url + "' is not http://HOST[:PORT] (no path)");
    }
    auto ep = parse_endpoint(url);
    if (!ep) {
        return sb::unexpected(ep.error());
    }
    auto bracket = authority.rfind(']');
    auto colon = authority.rfind(':');
    bool has_port = colon != std::string::npos && (bracket == std::string::npos || colon > bracket) &&
                    (authority[0] == '[' || authority.find(':') == colon);
    if (!has_port) {
        ep->port = 80;
    }
    return *ep;
}

}  // namespace sb::cloud
