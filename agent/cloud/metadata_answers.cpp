#include "agent/cloud/metadata_answers.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>

#include <nlohmann/json.hpp>

namespace sb::cloud {

namespace {

// Reads exactly `digits` decimal digits at `pos`.
std::optional<int> number_at(std::string_view text, std::size_t pos, std::size_t digits) {
    if (pos + digits > text.size()) {
        return std::nullopt;
    }
    int value = 0;
    for (std::size_t i = pos; i < pos + digits; ++i) {
        if (text[i] < '0' || text[i] > '9') {
            return std::nullopt;
        }
        value = value * 10 + (text[i] - '0');
    }
    return value;
}

std::optional<WallClock::time_point> make_time(int year, int month, int day, int hour, int minute,
                                               int second) {
    using namespace std::chrono;
    year_month_day date{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                        std::chrono::day{static_cast<unsigned>(day)}};
    // The clock's nanoseconds end in 2262: a year past that (a peer's garbage) would overflow it.
    if (!date.ok() || year < 1970 || year > 2200 || hour > 23 || minute > 59 || second > 60) {
        return std::nullopt;
    }
    return sys_days{date} + hours{hour} + minutes{minute} + seconds{second};
}

std::string trimmed(std::string_view text) {
    auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) {
        return {};
    }
    auto last = text.find_last_not_of(" \t\r\n");
    return std::string(text.substr(first, last - first + 1));
}

// A short, printable quote of a peer's text for an error message.
std::string quote(std::string_view text) {
    std::string out;
    for (char c : text.substr(0, 60)) {
        out += (c >= 0x20 && c < 0x7f) ? c : '?';
    }
    return "'" + out + (text.size() > 60 ? "...'" : "'");
}

std::string text_field(const nlohmann::json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::optional<WallClock::time_point> parse_http_date(std::string_view text) {
    // "Mon, 19 Sep 2016 18:29:47 GMT"
    static constexpr std::array<std::string_view, 12> months{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                             "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    auto comma = text.find(", ");
    if (comma == std::string_view::npos) {
        return std::nullopt;
    }
    auto rest = text.substr(comma + 2);
    if (rest.size() != 24 || rest.substr(20) != " GMT" || rest[2] != ' ' || rest[6] != ' ' ||
        rest[11] != ' ' || rest[14] != ':' || rest[17] != ':') {
        return std::nullopt;
    }
    auto month = std::find(months.begin(), months.end(), rest.substr(3, 3));
    auto day = number_at(rest, 0, 2);
    auto year = number_at(rest, 7, 4);
    auto hour = number_at(rest, 12, 2);
    auto minute = number_at(rest, 15, 2);
    auto second = number_at(rest, 18, 2);
    if (month == months.end() || !day || !year || !hour || !minute || !second) {
        return std::nullopt;
    }
    return make_time(*year, static_cast<int>(month - months.begin()) + 1, *day, *hour, *minute, *second);
}

std::optional<WallClock::time_point> parse_utc_timestamp(std::string_view text) {
    // "2017-09-18T08:22:00Z", optionally with fractional seconds.
    if (text.size() < 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
        text[16] != ':' || text.back() != 'Z') {
        return std::nullopt;
    }
    auto fraction = text.substr(19, text.size() - 20);
    if (!fraction.empty() &&
        (fraction[0] != '.' || fraction.size() < 2 ||
         !std::all_of(fraction.begin() + 1, fraction.end(), [](char c) { return c >= '0' && c <= '9'; }))) {
        return std::nullopt;
    }
    auto year = number_at(text, 0, 4);
    auto month = number_at(text, 5, 2);
    auto day = number_at(text, 8, 2);
    auto hour = number_at(text, 11, 2);
    auto minute = number_at(text, 14, 2);
    auto second = number_at(text, 17, 2);
    if (!year || !month || !day || !hour || !minute || !second) {
        return std::nullopt;
    }
    return make_time(*year, *month, *day, *hour, *minute, *second);
}

std::string format_utc(WallClock::time_point t) {
    using namespace std::chrono;
    auto days = floor<std::chrono::days>(t);
    year_month_day date{days};
    hh_mm_ss time{floor<seconds>(t - days)};
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(date.year()),
                  static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                  static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                  static_cast<int>(time.seconds().count()));
    return buf;
}

sb::expected<AzureDocument, std::string> parse_azure_events(std::string_view body, std::string_view vm_name) {
    auto j = nlohmann::json::parse(body, nullptr, false);
    if (!j.is_object()) {
        return sb::unexpected("scheduled events: not a JSON object: " + quote(body));
    }
    AzureDocument doc;
    auto inc = j.find("DocumentIncarnation");
    if (inc == j.end() || !inc->is_number_integer()) {
        return sb::unexpected(std::string("scheduled events: no DocumentIncarnation number"));
    }
    doc.incarnation = inc->get<std::int64_t>();
    auto events = j.find("Events");
    if (events == j.end() || !events->is_array()) {
        return sb::unexpected(std::string("scheduled events: no Events list"));
    }
    for (const auto& e : *events) {
        if (!e.is_object()) {
            return sb::unexpected(std::string("scheduled events: an event is not an object"));
        }
        auto resources = e.find("Resources");
        bool ours = false;
        if (resources != e.end() && resources->is_array()) {
            for (const auto& r : *resources) {
                ours = ours || (r.is_string() && r.get_ref<const std::string&>() == vm_name);
            }
        }
        if (!ours || vm_name.empty()) {
            continue;
        }
        Notice n;
        n.cloud = CloudKind::azure;
        n.id = text_field(e, "EventId");
        n.type = text_field(e, "EventType");
        n.status = text_field(e, "EventStatus");
        n.not_before_text = text_field(e, "NotBefore");
        if (n.id.empty() || n.type.empty()) {
            return sb::unexpected(
                std::string("scheduled events: an event for this VM without EventId or EventType"));
        }
        if (!n.not_before_text.empty()) {
            n.not_before = parse_http_date(n.not_before_text);
            if (!n.not_before) {
                return sb::unexpected("scheduled events: event " + n.id +
                                      " has a NotBefore that is no date: " + quote(n.not_before_text));
            }
        }
        if (n.type == "Terminate" || n.type == "Preempt") {
            n.action = NoticeAction::leave;
        } else if (n.type == "Reboot" || n.type == "Redeploy") {
            n.action = NoticeAction::drain_and_return;
        } else {
            n.action = NoticeAction::log_only;  // Freeze, and types added after this was written
        }
        doc.notices.push_back(std::move(n));
    }
    return doc;
}

sb::expected<std::string, std::string> parse_azure_vm_name(std::string_view body) {
    auto j = nlohmann::json::parse(body, nullptr, false);
    if (!j.is_object()) {
        return sb::unexpected("instance metadata: not a JSON object: " + quote(body));
    }
    auto name = text_field(j, "name");
    if (name.empty()) {
        return sb::unexpected(std::string("instance metadata: no VM name"));
    }
    return sb::expected<std::string, std::string>(boost::system::in_place_value, std::move(name));
}

sb::expected<Notice, std::string> parse_aws_spot_action(std::string_view body) {
    auto j = nlohmann::json::parse(body, nullptr, false);
    if (!j.is_object()) {
        return sb::unexpected("spot instance-action: not a JSON object: " + quote(body));
    }
    Notice n;
    n.cloud = CloudKind::aws;
    auto action = text_field(j, "action");
    n.not_before_text = text_field(j, "time");
    if (action != "terminate" && action != "stop" && action != "hibernate") {
        return sb::unexpected("spot instance-action: unknown action " + quote(action));
    }
    n.not_before = parse_utc_timestamp(n.not_before_text);
    if (!n.not_before) {
        return sb::unexpected("spot instance-action: time is no UTC timestamp: " + quote(n.not_before_text));
    }
    n.type = "spot " + action;
    n.id = "spot:" + action + "@" + n.not_before_text;
    n.action = NoticeAction::leave;
    return n;
}

sb::expected<std::optional<Notice>, std::string> parse_aws_lifecycle_state(std::string_view body) {
    auto state = trimmed(body);
    if (state.empty() || state.size() > 64 || !std::all_of(state.begin(), state.end(), [](char c) {
            return std::isalpha(static_cast<unsigned char>(c)) || c == ':';
        })) {
        return sb::unexpected("target-lifecycle-state: not a state: " + quote(body));
    }
    if (state != "Terminated") {
        return std::optional<Notice>{};
    }
    Notice n;
    n.cloud = CloudKind::aws;
    n.id = "lifecycle:Terminated";
    n.type = "target-lifecycle-state Terminated";
    n.action = NoticeAction::leave;
    return std::optional<Notice>{std::move(n)};
}

sb::expected<bool, std::string> parse_gcp_preempted(std::string_view body) {
    auto value = trimmed(body);
    if (value == "TRUE") {
        return true;
    }
    if (value == "FALSE") {
        return false;
    }
    return sb::unexpected("instance/preempted: neither TRUE nor FALSE: " + quote(body));
}

}  // namespace sb::cloud
