#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace sb {

// What the last run did, for operators and for `status`. Never holds a token.
struct AgentState {
    std::string command;  // join, rejoin, run
    std::string outcome;  // joined, already-member, rejoined, dry-run, failed
    int exit_code = 0;
    std::string message;  // the failure's one line, if any
    std::string node_id;
    std::string cluster_id;
    std::string manager;
    int attempts = 0;
    std::string started_at;  // RFC 3339, UTC
    std::string finished_at;
};

nlohmann::json to_json(const AgentState& s);
std::optional<AgentState> read_state(const std::filesystem::path& path);
// Atomic: readers see the previous or the new state, never a torn file.
void write_state(const std::filesystem::path& path, const AgentState& s);
std::string utc_now_rfc3339();

}  // namespace sb
