#include "agent/state/notice_ledger.hpp"

#include <fstream>
#include <sstream>

#include "agent/platform/platform.hpp"

namespace sb {

NoticeRecord* NoticeLedger::find(const std::string& cloud, const std::string& id) {
    for (auto& r : records) {
        if (r.cloud == cloud && r.id == id) {
            return &r;
        }
    }
    return nullptr;
}

std::filesystem::path notice_ledger_path(const std::filesystem::path& state_file) {
    auto p = state_file;
    p.replace_extension(".notices.json");
    return p;
}

nlohmann::json to_json(const NoticeRecord& r) {
    return {{"cloud", r.cloud},
            {"id", r.id},
            {"type", r.type},
            {"action", r.action},
            {"not_before", r.not_before},
            {"phase", r.phase},
            {"doing", r.doing},
            {"message", r.message},
            {"seen_at", r.seen_at},
            {"updated_at", r.updated_at}};
}

NoticeLedger read_notice_ledger(const std::filesystem::path& path) {
    NoticeLedger ledger;
    std::ifstream in(path);
    if (!in) {
        return ledger;
    }
    std::stringstream buf;
    buf << in.rdbuf();
    auto j = nlohmann::json::parse(buf.str(), nullptr, false);
    auto list = j.is_object() ? j.find("notices") : j.end();
    if (list == j.end() || !list->is_array()) {
        return ledger;
    }
    for (const auto& item : *list) {
        if (!item.is_object()) {
            continue;
        }
        auto text = [&item](const char* key) {
            auto it = item.find(key);
            return it != item.end() && it->is_string() ? it->get<std::string>() : std::string();
        };
        NoticeRecord r{text("cloud"), text("id"),    text("type"),    text("action"),  text("not_before"),
                       text("phase"), text("doing"), text("message"), text("seen_at"), text("updated_at")};
        if (!r.cloud.empty() && !r.id.empty()) {
            ledger.records.push_back(std::move(r));
        }
    }
    return ledger;
}

void write_notice_ledger(const std::filesystem::path& path, const NoticeLedger& ledger) {
    nlohmann::json list = nlohmann::json::array();
    auto first = ledger.records.size() > 32 ? ledger.records.size() - 32 : 0;
    for (auto i = first; i < ledger.records.size(); ++i) {
        list.push_back(to_json(ledger.records[i]));
    }
    nlohmann::json doc = {{"notices", list}};
    platform::write_file_atomically(path,
                                    doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

}  // namespace sb
