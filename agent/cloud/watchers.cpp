#include "agent/cloud/watchers.hpp"

#include <nlohmann/json.hpp>

#include "agent/cloud/metadata_answers.hpp"

namespace sb::cloud {

namespace {

namespace http = boost::beast::http;

std::string describe(const HttpResponse& r, std::string_view what) {
    std::string body = r.body.substr(0, 120);
    for (auto& c : body) {
        if (c < 0x20 || c > 0x7e) {
            c = ' ';
        }
    }
    return std::string(what) + " answered HTTP " + std::to_string(r.status) +
           (body.empty() ? "" : ": " + body);
}

HttpRequest request(http::verb method, std::string target) {
    HttpRequest r;
    r.method = method;
    r.target = std::move(target);
    return r;
}

// Azure Scheduled Events: every request carries `Metadata: true` (without it the service answers 400).
class AzureWatcher final : public CloudWatcher {
  public:
    AzureWatcher(MetadataHttp http, WatcherTiming timing) : http_(std::move(http)), timing_(timing) {}
    CloudKind cloud() const override { return CloudKind::azure; }
    Duration poll_interval() const override { return timing_.azure_interval; }

    sb::expected<std::vector<Notice>, std::string> poll() override {
        if (vm_name_.empty()) {
            auto r = get("/metadata/instance/compute?api-version=2021-02-01");
            if (!r) {
                return sb::unexpected("instance metadata: " + r.error().message);
            }
            if (r->status != 200) {
                return sb::unexpected(describe(*r, "instance metadata"));
            }
            auto name = parse_azure_vm_name(r->body);
            if (!name) {
                return sb::unexpected(name.error());
            }
            vm_name_ = *name;
        }
        auto r = get(events_target);
        if (!r) {
            return sb::unexpected("scheduled events: " + r.error().message);
        }
        if (r->status != 200) {
            return sb::unexpected(describe(*r, "scheduled events"));
        }
        auto doc = parse_azure_events(r->body, vm_name_);
        if (!doc) {
            return sb::unexpected(doc.error());
        }
        return std::move(doc->notices);
    }

    sb::expected<void, std::string> approve(const Notice& notice) override {
        nlohmann::json body = {{"StartRequests", nlohmann::json::array({{{"EventId", notice.id}}})}};
        auto req = request(http::verb::post, events_target);
        req.headers.emplace_back("Metadata", "true");
        req.body = body.dump();
        auto r = http_(req, timing_.request_timeout);
        if (!r) {
            return sb::unexpected("approving event " + notice.id + ": " + r.error().message);
        }
        if (r->status != 200) {
            return sb::unexpected(describe(*r, "approving event " + notice.id));
        }
        return {};
    }

  private:
    static constexpr const char* events_target = "/metadata/scheduledevents?api-version=2020-07-01";

    sb::expected<HttpResponse, TransportError> get(const std::string& target) {
        auto req = request(http::verb::get, target);
        req.headers.emplace_back("Metadata", "true");
        return http_(req, timing_.request_timeout);
    }

    MetadataHttp http_;
    WatcherTiming timing_;
    std::string vm_name_;
};

// AWS IMDSv2: a session token from PUT /latest/api/token, sent with every GET; 401 means a new one is due.
class AwsWatcher final : public CloudWatcher {
  public:
    AwsWatcher(MetadataHttp http, Clock& clock, WatcherTiming timing)
        : http_(std::move(http)), clock_(clock), timing_(timing) {}
    CloudKind cloud() const override { return CloudKind::aws; }
    Duration poll_interval() const override { return timing_.aws_interval; }
    sb::expected<void, std::string> approve(const Notice&) override { return {}; }

    sb::expected<std::vector<Notice>, std::string> poll() override {
        std::vector<Notice> found;
        auto spot = get("/latest/meta-data/spot/instance-action");
        if (!spot) {
            return sb::unexpected(spot.error());
        }
        if (spot->status == 200) {
            auto notice = parse_aws_spot_action(spot->body);
            if (!notice) {
                return sb::unexpected(notice.error());
            }
            found.push_back(std::move(*notice));
        } else if (spot->status != 404) {  // 404: no spot action pending
            return sb::unexpected(describe(*spot, "spot/instance-action"));
        }
        auto lifecycle = get("/latest/meta-data/autoscaling/target-lifecycle-state");
        if (!lifecycle) {
            return sb::unexpected(lifecycle.error());
        }
        if (lifecycle->status == 200) {
            auto notice = parse_aws_lifecycle_state(lifecycle->body);
            if (!notice) {
                return sb::unexpected(notice.error());
            }
            if (*notice) {
                found.push_back(std::move(**notice));
            }
        } else if (lifecycle->status != 404) {  // 404: not in an Auto Scaling group
            return sb::unexpected(describe(*lifecycle, "autoscaling/target-lifecycle-state"));
        }
        return found;
    }

