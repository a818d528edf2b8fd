#include "fakes/metadata_emulator.hpp"

#include <array>
#include <cstdio>

#include "agent/cloud/metadata_answers.hpp"

namespace sb::test {

namespace {

std::string http_date(std::chrono::system_clock::time_point t) {
    using namespace std::chrono;
    static constexpr std::array<const char*, 7> days{"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
    static constexpr std::array<const char*, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    auto d = floor<std::chrono::days>(t);
    year_month_day date{d};
    hh_mm_ss time{floor<seconds>(t - d)};
    auto weekday = static_cast<std::size_t>(((d.time_since_epoch().count() % 7) + 7) % 7);  // 1970-01-01: Thu
    char buf[40];
    std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d GMT", days[weekday],
                  static_cast<unsigned>(date.day()), months[static_cast<unsigned>(date.month()) - 1],
                  static_cast<int>(date.year()), static_cast<int>(time.hours().count()),
                  static_cast<int>(time.minutes().count()), static_cast<int>(time.seconds().count()));
    return buf;
}

std::int64_t epoch_ms(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

std::string header(const EmulatorRequest& r, const std::string& name) {
    auto it = r.headers.find(name);
    return it != r.headers.end() ? it->second : std::string();
}

bool has_param(const std::string& query, const std::string& param) {
    return ("&" + query + "&").find("&" + param + "&") != std::string::npos ||
           ("&" + query).find("&" + param + "=") != std::string::npos;
}

std::string param(const std::string& query, const std::string& name) {
    auto q = "&" + query;
    auto at = q.find("&" + name + "=");
    if (at == std::string::npos) {
        return {};
    }
    auto start = at + name.size() + 2;
    auto end = q.find('&', start);
    return q.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

}  // namespace

MetadataEmulator::MetadataEmulator(std::string vm_name) : vm_name_(std::move(vm_name)) {}

EmulatorResponse MetadataEmulator::error(unsigned status, std::string body) {
    ++counts_[std::to_string(status)];
    EmulatorResponse r;
    r.status = status;
    r.body = std::move(body);
    return r;
}

EmulatorResponse MetadataEmulator::handle(const EmulatorRequest& request) {
    auto q = request.target.find('?');
    std::string path = request.target.substr(0, q);
    std::string query = q == std::string::npos ? std::string() : request.target.substr(q + 1);
    if (path.rfind("/control/", 0) == 0) {
        return control(request, path);
    }
    std::unique_lock lock(mutex_);
    ++counts_[request.method + " " + path];
    if (path.rfind("/metadata/", 0) == 0) {
        return azure(request, path, query);
    }
    if (path.rfind("/latest/", 0) == 0) {
        return aws(request, path);
    }
    if (path.rfind("/computeMetadata/v1/", 0) == 0) {
        lock.unlock();
        return gcp(request, path, query);
    }
    return error(404, "no such metadata path");
}

EmulatorResponse MetadataEmulator::azure(const EmulatorRequest& r, const std::string& path,
                                         const std::string& query) {
    // IMDS: the header is required, a proxied request is refused, and so is a missing api-version.
    if (header(r, "metadata") != "true") {
        return error(400, R"({"error": "Bad request. Required metadata header not specified"})");
    }
    if (!header(r, "x-forwarded-for").empty()) {
        return error(400, R"({"error": "Bad request. Forwarded requests are refused"})");
    }
    if (!has_param(query, "api-version")) {
        return error(400, R"({"error": "Bad request. api-version was not specified in the request"})");
    }
    EmulatorResponse out;
    out.content_type = "application/json; charset=utf-8";
    if (path == "/metadata/instance/compute" && r.method == "GET") {
        out.body =
            nlohmann::json{{"name", vm_name_}, {"vmScaleSetName", "sb-vmss"}, {"osType", "Linux"}}.dump();
        return out;
    }
    if (path != "/metadata/scheduledevents") {
        return error(404, R"({"error": "Not found"})");
    }
    if (!azure_first_served_) {
        // The first call enables the service and can take up to two minutes.
        azure_first_served_ = true;
        out.delay = azure_slow_first;
    }
    if (r.method == "GET") {
        out.body = nlohmann::json{{"DocumentIncarnation", incarnation_}, {"Events", azure_events_}}.dump();
        return out;
    }
    if (r.method != "POST") {
        return error(405, R"({"error": "Method not allowed"})");
    }
    auto body = nlohmann::json::parse(r.body, nullptr, false);
    auto starts = body.is_object() ? body.find("StartRequests") : body.end();
    if (starts == body.end() || !starts->is_array()) {
        return error(400, R"({"error": "Bad request. StartRequests expected"})");
    }
    for (const auto& s : *starts) {
        if (!s.is_object() || !s.contains("EventId") || !s["EventId"].is_string()) {
            return error(400, R"({"error": "Bad request. EventId expected"})");
        }
        auto id = s["EventId"].get<std::string>();
        for (auto& e : azure_events_) {
            if (e["EventId"] == id) {
                approvals_.push_back(id);
                approval_times_.push_back({{"EventId", id},
                                           {"received_ms", epoch_ms(wall_now())},
                                           {"not_before_ms", not_before_ms_[id]}});
                approved_at_ms_.try_emplace(id, epoch_ms(wall_now()));
                e["EventStatus"] = "Started";
                e["NotBefore"] = "";
                ++incarnation_;
            }
        }
    }
    changed_.notify_all();
    out.body = "";
    return out;
}

EmulatorResponse MetadataEmulator::aws(const EmulatorRequest& r, const std::string& path) {
    if (path == "/latest/api/token") {
        if (r.method != "PUT") {
            return error(405, "");
        }
        auto ttl_text = header(r, "x-aws-ec2-metadata-token-ttl-seconds");
        int ttl = 0;
        try {
            ttl = std::stoi(ttl_text);
        } catch (const std::exception&) {
            ttl = 0;
        }
        if (ttl < 1 || ttl > 21600) {
            return error(400, "");
        }
        auto token = "AQAEAemulated" + std::to_string(next_token_++) + "==";
        aws_tokens_[token] = steady_now() + std::chrono::seconds(ttl);
        EmulatorResponse out;
        out.body = token;
        return out;
    }
    auto token = header(r, "x-aws-ec2-metadata-token");
    auto it = aws_tokens_.find(token);
    if (token.empty() || it == aws_tokens_.end() || steady_now() >= it->second) {
        return error(401, "");
    }
    if (r.method != "GET") {
        return error(405, "");
    }
    EmulatorResponse out;
    if (path == "/latest/meta-data/spot/instance-action") {
        if (aws_spot_.is_null()) {
            return error(404, "");
        }
        out.body = aws_spot_.dump();
        out.content_type = "text/plain";
        return out;
    }
    if (path == "/latest/meta-data/autoscaling/target-lifecycle-state") {
        if (aws_lifecycle_.empty()) {
            return error(404, "");
        }
        out.body = aws_lifecycle_;
        return out;
    }
    if (path == "/latest/meta-data/instance-id") {
        out.body = "i-0emulated0000000";
        return out;
    }
    return error(404, "");
}

EmulatorResponse MetadataEmulator::gcp(const EmulatorRequest& r, const std::string& path,
                                       const std::string& query) {
    std::unique_lock lock(mutex_);
    if (header(r, "metadata-flavor") != "Google") {
        return error(403, "Missing Metadata-Flavor:Google header.");
    }
    if (!header(r, "x-forwarded-for").empty()) {
        return error(403, "Forwarded requests are refused.");
    }
    if (path != "/computeMetadata/v1/instance/preempted" || r.method != "GET") {
        return error(404, "Not Found");
    }
    if (param(query, "wait_for_change") == "true") {
        // Answers when the value changes, or with the current value when timeout_sec runs out.
        int timeout_sec = 0;
        try {
            timeout_sec = std::stoi(param(query, "timeout_sec"));
        } catch (const std::exception&) {
            timeout_sec = 3600;
        }
        bool before = gcp_preempted_;
        auto wait = std::chrono::duration<double>(timeout_sec * long_poll_scale);
        changed_.wait_for(lock, wait, [&] { return gcp_preempted_ != before; });
    }
    EmulatorResponse out;
    out.content_type = "application/text";
    out.body = gcp_preempted_ ? "TRUE" : "FALSE";
    return out;
}

EmulatorResponse MetadataEmulator::control(const EmulatorRequest& r, const std::string& path) {
    EmulatorResponse out;
    out.content_type = "application/json";
    auto body = nlohmann::json::parse(r.body.empty() ? "{}" : r.body, nullptr, false);
    if (!body.is_object()) {
        out.status = 400;
        out.body = R"({"error": "a JSON object, please"})";
        return out;
    }
    if (path == "/control/azure/event" && r.method == "POST") {
        auto id =
            add_azure_event(body.value("type", "Terminate"),
                            std::chrono::seconds(body.value("not_before_in", 60)), body.value("id", ""));
        out.body = nlohmann::json{{"EventId", id}}.dump();
    } else if (path == "/control/azure/events" && r.method == "DELETE") {
        clear_azure_events();
    } else if (path == "/control/aws/spot" && r.method == "POST") {
        set_aws_spot(body.value("action", "terminate"), std::chrono::seconds(body.value("in", 120)));
    } else if (path == "/control/aws/spot" && r.method == "DELETE") {
        clear_aws_spot();
    } else if (path == "/control/aws/lifecycle" && r.method == "POST") {
        set_aws_lifecycle(body.value("state", "Terminated"));
    } else if (path == "/control/aws/expire-tokens" && r.method == "POST") {
        expire_aws_tokens();
    } else if (path == "/control/gcp/preempted" && r.method == "POST") {
        set_gcp_preempted(body.value("preempted", true));
    } else if (path == "/control/report" && r.method == "GET") {
        out.body = report().dump();
    } else {
        out.status = 404;
        out.body = R"({"error": "no such control"})";
        return out;
    }
    if (out.body.empty()) {
        out.body = "{}";
    }
    return out;
}

std::string MetadataEmulator::add_azure_event(const std::string& type, std::chrono::seconds not_before_in,
                                              std::string id, std::vector<std::string> resources) {
    std::lock_guard lock(mutex_);
    if (id.empty()) {
        char buf[48];
        std::snprintf(buf, sizeof buf, "C7061BAC-AFDC-4513-B24B-%012d", next_event_++);
        id = buf;
    }
    if (resources.empty()) {
        resources.push_back(vm_name_);
    }
    auto not_before = wall_now() + not_before_in;
    not_before_ms_[id] = epoch_ms(std::chrono::floor<std::chrono::seconds>(not_before));
    azure_events_.push_back({{"EventId", id},
                             {"EventStatus", "Scheduled"},
                             {"EventType", type},
                             {"ResourceType", "VirtualMachine"},
                             {"Resources", resources},
                             {"NotBefore", http_date(not_before)},
                             {"Description", "emulated " + type},
                             {"EventSource", "Platform"},
                             {"DurationInSeconds", type == "Freeze" ? 5 : -1}});
    ++incarnation_;
    changed_.notify_all();
    return id;
}

void MetadataEmulator::clear_azure_events() {
    std::lock_guard lock(mutex_);
    azure_events_ = nlohmann::json::array();
    ++incarnation_;
}

void MetadataEmulator::set_aws_spot(const std::string& action, std::chrono::seconds in) {
    std::lock_guard lock(mutex_);
    aws_spot_ = {{"action", action}, {"time", cloud::format_utc(wall_now() + in)}};
}

void MetadataEmulator::clear_aws_spot() {
    std::lock_guard lock(mutex_);
    aws_spot_ = nullptr;
}

void MetadataEmulator::set_aws_lifecycle(const std::string& state) {
    std::lock_guard lock(mutex_);
    aws_lifecycle_ = state;
}

void MetadataEmulator::expire_aws_tokens() {
    std::lock_guard lock(mutex_);
    aws_tokens_.clear();
}

void MetadataEmulator::set_gcp_preempted(bool preempted) {
    std::lock_guard lock(mutex_);
    gcp_preempted_ = preempted;
    changed_.notify_all();
}

std::vector<std::string> MetadataEmulator::approvals() {
    std::lock_guard lock(mutex_);
    return approvals_;
}

nlohmann::json MetadataEmulator::report() {
    std::lock_guard lock(mutex_);
    return {
        {"approvals", approvals_}, {"approval_times", approval_times_}, {"counts", counts_},
        {"events", azure_events_}, {"not_before_ms", not_before_ms_},   {"approved_at_ms", approved_at_ms_}};
}

}  // namespace sb::test
