#pragma once

// One watcher per cloud: each look at the metadata service is one short request (or one bounded long poll on
// GCP) on the watcher's own thread, so a slow service never holds up `run`'s loop.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "agent/cloud/cloud.hpp"
#include "common/clock.hpp"
#include "common/expected.hpp"
#include "common/transport.hpp"

namespace sb::cloud {

// One HTTP exchange with the metadata service (production: a Transport to --metadata-endpoint; tests: the
// emulator's handler in-process).
using MetadataHttp =
    std::function<sb::expected<HttpResponse, TransportError>(const HttpRequest& request, Duration timeout)>;

class CloudWatcher {
  public:
    virtual ~CloudWatcher() = default;
    virtual CloudKind cloud() const = 0;
    // One look: the notices that concern this machine now. An error text when the service gave no usable
    // answer (the caller logs it once and looks again).
    virtual sb::expected<std::vector<Notice>, std::string> poll() = 0;
    // Tells the cloud to go ahead (Azure StartRequests); a no-op for clouds that do not wait for one.
    virtual sb::expected<void, std::string> approve(const Notice& notice) = 0;
    // How long to wait between looks (0: poll() waits by itself, a long poll).
    virtual Duration poll_interval() const = 0;
};

struct WatcherTiming {
    Duration request_timeout{10'000};  // one request; Azure's first answer can take minutes, so it is retried
    Duration azure_interval{1000};     // Microsoft: poll about once a second
    Duration aws_interval{5000};
    // The long poll's timeout_sec: also how long stopping the agent can wait for the watch's thread.
    Duration gcp_wait{5000};
    int aws_token_ttl_seconds = 21600;
};

std::unique_ptr<CloudWatcher> make_azure_watcher(MetadataHttp http, WatcherTiming timing = {});
std::unique_ptr<CloudWatcher> make_aws_watcher(MetadataHttp http, Clock& clock, WatcherTiming timing = {});
std::unique_ptr<CloudWatcher> make_gcp_watcher(MetadataHttp http, WatcherTiming timing = {});

// The metadata service's address for a cloud: 169.254.169.254 (GCP's metadata.google.internal resolves
// there too), or the --metadata-endpoint override (http://HOST[:PORT], port 80 by default).
sb::expected<Endpoint, std::string> metadata_endpoint(const std::string& override_url);

}  // namespace sb::cloud
