#pragma once

// Which cloud this machine runs in, and what a cloud's notice says is about to happen to it.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace sb::cloud {

enum class CloudKind { none, azure, aws, gcp };

std::string_view to_string(CloudKind kind);
// "azure", "aws", "gcp", "none"; nullopt for anything else ("auto" is the configuration's, not a kind).
std::optional<CloudKind> parse_cloud_kind(std::string_view text);

// What the agent does about a notice.
enum class NoticeAction {
    leave,             // the VM goes away: graceful exit (drain, leave, remove the entry), then approve
    drain_and_return,  // the VM comes back (Azure Reboot/Redeploy): drain, approve, active again afterwards
    log_only,          // Freeze: a pause of seconds, nothing to move
};

std::string_view to_string(NoticeAction action);

using WallClock = std::chrono::system_clock;

struct Notice {
    CloudKind cloud = CloudKind::none;
    // Never the same for two notices: Azure's EventId; AWS "spot:<action>@<time>", "lifecycle:Terminated";
    // GCP "preempted".
    std::string id;
    std::string type;  // as the cloud names it: Terminate, Preempt, Reboot, spot terminate, preempted, ...
    NoticeAction action = NoticeAction::log_only;
    std::optional<WallClock::time_point> not_before;  // when the cloud may act; absent: at once
    std::string not_before_text;                      // as the cloud wrote it
    std::string status;                               // Azure EventStatus: Scheduled, Started
};

}  // namespace sb::cloud
