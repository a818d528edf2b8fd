#pragma once

// What the agent did about each cloud notice, kept beside the state file (state.json →
// state.notices.json) so that a restarted agent never acts twice on one notice and finishes what it began.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sb {

struct NoticeRecord {
    std::string cloud;       // azure, aws, gcp
    std::string id;          // EventId, "spot:terminate@<time>", "lifecycle:Terminated", "preempted"
    std::string type;        // Terminate, Preempt, Reboot, spot terminate, preempted, ...
    std::string action;      // leave, drain-and-return, log-only
    std::string not_before;  // as the cloud wrote it; "" when at once
    // seen → draining → left → approved (Azure) | done (others); drain-and-return: draining → approved →
    // returned; failed (message says why); logged (Freeze).
    std::string phase;
    std::string doing;  // one line for `status`: what the agent is doing about it
    std::string message;
    std::string seen_at;  // RFC 3339, UTC
    std::string updated_at;
};

struct NoticeLedger {
    std::vector<NoticeRecord> records;  // oldest first, at most the last 32

    NoticeRecord* find(const std::string& cloud, const std::string& id);
};

std::filesystem::path notice_ledger_path(const std::filesystem::path& state_file);
nlohmann::json to_json(const NoticeRecord& r);
// A missing or unreadable file is an empty ledger; a record of the wrong shape is skipped.
NoticeLedger read_notice_ledger(const std::filesystem::path& path);
// Atomic, like the state file.
void write_notice_ledger(const std::filesystem::path& path, const NoticeLedger& ledger);

}  // namespace sb
