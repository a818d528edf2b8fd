#include "agent/cloud/cloud.hpp"

namespace sb::cloud {

std::string_view to_string(CloudKind kind) {
    switch (kind) {
        case CloudKind::azure:
            return "azure";
        case CloudKind::aws:
            return "aws";
        case CloudKind::gcp:
            return "gcp";
        case CloudKind::none:
            break;
    }
    return "none";
}

std::optional<CloudKind> parse_cloud_kind(std::string_view text) {
    for (auto kind : {CloudKind::none, CloudKind::azure, CloudKind::aws, CloudKind::gcp}) {
        if (text == to_string(kind)) {
            return kind;
        }
    }
    return std::nullopt;
}

std::string_view to_string(NoticeAction action) {
    switch (action) {
        case NoticeAction::leave:
            return "leave";
        case NoticeAction::drain_and_return:
            return "drain-and-return";
        case NoticeAction::log_only:
            break;
    }
    return "log-only";
}

}  // namespace sb::cloud