  private:
    sb::expected<void, std::string> refresh_token() {
        auto req = request(http::verb::put, "/latest/api/token");
        req.headers.emplace_back("X-aws-ec2-metadata-token-ttl-seconds",
                                 std::to_string(timing_.aws_token_ttl_seconds));
        auto r = http_(req, timing_.request_timeout);
        if (!r) {
            return sb::unexpected("IMDSv2 token: " + r.error().message);
        }
        if (r->status != 200 || r->body.empty()) {
            return sb::unexpected(describe(*r, "IMDSv2 token"));
        }
        token_ = r->body;
        // Renewed a minute before it runs out, so that no look is spent on a 401.
        token_renew_at_ =
            clock_.now() + std::chrono::seconds(timing_.aws_token_ttl_seconds) - std::chrono::minutes(1);
        return {};
    }

    sb::expected<HttpResponse, std::string> get(const std::string& target) {
        for (int attempt = 0; attempt < 2; ++attempt) {
            if (token_.empty() || clock_.now() >= token_renew_at_) {
                if (auto t = refresh_token(); !t) {
                    return sb::unexpected(t.error());
                }
            }
            auto req = request(http::verb::get, target);
            req.headers.emplace_back("X-aws-ec2-metadata-token", token_);
            auto r = http_(req, timing_.request_timeout);
            if (!r) {
                return sb::unexpected(target + ": " + r.error().message);
            }
            if (r->status != 401) {
                return std::move(*r);
            }
            token_.clear();  // expired or revoked: one new token, one more try
        }
        return sb::unexpected(target + ": 401 with a fresh IMDSv2 token");
    }

    MetadataHttp http_;
    Clock& clock_;
    WatcherTiming timing_;
    std::string token_;
    Clock::time_point token_renew_at_{};
};

// GCP: `Metadata-Flavor: Google`; instance/preempted turns TRUE about 30 s before the VM stops. The long poll
// (wait_for_change with timeout_sec) is the wait between looks; the first look answers at once.
class GcpWatcher final : public CloudWatcher {
  public:
    GcpWatcher(MetadataHttp http, WatcherTiming timing) : http_(std::move(http)), timing_(timing) {}
    CloudKind cloud() const override { return CloudKind::gcp; }
    Duration poll_interval() const override { return Duration(0); }
    sb::expected<void, std::string> approve(const Notice&) override { return {}; }

    sb::expected<std::vector<Notice>, std::string> poll() override {
        std::string target = "/computeMetadata/v1/instance/preempted";
        Duration timeout = timing_.request_timeout;
        if (!first_) {
            auto wait_s = std::chrono::duration_cast<std::chrono::seconds>(timing_.gcp_wait).count();
            target += "?wait_for_change=true&timeout_sec=" + std::to_string(std::max<long long>(1, wait_s));
            timeout += timing_.gcp_wait;
        }
        auto req = request(http::verb::get, target);
        req.headers.emplace_back("Metadata-Flavor", "Google");
        auto r = http_(req, timeout);
        if (!r) {
            return sb::unexpected("instance/preempted: " + r.error().message);
        }
        if (r->status != 200) {
            return sb::unexpected(describe(*r, "instance/preempted"));
        }
        auto preempted = parse_gcp_preempted(r->body);
        if (!preempted) {
            return sb::unexpected(preempted.error());
        }
        first_ = false;
        std::vector<Notice> found;
        if (*preempted) {
            Notice n;
            n.cloud = CloudKind::gcp;
            n.id = "preempted";
            n.type = "preempted";
            n.action = NoticeAction::leave;
            found.push_back(std::move(n));
        }
        return found;
    }

  private:
    MetadataHttp http_;
    WatcherTiming timing_;
    bool first_ = true;
};

}  // namespace

std::unique_ptr<CloudWatcher> make_azure_watcher(MetadataHttp http, WatcherTiming timing) {
    return std::make_unique<AzureWatcher>(std::move(http), timing);
}

std::unique_ptr<CloudWatcher> make_aws_watcher(MetadataHttp http, Clock& clock, WatcherTiming timing) {
    return std::make_unique<AwsWatcher>(std::move(http), clock, timing);
}

std::unique_ptr<CloudWatcher> make_gcp_watcher(MetadataHttp http, WatcherTiming timing) {
    return std::make_unique<GcpWatcher>(std::move(http), timing);
}

}  // namespace sb::cloud
