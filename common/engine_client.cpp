#include "common/engine_client.hpp"

#include <charconv>

#include "common/expected.hpp"
#include "common/version.hpp"

namespace sb {

namespace http = boost::beast::http;
using nlohmann::json;

namespace {

// The engine's error body is {"message": "..."}; some errors (too old a client version) are text/plain.
std::string error_message(const HttpResponse& res) {
    auto parsed = json::parse(res.body, nullptr, false);
    if (parsed.is_object() && parsed.contains("message") && parsed["message"].is_string()) {
        return parsed["message"].get<std::string>();
    }
    std::string text = res.body;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
        text.pop_back();
    }
    return text.empty() ? "(no message)" : text;
}

std::string url_segment(std::string_view id) {
    // Node IDs are alphanumeric; anything else is escaped so it cannot change the path.
    std::string out;
    for (unsigned char c : id) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
            out += static_cast<char>(c);
        } else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", c);
            out += buf;
        }
    }
    return out;
}

std::vector<int> version_parts(std::string_view v) {
    std::vector<int> parts;
    while (!v.empty()) {
        int n = 0;
        auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
        if (ec != std::errc()) {
            break;
        }
        parts.push_back(n);
        v.remove_prefix(static_cast<std::size_t>(end - v.data()));
        if (!v.empty() && v.front() == '.') {
            v.remove_prefix(1);
        } else {
            break;
        }
    }
    return parts;
}

// A transform of the value, for the JSON-decoding calls.
template <class F>
auto map_json(ApiResult<json>&& r, F f) -> ApiResult<decltype(f(std::declval<const json&>()))> {
    if (!r) {
        return sb::unexpected(r.error());
    }
    return f(*r);
}

}  // namespace

int compare_api_versions(std::string_view a, std::string_view b) {
    auto pa = version_parts(a);
    auto pb = version_parts(b);
    pa.resize(std::max(pa.size(), pb.size()));
    pb.resize(pa.size());
    for (std::size_t i = 0; i < pa.size(); ++i) {
        if (pa[i] != pb[i]) {
            return pa[i] < pb[i] ? -1 : 1;
        }
    }
    return 0;
}

std::string choose_api_version(std::string_view engine_version) {
    if (engine_version.empty() || compare_api_versions(engine_version, api_version_min) < 0) {
        return {};
    }
    return compare_api_versions(engine_version, api_version_max) > 0 ? std::string(api_version_max)
                                                                     : std::string(engine_version);
}

EngineClient::EngineClient(std::unique_ptr<Transport> transport, ClientTimeouts timeouts,
                           std::stop_token stop)
    : transport_(std::move(transport)), timeouts_(timeouts), stop_(std::move(stop)) {}

std::string EngineClient::address() const {
    return transport_->endpoint().authority();
}

std::optional<std::string> EngineClient::negotiated_version() const {
    std::lock_guard lock(mutex_);
    return version_;
}

ApiError EngineClient::too_old(const std::string& engine_version) const {
    ApiError e;
    e.status = 0;
    e.kind = ApiErrorKind::api_version;
    e.message = "engine at " + address() + " speaks API " + engine_version + ", older than the " +
                api_version_min + " this agent needs; upgrade Docker on that machine";
    return e;
}

ApiResult<bool> EngineClient::learn_version(const std::string& header) {
    std::lock_guard lock(mutex_);
    if (header.empty()) {
        headers_name_version_ = false;
        return ApiResult<bool>(boost::system::in_place_value, false);
    }
    auto chosen = choose_api_version(header);
    if (chosen.empty()) {
        return sb::unexpected(too_old(header));
    }
    if (!version_) {
        version_ = chosen;
    }
    return ApiResult<bool>(boost::system::in_place_value, true);
}

ApiResult<std::string> EngineClient::prefix() {
    {
        std::lock_guard lock(mutex_);
        if (version_) {
            return "/v" + *version_;
        }
    }
    // As the docker CLI does: GET /_ping names the version in its headers.
    HttpRequest ping;
    ping.target = "/_ping";
    if (auto res = transport_->round_trip(ping, timeouts_.request, stop_); !res) {
        return sb::unexpected(api_error_from_transport(res.error()));
    } else if (auto learnt = learn_version(res->api_version); !learnt) {
        return sb::unexpected(learnt.error());
    } else if (!*learnt) {
        auto v = version();
        if (!v) {
            return sb::unexpected(v.error());
        }
        auto chosen = choose_api_version(v->api_version);
        if (chosen.empty()) {
            return sb::unexpected(too_old(v->api_version));
        }
        std::lock_guard lock(mutex_);
        version_ = chosen;
    }
    std::lock_guard lock(mutex_);
    return "/v" + *version_;
}

