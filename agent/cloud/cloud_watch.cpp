#include "agent/cloud/cloud_watch.hpp"

#include <atomic>

#include "agent/app/wiring.hpp"
#include "agent/cloud/detect.hpp"
#include "agent/config/manager_address.hpp"
#include "agent/node/manager_probe.hpp"
#include "common/error.hpp"
#include "common/logging.hpp"

namespace sb::cloud {

CloudKind resolve_cloud(const Config& config) {
    if (config.cloud != "auto") {
        return parse_cloud_kind(config.cloud).value_or(CloudKind::none);
    }
    return detect_cloud(config.dmi_dir);
}

std::unique_ptr<CloudWatch> CloudWatch::start(const Config& config, std::stop_token stop, GracefulExitFn exit,
                                              ReactivateFn reactivate) {
    auto kind = resolve_cloud(config);
    auto& log = sb::log("cloud");
    if (kind == CloudKind::none) {
        log.debug("no cloud{}: no termination notices to watch",
                  config.cloud == "auto" ? " found in the SMBIOS strings" : " configured");
        return nullptr;
    }
    auto endpoint = metadata_endpoint(config.metadata_endpoint);
    if (!endpoint) {
        throw Failure(ExitCode::usage, "--metadata-endpoint: " + endpoint.error());
    }
    log.info("watching {} termination notices at {}{}", to_string(kind), endpoint->authority(),
             config.cloud == "auto" ? " (cloud found in the SMBIOS strings)" : "");
    std::unique_ptr<CloudWatch> watch(new CloudWatch());
    watch->thread_ = std::jthread([config, kind, ep = *endpoint, exit, reactivate](std::stop_token token) {
        try {
            RealServices real(config, token);
            auto transport = make_tcp_transport(ep, TransportLimits{256 * 1024});
            MetadataHttp http = [&transport](const HttpRequest& request, Duration timeout) {
                return transport->round_trip(request, timeout);
            };
            SystemClock clock;
            std::unique_ptr<CloudWatcher> watcher;
            switch (kind) {
                case CloudKind::azure:
                    watcher = make_azure_watcher(http);
                    break;
                case CloudKind::aws:
                    watcher = make_aws_watcher(http, clock);
                    break;
                default:
                    watcher = make_gcp_watcher(http);
                    break;
            }
            NoticeActions actions;
            actions.graceful_exit = [&](const GracefulExitOptions& options) {
                return exit(config, real.services(), options);
            };
            actions.reactivate = [&] { return reactivate(config, real.services()); };
            NoticeHandler handler(
                *watcher, actions, clock, [] { return WallClock::now(); },
                notice_ledger_path(config.state_file));
            while (!token.stop_requested()) {
                try {
                    handler.step();
                } catch (const Stopped&) {
                    return;
                }
                auto wait = watcher->poll_interval();
                if (wait.count() > 0 && !clock.sleep_for(wait, token)) {
                    return;
                }
            }
        } catch (const std::exception& e) {
            sb::log("cloud").error("the cloud watch stopped: {}", e.what());
        }
    });
    watch->on_stop_ = std::make_unique<std::stop_callback<std::function<void()>>>(
        stop,
        std::function<void()>([src = watch->thread_.get_stop_source()]() mutable { src.request_stop(); }));
    return watch;
}

CloudWatch::~CloudWatch() {
    on_stop_.reset();
    thread_.request_stop();
}

sb::expected<void, std::string> set_node_active(const Config& config, Services& services) {
    auto info = services.local->info();
    if (!info) {
        return sb::unexpected("the local engine does not answer: " + info.error().describe());
    }
    const auto node_id = info->swarm.node_id;
    if (node_id.empty()) {
        return sb::unexpected(std::string("the local engine is not in a swarm"));
    }
    std::vector<ManagerSpec> specs;
    for (const auto& m : config.managers) {
        if (auto spec = parse_manager_spec(m)) {
            specs.push_back(*spec);
        }
    }
    std::map<std::string, std::unique_ptr<EngineApi>> clients;
    auto client = [&](const Endpoint& ep) -> EngineApi& {
        auto& c = clients[ep.url()];
        if (!c) {
            c = services.connect_manager(ep);
        }
        return *c;
    };
    std::string last = "no manager answers";
    for (const auto& probe : probe_managers(expand_managers(specs, config.tls, services.resolve), client)) {
        if (!probe.ready) {
            continue;
        }
        for (int attempt = 0; attempt < 3; ++attempt) {
            auto node = probe.ready->api->node(node_id);
            if (!node) {
                last = node.error().describe();
                break;
            }
            if (node->availability == "active") {
                return {};
            }
            auto spec = node->spec;
            spec["Availability"] = "active";
            auto updated = probe.ready->api->update_node(node_id, node->version, spec);
            if (updated) {
                return {};
            }
            last = updated.error().describe();  // out of sequence: read again
        }
    }
    return sb::unexpected(last);
}

}  // namespace sb::cloud
