#include "agent/cloud/cloud_watch.hpp"

#include "agent/app/wiring.hpp"
#include "agent/cloud/detect.hpp"
#include "agent/leave/leaving_marker.hpp"
#include "common/error.hpp"
#include "common/logging.hpp"

namespace sb::cloud {

CloudKind resolve_cloud(const Config& config) {
    if (config.cloud != "auto") {
        return parse_cloud_kind(config.cloud).value_or(CloudKind::none);
    }
    return detect_cloud(config.dmi_dir);
}

std::unique_ptr<CloudWatch> CloudWatch::start(const Config& config, std::stop_token stop) {
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
    watch->thread_ = std::jthread([config, kind, ep = *endpoint](std::stop_token token) {
        try {
            RealServices real(config, token);
            auto transport = make_tcp_transport(ep, TransportLimits{256 * 1024});
            // The thread's stop token cuts a metadata request short (a GCP long poll, Azure's slow first
            // answer).
            MetadataHttp http = [&transport, token](const HttpRequest& request, Duration timeout) {
                return transport->round_trip(request, timeout, token);
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
                return run_graceful_exit(config, real.services(), options);
            };
            // After a reboot: availability active again, and the leaving marker gone so that healing resumes.
            actions.reactivate = [&]() -> sb::expected<void, std::string> {
                try {
                    run_undrain(config, real.services());
                    return {};
                } catch (const Failure& f) {
                    return sb::unexpected(std::string(f.what()));
                }
            };
            actions.resume_healing = [&] { clear_leaving(config); };
            NoticeHandler handler(
                *watcher, actions, [] { return WallClock::now(); }, notice_ledger_path(config.state_file));
            while (!token.stop_requested()) {
                try {
                    handler.step();
                } catch (const Stopped&) {
                    return;
                }
                auto wait = watcher->poll_interval();
                if (wait.count() == 0 && handler.last_look_failed()) {
                    wait = Duration(1000);  // a long poll that failed at once must not spin
                }
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

}  // namespace sb::cloud
