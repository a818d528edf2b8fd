#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <stop_token>

#include "common/engine_api.hpp"
#include "common/transport.hpp"

namespace sb {

struct ClientTimeouts {
    Duration request{10'000};
    // Wrong tokens and refused managers answer after about 10 s and an unreachable one after 20 s:
    // a join must be given longer than that.
    Duration join{35'000};
    // Node updates hang about 12 s on a manager that is losing quorum.
    Duration update{20'000};
};

// The Engine API over HTTP. Every path is prefixed with /vX.Y: the lower of the engine's API version and
// api_version_max, but never below the engine's MinAPIVersion. Learnt once per client, before the first
// versioned call, from the Api-Version header of GET /_ping (unversioned on every engine; 0.65 ms of the
// engine's CPU, against 2.35 ms for /version). GET /version, for the engine's minimum, follows only when that
// header names a version newer than ours (Docker 27 and later) or is missing (a proxy).
class EngineClient final : public EngineApi {
  public:
    // Every call ends at once (an ApiError with `stopped`) when a stop is requested on `stop`.
    EngineClient(std::unique_ptr<Transport> transport, ClientTimeouts timeouts = {},
                 std::stop_token stop = {});

    std::string address() const override;
    ApiResult<void> ping() override;
    ApiResult<VersionInfo> version() override;
    ApiResult<EngineInfo> info() override;
    ApiResult<SwarmInfo> swarm() override;
    ApiResult<Node> node(std::string_view id) override;
    ApiResult<std::vector<Node>> nodes() override;
    ApiResult<std::vector<Node>> nodes_named(std::string_view name) override;
    ApiResult<void> update_node(std::string_view id, std::uint64_t version,
                                const nlohmann::json& spec) override;
    ApiResult<void> remove_node(std::string_view id, bool force) override;
    ApiResult<std::vector<Task>> tasks(const TaskFilter& filter) override;
    ApiResult<std::vector<Service>> services() override;
    ApiResult<void> join(const JoinRequest& request) override;
    ApiResult<void> leave(bool force) override;

    // The /vX.Y prefix in use, once negotiated.
    std::optional<std::string> negotiated_version() const;

  private:
    ApiResult<HttpResponse> call(boost::beast::http::verb method, const std::string& path, std::string body,
                                 Duration timeout, bool versioned = true);
    ApiResult<nlohmann::json> call_json(boost::beast::http::verb method, const std::string& path,
                                        Duration timeout);
    ApiResult<std::string> prefix();
    // Adopts the version /_ping's Api-Version header names when it is at most ours; false when the header is
    // missing or newer (then the engine's minimum decides, from /version).
    ApiResult<bool> learn_version(const std::string& header);
    ApiError too_old(const std::string& engine_version) const;

    std::unique_ptr<Transport> transport_;
    ClientTimeouts timeouts_;
    std::stop_token stop_;
    mutable std::mutex mutex_;
    std::optional<std::string> version_;
};

// Picks the API version to speak: the engine's newest, capped at ours, but never below the engine's minimum
// (an engine that no longer serves api_version_max is spoken to at its own minimum, the shape closest to the
// one we know). Empty when the engine is older than api_version_min.
std::string choose_api_version(std::string_view engine_max, std::string_view engine_min = {});

// Compares dotted API versions numerically: "1.9" < "1.24".
int compare_api_versions(std::string_view a, std::string_view b);

}  // namespace sb
