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

// A query value, percent-encoded except for the unreserved characters.
std::string url_query_value(std::string_view value) {
    std::string out;
    for (unsigned char c : value) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
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

std::string choose_api_version(std::string_view engine_max, std::string_view engine_min) {
    if (engine_max.empty() || compare_api_versions(engine_max, api_version_min) < 0) {
        return {};
    }
    if (compare_api_versions(engine_max, api_version_max) <= 0) {
        return std::string(engine_max);
    }
    // Newer than ours: ours, unless the engine no longer serves it.
    if (!engine_min.empty() && compare_api_versions(engine_min, api_version_max) > 0 &&
        compare_api_versions(engine_min, engine_max) <= 0) {
        return std::string(engine_min);
    }
    return api_version_max;
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
    if (header.empty() || compare_api_versions(header, api_version_max) > 0) {
        return ApiResult<bool>(boost::system::in_place_value, false);  // its minimum decides: ask /version
    }
    auto chosen = choose_api_version(header);
    if (chosen.empty()) {
        return sb::unexpected(too_old(header));
    }
    std::lock_guard lock(mutex_);
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
    // As the docker CLI does: GET /_ping, which every engine serves without a version, names the engine's
    // newest in its Api-Version header. At or below ours, that is the one to speak (its minimum is lower
    // still); newer, or no header (a proxy), and GET /version tells its minimum too.
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
        auto newest = v->api_version.empty() ? res->api_version : v->api_version;
        auto chosen = choose_api_version(newest, v->min_api_version);
        if (chosen.empty()) {
            return sb::unexpected(too_old(newest));
        }
        std::lock_guard lock(mutex_);
        if (!version_) {
            version_ = chosen;
        }
    }
    std::lock_guard lock(mutex_);
    return "/v" + *version_;
}

ApiResult<HttpResponse> EngineClient::call(http::verb method, const std::string& path, std::string body,
                                           Duration timeout, bool versioned) {
    HttpRequest req;
    req.method = method;
    req.body = std::move(body);
    // A second try only after the engine refused our version: it was upgraded or downgraded under a
    // long-lived client (`run`), and a refused version runs nothing, so even a POST is safe to send again.
    for (int attempt = 0;; ++attempt) {
        if (versioned) {
            auto p = prefix();
            if (!p) {
                return sb::unexpected(p.error());
            }
            req.target = *p + path;
        } else {
            req.target = path;
        }
        auto res = transport_->round_trip(req, timeout, stop_);
        if (!res) {
            return sb::unexpected(api_error_from_transport(res.error()));
        }
        if (path == "/_ping") {
            if (auto learnt = learn_version(res->api_version); !learnt) {
                return sb::unexpected(learnt.error());
            }
        }
        if (res->status < 300) {
            return std::move(*res);
        }
        ApiError e;
        e.status = static_cast<int>(res->status);
        e.message = error_message(*res);
        e.kind = classify(e.status, e.message);
        if (versioned && attempt == 0 && e.kind == ApiErrorKind::api_version) {
            std::lock_guard lock(mutex_);
            version_.reset();  // negotiate again, from /_ping
            continue;
        }
        return sb::unexpected(e);
    }
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
    auto info = parse_version(parsed);
    info.date = res->date;
    return info;
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

namespace {

std::vector<Node> parse_node_list(const json& j) {
    std::vector<Node> out;
    if (j.is_array()) {
        for (const auto& n : j) {
            out.push_back(parse_node(n));
        }
    }
    return out;
}

}  // namespace

ApiResult<std::vector<Node>> EngineClient::nodes() {
    return map_json(call_json(http::verb::get, "/nodes", timeouts_.request), parse_node_list);
}

ApiResult<std::vector<Node>> EngineClient::nodes_named(std::string_view name) {
    json filters = {{"name", json::array({std::string(name)})}};
    return map_json(
        call_json(http::verb::get, "/nodes?filters=" + url_segment(filters.dump()), timeouts_.request),
        parse_node_list);
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

ApiResult<std::vector<Task>> EngineClient::tasks(const TaskFilter& filter) {
    return map_json(call_json(http::verb::get, "/tasks?filters=" + url_query_value(task_filter_json(filter)),
                              timeouts_.request),
                    [](const json& j) {
                        std::vector<Task> out;
                        if (j.is_array()) {
                            for (const auto& t : j) {
                                out.push_back(parse_task(t));
                            }
                        }
                        return out;
                    });
}

ApiResult<std::vector<Service>> EngineClient::services() {
    return map_json(call_json(http::verb::get, "/services", timeouts_.request), [](const json& j) {
        std::vector<Service> out;
        if (j.is_array()) {
            for (const auto& s : j) {
                out.push_back(parse_service(s));
            }
        }
        return out;
    });
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
