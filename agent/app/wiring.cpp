#include "agent/app/wiring.hpp"

#include <random>
#include <thread>

#include "common/detached_thread.hpp"
#include "common/error.hpp"

namespace sb {

std::unique_ptr<EngineApi> connect_engine(const Endpoint& endpoint, const TlsOptions& tls,
                                          std::stop_token stop) {
    return std::make_unique<EngineClient>(make_transport(endpoint, tls), ClientTimeouts{}, std::move(stop));
}

RealServices::RealServices(const Config& config, std::stop_token stop) {
    auto local_ep = parse_endpoint(config.docker_host, config.tls);
    if (!local_ep) {
        throw Failure(ExitCode::usage, "--docker-host: " + local_ep.error());
    }
    // A stop ends every request at once, mid-exchange included: systemd and the SCM wait about a second.
    local_ = connect_engine(*local_ep, config.tls_options, stop);
    services_.clock = &clock_;
    services_.random = make_uniform_random(std::random_device{}());
    services_.local = local_.get();
    TlsOptions tls = config.tls_options;
    services_.connect_manager = [tls, stop](const Endpoint& ep) { return connect_engine(ep, tls, stop); };
    services_.resolve = resolve_host;
    services_.probe_swarm_port = [stop](const std::string& host, std::uint16_t port,
                                        Duration timeout) -> sb::expected<void, std::string> {
        auto r = probe_tcp(host, port, timeout, stop);
        if (!r) {
            return sb::unexpected(r.error().message);
        }
        return {};
    };
    // Probes and connects end on their own (each has a timeout); nothing waits for a slow one.
    services_.spawn = spawn_detached;
    services_.check_probes = std::make_shared<check::Probes>(check::platform_probes());
    services_.stop = std::move(stop);
}

}  // namespace sb
