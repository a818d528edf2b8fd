#pragma once

// The metadata services' answers, parsed. They are a peer's bytes: every function returns an error text for
// anything it does not understand, never throws (tests/fuzz/fuzz_metadata_answers.cpp holds it to that).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/cloud/cloud.hpp"
#include "common/expected.hpp"

namespace sb::cloud {

// RFC 1123 as Azure writes NotBefore: "Mon, 19 Sep 2016 18:29:47 GMT".
std::optional<WallClock::time_point> parse_http_date(std::string_view text);
// RFC 3339 in UTC as AWS writes `time`: "2017-09-18T08:22:00Z".
std::optional<WallClock::time_point> parse_utc_timestamp(std::string_view text);
std::string format_utc(WallClock::time_point t);

struct AzureDocument {
    std::int64_t incarnation = 0;
    std::vector<Notice> notices;  // only the events whose Resources name this VM
};

// GET /metadata/scheduledevents: {"DocumentIncarnation": N, "Events": [...]}.
sb::expected<AzureDocument, std::string> parse_azure_events(std::string_view body, std::string_view vm_name);
// GET /metadata/instance/compute: the VM's `name`.
sb::expected<std::string, std::string> parse_azure_vm_name(std::string_view body);
// GET /latest/meta-data/spot/instance-action (200): {"action": "terminate|stop|hibernate", "time": "..."}.
sb::expected<Notice, std::string> parse_aws_spot_action(std::string_view body);
// GET /latest/meta-data/autoscaling/target-lifecycle-state (200): a notice only for "Terminated".
sb::expected<std::optional<Notice>, std::string> parse_aws_lifecycle_state(std::string_view body);
// GET /computeMetadata/v1/instance/preempted: "TRUE" or "FALSE".
sb::expected<bool, std::string> parse_gcp_preempted(std::string_view body);

}  // namespace sb::cloud
