#pragma once

// An emulator of the three clouds' metadata services, as their documentation describes them, errors
// included: Azure Scheduled Events (400 without `Metadata: true`, a slow first answer, StartRequests),
// AWS IMDSv2 (PUT /latest/api/token, 401 without or with an expired token, 404 when no spot action is
// pending) and GCP (403 without `Metadata-Flavor: Google`, wait_for_change long polls). Tests script it
// through /control/... requests (or the methods below in-process). metadata_emulator_main.cpp serves it
// over HTTP for the end-to-end tests; unit tests call handle() directly.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace sb::test {

struct EmulatorRequest {
    std::string method;                          // GET, PUT, POST, DELETE
    std::string target;                          // path and query
    std::map<std::string, std::string> headers;  // names in lower case
    std::string body;
};

struct EmulatorResponse {
    unsigned status = 200;
    std::string body;
    std::string content_type = "text/plain";
    std::chrono::milliseconds delay{0};  // served only after this long (Azure's slow first answer)
};

class MetadataEmulator {
  public:
    using WallClock = std::chrono::system_clock;
    using SteadyClock = std::chrono::steady_clock;

    explicit MetadataEmulator(std::string vm_name = "sb-vm-0");

    // The real clocks unless a test moves them: the wall clock for NotBefore/time, steady for token expiry.
    std::function<WallClock::time_point()> wall_now = [] { return WallClock::now(); };
    std::function<SteadyClock::time_point()> steady_now = [] { return SteadyClock::now(); };
    // Real time per second of a GCP long poll's timeout_sec (0 in unit tests: answer at once).
    double long_poll_scale = 1.0;
    // Azure answers its first scheduled-events request only after this long.
    std::chrono::milliseconds azure_slow_first{0};

    EmulatorResponse handle(const EmulatorRequest& request);

    // Scripting, also reachable as /control/... over HTTP.
    std::string add_azure_event(const std::string& type, std::chrono::seconds not_before_in,
                                std::string id = {}, std::vector<std::string> resources = {});
    void clear_azure_events();
    void set_aws_spot(const std::string& action, std::chrono::seconds in);
    void clear_aws_spot();
    void set_aws_lifecycle(const std::string& state);  // "" : not in an Auto Scaling group (404)
    void expire_aws_tokens();
    void set_gcp_preempted(bool preempted);

    std::vector<std::string> approvals();  // Azure EventIds approved, in order
    // approvals, approval_times ({EventId, received_ms, not_before_ms}: wall clock, ms since the epoch; what
    // the benchmark compares), request counts, errors answered, events; per EventId its NotBefore
    // (not_before_ms) and the time of its first approval (approved_at_ms), for the Windows end-to-end test
    nlohmann::json report();
    const std::string& vm_name() const { return vm_name_; }

  private:
    EmulatorResponse azure(const EmulatorRequest& r, const std::string& path, const std::string& query);
    EmulatorResponse aws(const EmulatorRequest& r, const std::string& path);
    EmulatorResponse gcp(const EmulatorRequest& r, const std::string& path, const std::string& query);
    EmulatorResponse control(const EmulatorRequest& r, const std::string& path);
    EmulatorResponse error(unsigned status, std::string body);

    std::mutex mutex_;
    std::condition_variable changed_;
    std::string vm_name_;
    bool azure_first_served_ = false;
    std::int64_t incarnation_ = 1;
    nlohmann::json azure_events_ = nlohmann::json::array();
    std::vector<std::string> approvals_;
    nlohmann::json approval_times_ = nlohmann::json::array();
    std::map<std::string, std::int64_t> not_before_ms_;   // EventId -> NotBefore as served (whole seconds)
    std::map<std::string, std::int64_t> approved_at_ms_;  // EventId -> first StartRequests, Unix ms
    int next_event_ = 1;
    std::map<std::string, SteadyClock::time_point> aws_tokens_;
    int next_token_ = 1;
    nlohmann::json aws_spot_;  // null: none pending
    std::string aws_lifecycle_ = "InService";
    bool gcp_preempted_ = false;
    std::map<std::string, int> counts_;  // "GET /metadata/scheduledevents" -> n; "400" -> n
};

}  // namespace sb::test
