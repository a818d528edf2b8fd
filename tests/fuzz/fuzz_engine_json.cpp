// Engine API answers as EngineClient decodes them: /version (and the API version negotiated from it),
// /info, /swarm, /nodes/{id}, /nodes, /tasks, /services, and the error bodies of every call (JSON {"message"}
// or text/plain), classified into ApiErrorKind. The lenient decoders are also run on the body directly.
//
// Input: byte 0 picks the call, byte 1 the HTTP status; the rest is the body. With byte 0 bit 4 set, the
// body answers the negotiating GET /version and a well-formed /info follows.

#include <nlohmann/json.hpp>

#include "agent/node/node_labels.hpp"
#include "common/engine_client.hpp"
#include "common/version.hpp"
#include "tests/fuzz/fuzz_support.hpp"

namespace {

constexpr std::string_view canned_version =
    R"({"Version":"20.10.24+dfsg1","ApiVersion":"1.41","MinAPIVersion":"1.12","Os":"linux","Arch":"amd64"})";
constexpr std::string_view canned_info =
    R"({"ID":"X","Name":"node-1","OSType":"linux","Swarm":{"NodeID":"","LocalNodeState":"inactive"}})";

// Answers GET /version (unprefixed) with `version_`, everything else with `answer_`.
class ScriptedTransport final : public sb::Transport {
  public:
    ScriptedTransport(sb::HttpResponse version, sb::HttpResponse answer)
        : version_(std::move(version)), answer_(std::move(answer)) {}

    sb::expected<sb::HttpResponse, sb::TransportError> round_trip(const sb::HttpRequest& request,
                                                                  sb::Duration, std::stop_token) override {
        return request.target == "/version" ? version_ : answer_;
    }
    const sb::Endpoint& endpoint() const override { return endpoint_; }

  private:
    sb::HttpResponse version_;
    sb::HttpResponse answer_;
    sb::Endpoint endpoint_{sb::Endpoint::Kind::tcp, {}, "10.213.0.1", 2375, false};
};

constexpr unsigned statuses[] = {200, 200, 200, 200, 201, 204, 304, 400,
                                 401, 403, 404, 409, 500, 502, 503, 100};

template <class T>
void check_error(const sb::ApiResult<T>& r) {
    if (!r) {
        (void)r.error().describe();
        (void)sb::to_string(r.error().kind);
    }
}

void run_call(sb::EngineClient& client, unsigned which) {
    switch (which % 12) {
        case 0:
            check_error(client.version());
            break;
        case 1:
            check_error(client.ping());
            break;
        case 2:
            if (auto info = client.info()) {
                (void)sb::platform_labels(*info, {});
            } else {
                check_error(info);
            }
            break;
        case 3:
            check_error(client.swarm());
            break;
        case 4:
            check_error(client.node("abc123"));
            break;
        case 5:
            check_error(client.nodes());
            break;
        case 6:
            check_error(client.update_node("abc123", 7, nlohmann::json::object()));
            break;
        case 7:
            check_error(client.remove_node("abc123", true));
            break;
        case 8: {
            sb::JoinRequest join;
            join.remote_addr = "10.213.0.1:2377";
            check_error(client.join(join));
            break;
        }
        case 9:
            check_error(client.leave(false));
            break;
        case 10: {
            sb::TaskFilter filter;
            filter.node_ids = {"abc123"};
            filter.desired_state = "running";
            if (auto tasks = client.tasks(filter)) {
                for (const auto& t : *tasks) {
                    (void)t.terminal();
                }
            } else {
                check_error(tasks);
            }
            break;
        }
        default:
            check_error(client.services());
            break;
    }
}

// The decoders take any JSON value: a key of the wrong type reads as absent.
void decode_directly(std::string_view body) {
    auto j = nlohmann::json::parse(body, nullptr, false);
    if (j.is_discarded()) {
        return;
    }
    auto version = sb::parse_version(j);
    auto info = sb::parse_info(j);
    (void)sb::platform_labels(info, version);
    (void)sb::parse_swarm(j);
    (void)sb::parse_node(j);
    (void)sb::parse_task(j).terminal();
    (void)sb::parse_service(j);
    (void)sb::choose_api_version(version.api_version, version.min_api_version);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    sb::fuzz::Input input(data, size);
    auto which = input.byte();
    auto status = statuses[input.byte() % std::size(statuses)];
    bool fuzz_negotiation = (which & 0x10) != 0;
    sb::HttpResponse fuzzed{status, std::string(input.rest()), "application/json", "1.41"};
    sb::HttpResponse version{200, std::string(canned_version), "application/json", "1.41"};
    if (fuzz_negotiation) {
        // /_ping names a version newer than ours: the fuzzed /version (its MinAPIVersion) decides.
        sb::HttpResponse info{200, std::string(canned_info), "application/json", "1.47"};
        sb::EngineClient client(std::make_unique<ScriptedTransport>(fuzzed, info));
        check_error(client.info());
        if (auto v = client.negotiated_version()) {
            // Ours at most, unless the engine's minimum is newer; never older than ours.
            sb::fuzz::check(sb::compare_api_versions(*v, sb::api_version_min) >= 0);
        }
    } else {
        sb::EngineClient client(std::make_unique<ScriptedTransport>(version, fuzzed));
        run_call(client, which);
    }
    decode_directly(input.rest());
    return 0;
}
