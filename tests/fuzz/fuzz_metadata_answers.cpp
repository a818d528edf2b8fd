// The clouds' metadata answers, a peer's bytes like the Engine API's: Azure's scheduled events and instance
// name, AWS's spot instance-action and target-lifecycle-state, GCP's preempted flag, and the dates in them;
// then the watchers themselves, with the input as every answer the service gives.
//
// Input: byte 0 picks the parser (or, from 8 on, a watcher), byte 1 the HTTP status for the watchers; the
// rest is the body.

#include <cstdlib>
#include <string>

#include "agent/cloud/metadata_answers.hpp"
#include "agent/cloud/watchers.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

void check(bool ok) {
    if (!ok) {
        std::abort();
    }
}

void check_notice(const sb::cloud::Notice& n) {
    check(!n.id.empty() && !n.type.empty());
    if (n.not_before) {
        check(!n.not_before_text.empty());
    }
}

// A clock that never sleeps: the AWS watcher asks it when to renew its token.
class StillClock final : public sb::Clock {
  public:
    time_point now() override { return time_point{}; }
    bool sleep_for(sb::Duration, std::stop_token) override { return true; }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace sb::cloud;
    if (size < 2) {
        return 0;
    }
    const unsigned pick = data[0];
    const unsigned status = 100u + data[1] % 500u;
    const std::string body(reinterpret_cast<const char*>(data + 2), size - 2);
    switch (pick % 12) {
        case 0: {
            auto doc = parse_azure_events(body, "vm-7");
            if (doc) {
                for (const auto& n : doc->notices) {
                    check_notice(n);
                    check(n.cloud == CloudKind::azure);
                }
            }
            break;
        }
        case 1:
            if (auto name = parse_azure_vm_name(body)) {
                check(!name->empty());
            }
            break;
        case 2:
            if (auto n = parse_aws_spot_action(body)) {
                check_notice(*n);
                check(n->not_before.has_value());
                // What was read is what is written back.
                check(parse_utc_timestamp(format_utc(*n->not_before)) == n->not_before);
            }
            break;
        case 3:
            if (auto n = parse_aws_lifecycle_state(body); n && *n) {
                check_notice(**n);
            }
            break;
        case 4:
            (void)parse_gcp_preempted(body);
            break;
        case 5:
            if (auto t = parse_http_date(body)) {
                check(parse_utc_timestamp(format_utc(*t)) == t);
            }
            break;
        case 6:
            if (auto t = parse_utc_timestamp(body)) {
                check(format_utc(*t).size() == 20);
            }
            break;
        case 7:
            (void)metadata_endpoint(body);
            break;
        default: {
            MetadataHttp http = [&](const sb::HttpRequest&,
                                    sb::Duration) -> sb::expected<sb::HttpResponse, sb::TransportError> {
                sb::HttpResponse r;
                r.status = status;
                r.body = body;
                return r;
            };
            StillClock clock;
            std::unique_ptr<CloudWatcher> watcher = pick % 12 == 8   ? make_azure_watcher(http)
                                                    : pick % 12 == 9 ? make_aws_watcher(http, clock)
                                                                     : make_gcp_watcher(http);
            for (int i = 0; i < 2; ++i) {
                if (auto found = watcher->poll()) {
                    for (const auto& n : *found) {
                        check_notice(n);
                        (void)watcher->approve(n);
                    }
                }
            }
            break;
        }
    }
    return 0;
}
