#include "agent/state/state_file.hpp"

#include <chrono>
#include <cstdint>
#include <ctime>
#include <fstream>
#include <limits>
#include <sstream>

#include <spdlog/details/os.h>

#include "agent/platform/platform.hpp"
#include "common/secret.hpp"

namespace sb {

nlohmann::json to_json(const AgentState& s) {
    return {{"command", s.command},         {"outcome", s.outcome},   {"exit_code", s.exit_code},
            {"message", redact(s.message)}, {"node_id", s.node_id},   {"cluster_id", s.cluster_id},
            {"manager", s.manager},         {"attempts", s.attempts}, {"started_at", s.started_at},
            {"finished_at", s.finished_at}};
}

std::optional<AgentState> read_state(const std::filesystem::path& path) {
    std::ifstream in(path);
    if (!in) {
        return std::nullopt;
    }
    std::stringstream buf;
    buf << in.rdbuf();
    auto j = nlohmann::json::parse(buf.str(), nullptr, false);
    if (!j.is_object()) {
        return std::nullopt;
    }
    // Anyone can edit the file: a field of the wrong type reads as absent, as if the file were older.
    auto text = [&j](const char* key) {
        auto it = j.find(key);
        return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    auto integer = [&j](const char* key) {
        constexpr auto max = std::numeric_limits<int>::max();
        auto it = j.find(key);
        if (it != j.end() && it->is_number_unsigned()) {
            auto v = it->get<std::uint64_t>();
            return v <= static_cast<std::uint64_t>(max) ? static_cast<int>(v) : 0;
        }
        if (it != j.end() && it->is_number_integer()) {
            auto v = it->get<std::int64_t>();
            return v >= -max && v <= max ? static_cast<int>(v) : 0;
        }
        return 0;
    };
    AgentState s;
    s.command = text("command");
    s.outcome = text("outcome");
    s.exit_code = integer("exit_code");
    s.message = text("message");
    s.node_id = text("node_id");
    s.cluster_id = text("cluster_id");
    s.manager = text("manager");
    s.attempts = integer("attempts");
    s.started_at = text("started_at");
    s.finished_at = text("finished_at");
    return s;
}

void write_state(const std::filesystem::path& path, const AgentState& s) {
    // A message may quote a peer's text/plain error body, which need not be UTF-8: such bytes become U+FFFD
    // rather than an exception that would lose the state and the run's exit code.
    platform::write_file_atomically(
        path, to_json(s).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

std::string utc_now_rfc3339() {
    auto now = std::chrono::system_clock::now();
    std::time_t t = std::chrono::system_clock::to_time_t(now);
    std::tm tm = spdlog::details::os::gmtime(t);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

}  // namespace sb