ApiResult<HttpResponse> EngineClient::call(http::verb method, const std::string& path, std::string body,
                                           Duration timeout, bool versioned) {
    HttpRequest req;
    req.method = method;
    req.body = std::move(body);
    bool learn = false;
    if (versioned) {
        {
            std::lock_guard lock(mutex_);
            if (version_) {
                req.target = "/v" + *version_ + path;
            } else if (method == http::verb::get && headers_name_version_) {
                req.target = path;  // the engine's own version this once; its answer names it
                learn = true;
            }
        }
        if (req.target.empty()) {
            auto p = prefix();
            if (!p) {
                return sb::unexpected(p.error());
            }
            req.target = *p + path;
        }
    } else {
        req.target = path;
    }
    auto res = transport_->round_trip(req, timeout, stop_);
    if (!res) {
        return sb::unexpected(api_error_from_transport(res.error()));
    }
    if (learn || path == "/_ping") {
        if (auto learnt = learn_version(res->api_version); !learnt) {
            return sb::unexpected(learnt.error());
        }
    }
    if (res->status >= 300) {
        ApiError e;
        e.status = static_cast<int>(res->status);
        e.message = error_message(*res);
        e.kind = classify(e.status, e.message);
        return sb::unexpected(e);
    }
    return std::move(*res);
}

ApiResult<json> EngineClient::call_json(http::verb method, const std::string& path, Duration timeout) {
    auto res = call(method, path, {}, timeout);
    if (!res) {
        return sb::unexpected(res.error());
    }
    auto parsed = json::parse(res->body, nullptr, false);
    if (parsed.is_discarded()) {
        ApiError e;
        e.status = static_cast<int>(res->status);
        e.message = "answer to " + path + " from " + address() + " is not JSON";
        return sb::unexpected(e);
    }
    // Spelled out: a json converts to anything, so the value/error choice cannot be implicit.
    return ApiResult<json>(boost::system::in_place_value, std::move(parsed));
}

ApiResult<void> EngineClient::ping() {
    // Unversioned: it must work before negotiation, on any engine.
    auto res = call(http::verb::get, "/_ping", {}, timeouts_.request, false);
    if (!res) {
        return sb::unexpected(res.error());
    }
    return {};
}

ApiResult<VersionInfo> EngineClient::version() {
    auto res = call(http::verb::get, "/version", {}, timeouts_.request, false);
    if (!res) {
        return sb::unexpected(res.error());
    }
    auto parsed = json::parse(res->body, nullptr, false);
    if (!parsed.is_object()) {
        ApiError e;
        e.status = static_cast<int>(res->status);
        e.message =
            "answer to /version from " + address() + " is not a JSON object; is this a Docker engine?";
        return sb::unexpected(e);
    }
    return parse_version(parsed);
}

ApiResult<EngineInfo> EngineClient::info() {
    return map_json(call_json(http::verb::get, "/info", timeouts_.request), parse_info);
}

ApiResult<SwarmInfo> EngineClient::swarm() {
    return map_json(call_json(http::verb::get, "/swarm", timeouts_.request), parse_swarm);
}

ApiResult<Node> EngineClient::node(std::string_view id) {
    return map_json(call_json(http::verb::get, "/nodes/" + url_segment(id), timeouts_.request), parse_node);
}

ApiResult<std::vector<Node>> EngineClient::nodes() {
    return map_json(call_json(http::verb::get, "/nodes", timeouts_.request), [](const json& j) {
        std::vector<Node> out;
        if (j.is_array()) {
            for (const auto& n : j) {
                out.push_back(parse_node(n));
            }
        }
        return out;
    });
}

ApiResult<void> EngineClient::update_node(std::string_view id, std::uint64_t version, const json& spec) {
    auto res =
        call(http::verb::post, "/nodes/" + url_segment(id) + "/update?version=" + std::to_string(version),
             spec.dump(), timeouts_.update);
    if (!res) {
        return sb::unexpected(res.error());
    }
    return {};
}

ApiResult<void> EngineClient::remove_node(std::string_view id, bool force) {
    auto res = call(http::verb::delete_, "/nodes/" + url_segment(id) + (force ? "?force=true" : ""), {},
                    timeouts_.request);
    if (!res) {
        return sb::unexpected(res.error());
    }
    return {};
}

ApiResult<void> EngineClient::join(const JoinRequest& request) {
    auto res = call(http::verb::post, "/swarm/join", join_request_body(request), timeouts_.join);
    if (!res) {
        return sb::unexpected(res.error());
    }
    return {};
}

ApiResult<void> EngineClient::leave(bool force) {
    auto res = call(http::verb::post, force ? "/swarm/leave?force=true" : "/swarm/leave", {}, timeouts_.join);
    if (!res) {
        return sb::unexpected(res.error());
    }
    return {};
}

}  // namespace sb
