#pragma once

// `service status`: the service's configuration as the service manager itself reports it, read back rather
// than taken from what install() asked for (wine's SCM, for one, accepts settings that it then does not
// keep). Windows: QueryServiceStatusEx, QueryServiceConfigW, QueryServiceConfig2W
// (service_readback_windows.cpp). Linux: `systemctl show` (service_readback_systemd.cpp).

#include <string>

#include <nlohmann/json.hpp>

namespace sb::service {

struct ServiceReadback {
    bool installed = false;
    nlohmann::json settings = nlohmann::json::object();        // what could be read: state, start_type, ...
    nlohmann::json not_verifiable = nlohmann::json::object();  // setting -> why it could not be read here
};

// Throws Failure(usage) where there is no service manager to ask (Linux without systemd).
ServiceReadback read_back(const std::string& name);

}  // namespace sb::service
