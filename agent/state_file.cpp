#include "agent/state_file.hpp"

#include <chrono>
#include <ctime>
#include <fstream>
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
    AgentState s;
    s.command = j.value("command", "");
    s.outcome = j.value("outcome", "");
    s.exit_code = j.value("exit_code", 0);
    s.message = j.value("message", "");
    s.node_id = j.value("node_id", "");
    s.cluster_id = j.value("cluster_id", "");
    s.manager = j.value("manager", "");
    s.attempts = j.value("attempts", 0);
    s.started_at = j.value("started_at", "");
    s.finished_at = j.value("finished_at", "");
    return s;
}

void write_state(const std::filesystem::path& path, const AgentState& s) {
    platform::write_file_atomically(path, to_json(s).dump(2) + "\n");
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
